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
		expect(config.sharding).toEqual({ mode: 'auto' });
		expect(config.metricsPort).toBeNull();
		expect(config.metricsHost).toBe('127.0.0.1');
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
		[{ PENDING_AUTO_LEAVE_DAYS: '-1' }, /^PENDING_AUTO_LEAVE_DAYS is malformed/],
		[{ SHARD_COUNT: '0' }, /^SHARD_COUNT is malformed: "0" is not a whole number from 1 to 100000/],
		[{ SHARD_COUNT: 'four' }, /^SHARD_COUNT is malformed/],
		[{ SHARD_IDS: '0,1' }, /^SHARD_IDS is set but SHARD_COUNT is not/],
		[{ SHARD_COUNT: '4', SHARD_IDS: '0,x' }, /^SHARD_IDS is malformed: "x" is not a shard id or a range/],
		[{ SHARD_COUNT: '4', SHARD_IDS: '3-1' }, /^SHARD_IDS is malformed: "3-1" runs backwards/],
		[{ SHARD_COUNT: '4', SHARD_IDS: '2-4' }, /^SHARD_IDS is malformed: shard 4 does not exist with SHARD_COUNT=4; shard ids run from 0 to 3/],
		[{ SHARD_COUNT: '4', SHARD_IDS: '0,,1' }, /^SHARD_IDS is malformed: "" is not a shard id/],
		[{ SHARDING_MANAGER: 'true', SHARD_COUNT: '2', SHARDS: '2' }, /^SHARDS and SHARD_COUNT, set by the sharding manager/],
		[{ METRICS_PORT: '0' }, /^METRICS_PORT is malformed: "0" is not a whole number from 1 to 65535/],
		[{ METRICS_PORT: '80a' }, /^METRICS_PORT is malformed/],
		[{ METRICS_HOST: 'http://0.0.0.0' }, /^METRICS_HOST is malformed: "http:\/\/0.0.0.0" is not an address to listen on/]
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

	it('GIVEN an unparsable DATABASE_URL and one with the wrong scheme THEN each says what is expected', () => {
		expect(configError({ ...valid, DATABASE_URL: 'not a url' })).toBe(
			'DATABASE_URL is malformed: expected postgres://user:password@host:port/database.'
		);
		expect(configError({ ...valid, DATABASE_URL: 'mysql://db/bot' })).toBe(
			'DATABASE_URL is malformed: expected a URL starting with postgres:// or postgresql://.'
		);
		expect(loadConfig({ ...valid, DATABASE_URL: ' postgresql://u:p@db:5432/bot ' }).databaseUrl).toBe('postgresql://u:p@db:5432/bot');
	});

	it('GIVEN variables left blank, as an .env template leaves them THEN the defaults apply', () => {
		const blank = { DATABASE_URL: ' ', LOG_LEVEL: '', LOG_FORMAT: '', DATABASE_POOL_SIZE: ' ', METRICS_HOST: '', SHARD_COUNT: '' };
		expect(loadConfig({ ...valid, ...blank })).toEqual(loadConfig(valid));
	});

	it('GIVEN LOG_LEVEL and LOG_FORMAT in capitals THEN they are read case-insensitively', () => {
		const config = loadConfig({ ...valid, LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'Json' });
		expect([config.logLevel, config.logFormat]).toEqual(['debug', 'json']);
	});

	it('GIVEN a malformed SHARDS outside the sharding manager THEN it is ignored, and under the manager it is refused', () => {
		expect(loadConfig({ ...valid, SHARDS: 'x' }).sharding).toEqual({ mode: 'auto' });
		expect(configError({ ...valid, SHARDING_MANAGER: 'true', SHARD_COUNT: '2', SHARDS: 'x' })).toBe(
			'SHARDS is malformed: "x" is not a whole number from 0 to 99999.'
		);
	});

	it('GIVEN a DISCORD_API_URL with a trailing slash THEN removes it', () => {
		expect(loadConfig({ ...valid, DISCORD_API_URL: 'http://127.0.0.1:8080/api/' }).discordApiUrl).toBe('http://127.0.0.1:8080/api');
	});

	it.each([
		['0,1', [0, 1]],
		['0-3', [0, 1, 2, 3]],
		[' 2 - 3 , 0, 3', [0, 2, 3]]
	])('GIVEN SHARD_COUNT=4 and SHARD_IDS=%j THEN connects shards %j, sorted and each once', (ids, expected) => {
		expect(loadConfig({ ...valid, SHARD_COUNT: '4', SHARD_IDS: ids }).sharding).toEqual({ mode: 'fixed', shardIds: expected, shardCount: 4 });
	});

	it('GIVEN SHARD_COUNT alone THEN connects every shard', () => {
		expect(loadConfig({ ...valid, SHARD_COUNT: '3' }).sharding).toEqual({ mode: 'fixed', shardIds: [0, 1, 2], shardCount: 3 });
	});

	it('GIVEN a child of the sharding manager with the cluster-wide SHARD_IDS inherited THEN takes its one shard from SHARDS', () => {
		const env = { ...valid, SHARDING_MANAGER: 'true', SHARDS: '2', SHARD_COUNT: '4', SHARD_IDS: '0-3' };
		expect(loadConfig(env).sharding).toEqual({ mode: 'managed', shardIds: [2], shardCount: 4 });
	});

	it('GIVEN METRICS_PORT and METRICS_HOST THEN serves metrics there', () => {
		const config = loadConfig({ ...valid, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' });
		expect(config.metricsPort).toBe(9464);
		expect(config.metricsHost).toBe('0.0.0.0');
		expect(loadConfig({ ...valid, METRICS_HOST: '::' }).metricsHost).toBe('::');
	});
});
