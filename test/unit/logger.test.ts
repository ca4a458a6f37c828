import { LogLevel } from '@sapphire/framework';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BotLogger } from '../../src/lib/logger.js';

function capture(format: 'pretty' | 'json', level = LogLevel.Info) {
	const lines: string[] = [];
	return { logger: new BotLogger(level, format, (line) => lines.push(line)), lines };
}

describe('BotLogger', () => {
	it('GIVEN json format THEN writes one JSON object per event with the trailing fields', () => {
		const { logger, lines } = capture('json');
		logger.info('Vote recorded', { guildId: '1', interactionId: '2' });
		expect(lines).toHaveLength(1);
		expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'Vote recorded', guildId: '1', interactionId: '2' });
	});

	it('GIVEN a registered secret THEN masks it everywhere, including in errors', () => {
		const { logger, lines } = capture('json');
		logger.addSecret('s3cr3t-token');
		logger.error('failed with s3cr3t-token', new Error('bad token s3cr3t-token'));
		expect(lines.join('\n')).not.toContain('s3cr3t-token');
		expect(lines.join('\n')).toContain('[redacted]');
	});

	it('GIVEN a secret holding characters JSON escapes THEN it is masked in JSON lines too', () => {
		const { logger, lines } = capture('json');
		logger.addSecret('pa"ss\\word');
		logger.warn('connecting with pa"ss\\word', { detail: 'pa"ss\\word' });
		expect(lines.join('\n')).not.toContain('ss\\\\word');
		expect(JSON.parse(lines[0]!)).toMatchObject({ msg: 'connecting with [redacted]', detail: '[redacted]' });
	});

	it('GIVEN fields named like secrets that nobody registered THEN their values are masked all the same', () => {
		const { logger, lines } = capture('json');
		logger.info('connecting', { token: 'unregistered-token', password: 'unregistered-password', guildId: '1' });
		expect(JSON.parse(lines[0]!)).toEqual(expect.objectContaining({ token: '[redacted]', password: '[redacted]', guildId: '1' }));
	});

	it('GIVEN level none THEN nothing is written, not even fatal', () => {
		const { logger, lines } = capture('json', LogLevel.None);
		logger.fatal('silent');
		expect(lines).toEqual([]);
	});

	it('GIVEN level warn THEN drops info and keeps warn', () => {
		const { logger, lines } = capture('pretty', LogLevel.Warn);
		logger.info('quiet');
		logger.warn('loud', { guildId: '9' });
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(/WARN {2}loud guildId=9$/);
	});
});

describe('BotLogger on stdout', () => {
	const root = fileURLToPath(new URL('../..', import.meta.url));

	/** Runs the built logger (`npm test` builds first) in a child whose stdout is a pipe, as under a host or the e2e tests. */
	function runChild(format: 'pretty' | 'json', script: string) {
		const program = `import { BotLogger } from './dist/lib/logger.js'; const logger = new BotLogger(30, '${format}'); ${script}`;
		return spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, encoding: 'utf8', timeout: 10_000 });
	}

	it('GIVEN a fatal error WHEN the process exits right after THEN the line is already written', () => {
		const result = runChild('json', `logger.fatal('The bot could not start:', new Error('boom')); process.exit(1);`);
		expect(result.status).toBe(1);
		expect(JSON.parse(result.stdout)).toMatchObject({ level: 'fatal', msg: 'The bot could not start: Error: boom' });
	});

	it('GIVEN json format and messages with line breaks WHEN written THEN stdout holds exactly one JSON object per line', () => {
		const result = runChild('json', `logger.info('one\\ntwo'); logger.warn('three', { guildId: '1' }); logger.error(new Error('four'));`);
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines.map((line) => (JSON.parse(line) as { level: string }).level)).toEqual(['info', 'warn', 'error']);
	});

	it('GIVEN pretty format WHEN an error is written THEN the line is human, with the stack on the lines below', () => {
		const result = runChild('pretty', `logger.error('Failed:', new Error('four'));`);
		expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR Failed: Error: four \nError: four\n {4}at /);
	});
});
