import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/lib/config.js';

const owner = '123456789012345678';
const valid = { TOKEN: 'MTIz.secret-token.value', OWNER_ID: owner };

function configError(env: Record<string, string>) {
	try {
		loadConfig(env);
	} catch (error) {
		if (error instanceof ConfigError) return error.message;
		throw error;
	}
	throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
	it('GIVEN the two required variables THEN applies the documented defaults', () => {
		const config = loadConfig(valid);
		expect(config.token).toBe(valid.TOKEN);
		expect(config.ownerIds).toEqual([owner]);
		expect(config.databaseUrl).toBeNull();
		expect(config.discordApiUrl).toBeNull();
		expect(config.devGuildId).toBeNull();
		expect(config.logLevel).toBe('info');
		expect(config.logFormat).toBe('pretty');
		expect(config.databasePoolSize).toBe(10);
		expect(config.pendingAutoLeaveDays).toBeNull();
	});

	it('GIVEN several owner ids with spaces and a repeat THEN keeps each once', () => {
		const other = '876543210987654321';
		expect(loadConfig({ ...valid, OWNER_ID: ` ${owner}, ${other},${owner}` }).ownerIds).toEqual([owner, other]);
	});

	it('GIVEN a token with the "Bot " prefix THEN strips it', () => {
		expect(loadConfig({ ...valid, TOKEN: 'Bot abc.def' }).token).toBe('abc.def');
	});

	it('GIVEN no TOKEN THEN names the variable and suggests the playground', () => {
		const message = configError({ OWNER_ID: owner });
		expect(message).toMatch(/^TOKEN is not set/);
		expect(message).toContain('npm run playground');
	});

	it('GIVEN a malformed TOKEN THEN never repeats it', () => {
		const message = configError({ ...valid, TOKEN: 'leaky secret' });
		expect(message).toMatch(/^TOKEN is malformed/);
		expect(message).not.toContain('leaky');
	});

	it.each([
		[{ OWNER_ID: '' }, /^OWNER_ID is not set/],
		[{ OWNER_ID: '12345' }, /^OWNER_ID is malformed: "12345"/],
		[{ OWNER_ID: `${owner},abc` }, /^OWNER_ID is malformed: "abc"/],
		[{ DISCORD_API_URL: 'not a url' }, /^DISCORD_API_URL is malformed/],
		[{ DISCORD_API_URL: 'ftp://127.0.0.1/api' }, /^DISCORD_API_URL is malformed/],
		[{ DEV_GUILD_ID: 'guild' }, /^DEV_GUILD_ID is malformed/],
		[{ ADMIN_GUILD_ID: '1' }, /^ADMIN_GUILD_ID is malformed/],
		[{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL is malformed: "loud" is not one of trace, debug/],
		[{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT is malformed/],
		[{ DATABASE_POOL_SIZE: '0' }, /^DATABASE_POOL_SIZE is malformed: "0" is not a whole number from 1 to 100/],
		[{ DATABASE_POOL_SIZE: '2.5' }, /^DATABASE_POOL_SIZE is malformed/],
		[{ PENDING_AUTO_LEAVE_DAYS: '-1' }, /^PENDING_AUTO_LEAVE_DAYS is malformed/]
	])('GIVEN %o THEN reports it', (override, expected) => {
		expect(configError({ ...valid, ...override })).toMatch(expected);
	});

	it('GIVEN a DATABASE_URL that is not a postgres URL THEN does not echo its password', () => {
		const message = configError({ ...valid, DATABASE_URL: 'mysql://user:hunter2@db/bot' });
		expect(message).toMatch(/^DATABASE_URL is malformed/);
		expect(message).not.toContain('hunter2');
	});

	it('GIVEN an unparsable DATABASE_URL THEN does not echo it', () => {
		const message = configError({ ...valid, DATABASE_URL: 'postgres://user:hunter2@[bad' });
		expect(message).not.toContain('hunter2');
	});

	it('GIVEN a DISCORD_API_URL with a trailing slash THEN removes it', () => {
		expect(loadConfig({ ...valid, DISCORD_API_URL: 'http://127.0.0.1:8080/api/' }).discordApiUrl).toBe('http://127.0.0.1:8080/api');
	});
});
