import { LogLevel } from '@sapphire/framework';
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

	it('GIVEN level warn THEN drops info and keeps warn', () => {
		const { logger, lines } = capture('pretty', LogLevel.Warn);
		logger.info('quiet');
		logger.warn('loud', { guildId: '9' });
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(/WARN {2}loud guildId=9$/);
	});
});
