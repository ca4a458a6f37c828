import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/bot-process.js';
import { nodeArguments, procfileCommand, procfileWorkerFlags } from '../support/start-command.js';

const startCommandOf = (file: string) =>
	(JSON.parse(readFileSync(join(PROJECT_ROOT, file), 'utf8')) as { deploy: { startCommand: string } }).deploy.startCommand;

describe('the start command (Procfile, railway.json)', () => {
	it('GIVEN the Procfile THEN its worker runs node directly (no npm, no shell) on the built bot, with Node flags only', () => {
		const args = nodeArguments(procfileCommand('worker'));
		expect(args.at(-1)).toBe('dist/index.js');
		for (const flag of args.slice(0, -1)) expect(flag).toMatch(/^--[a-z][a-z0-9-]*(=[\w.,-]+)?$/);
	});

	it("GIVEN railway.json THEN its start command is the Procfile's worker, character for character", () => {
		expect(startCommandOf('railway.json')).toBe(procfileCommand('worker'));
	});

	it("GIVEN railway.cluster.json THEN its start command is the Procfile's cluster", () => {
		expect(startCommandOf('railway.cluster.json')).toBe(procfileCommand('cluster'));
	});

	it('GIVEN the worker flags THEN none caps the old generation below 2 GB (50,000 servers and a burst need room)', () => {
		for (const flag of procfileWorkerFlags()) {
			const cap = /^--max-old-space-size=(\d+)$/.exec(flag);
			if (cap) expect(Number(cap[1])).toBeGreaterThanOrEqual(2048);
		}
	});

	it('GIVEN a start command through npm or a shell THEN it is refused', () => {
		expect(() => nodeArguments('npm start')).toThrow(/must run node directly/);
		expect(() => nodeArguments('node $FLAGS dist/index.js')).toThrow(/argument/);
	});
});
