import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the built bot (`npm test` builds first) with exactly `env`, nothing inherited but PATH. */
function runBot(env: Record<string, string>) {
	const result = spawnSync(process.execPath, ['dist/index.js'], {
		cwd: root,
		env: { PATH: process.env.PATH ?? '', ENV_FILE: '', ...env },
		encoding: 'utf8',
		timeout: 10_000
	});
	return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built bot with bad configuration', () => {
	it('GIVEN no TOKEN WHEN started THEN prints one line suggesting the playground and exits 1', () => {
		const { code, stdout, stderr } = runBot({ OWNER_ID: '123456789012345678' });
		expect(code).toBe(1);
		expect(stdout).toBe('');
		expect(stderr.trim().split('\n')).toHaveLength(1);
		expect(stderr).toMatch(/^TOKEN is not set: .*npm run playground/);
	});

	it('GIVEN a malformed OWNER_ID WHEN started THEN names it in one line without the token and exits 1', () => {
		const token = 'secret-token-value';
		const { code, stderr } = runBot({ TOKEN: token, OWNER_ID: 'me' });
		expect(code).toBe(1);
		expect(stderr.trim()).toBe('OWNER_ID is malformed: "me" is not a Discord user id (17 to 20 digits); separate several ids with commas.');
		expect(stderr).not.toContain(token);
	});

	it('GIVEN a DATABASE_URL with a password and the wrong scheme WHEN started THEN the password is not printed', () => {
		const { code, stderr, stdout } = runBot({ TOKEN: 'x', OWNER_ID: '123456789012345678', DATABASE_URL: 'mysql://u:hunter2@db/x' });
		expect(code).toBe(1);
		expect(stderr + stdout).not.toContain('hunter2');
		expect(stderr).toMatch(/^DATABASE_URL is malformed/);
	});
});
