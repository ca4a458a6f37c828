import { isIP } from 'node:net';
import { snowflakePattern } from './snowflake.js';

/**
 * Configuration, read once from the environment at start-up.
 *
 * Every problem is reported as a {@link ConfigError} whose message names the variable and what is expected, and
 * never repeats the value of a secret.
 */

export interface Config {
	/** The bot token. Secret: never log it. */
	readonly token: string;
	/** User ids of the bot's operators, who approve servers and run `/admin`. */
	readonly ownerIds: readonly string[];
	/** A PostgreSQL connection string; `null` means: start an embedded PostgreSQL. Secret (it holds a password). */
	readonly databaseUrl: string | null;
	/** REST base handed to discord.js (`rest.api`), for a local fake Discord or a REST proxy. */
	readonly discordApiUrl: string | null;
	/** Register commands in this server only (development). */
	readonly devGuildId: string | null;
	/** Register `/admin` in this server only. */
	readonly adminGuildId: string | null;
	readonly logLevel: LogLevelName;
	readonly logFormat: 'pretty' | 'json';
	/** Connections in this process's PostgreSQL pool. */
	readonly databasePoolSize: number;
	/** Leave servers still pending after this many days; `null` keeps them. */
	readonly pendingAutoLeaveDays: number | null;
	/** The shards this process connects; see {@link ShardConfig}. */
	readonly sharding: ShardConfig;
	/** Port of the Prometheus `/metrics` and `/healthz` server; `null` runs none. */
	readonly metricsPort: number | null;
	/** Address that server binds: loopback unless an operator asks for more (`0.0.0.0` on Railway). */
	readonly metricsHost: string;
}

/**
 * - `auto`: one process on every shard, as many as `GET /gateway/bot` recommends (`SHARD_COUNT` and `SHARD_IDS` unset);
 * - `fixed`: the shards `SHARD_IDS` names (all of them when unset) out of `SHARD_COUNT`;
 * - `managed`: a child of `npm run start:cluster`, on the one shard its `ShardingManager` gave it (`SHARDS`).
 */
export type ShardConfig =
	{ readonly mode: 'auto' } | { readonly mode: 'fixed' | 'managed'; readonly shardIds: readonly number[]; readonly shardCount: number };

export const LogLevelNames = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'none'] as const;
export type LogLevelName = (typeof LogLevelNames)[number];

export class ConfigError extends Error {
	public override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the environment; throws a {@link ConfigError} on the first problem found. */
export function loadConfig(env: Env = process.env): Config {
	return {
		token: readToken(env),
		ownerIds: readOwnerIds(env),
		databaseUrl: readDatabaseUrl(env),
		discordApiUrl: readHttpUrl(env, 'DISCORD_API_URL'),
		devGuildId: readSnowflake(env, 'DEV_GUILD_ID'),
		adminGuildId: readSnowflake(env, 'ADMIN_GUILD_ID'),
		logLevel: readChoice(env, 'LOG_LEVEL', LogLevelNames, 'info'),
		logFormat: readChoice(env, 'LOG_FORMAT', ['pretty', 'json'] as const, 'pretty'),
		databasePoolSize: readInteger(env, 'DATABASE_POOL_SIZE', { min: 1, max: 100 }) ?? 10,
		pendingAutoLeaveDays: readInteger(env, 'PENDING_AUTO_LEAVE_DAYS', { min: 1, max: 365 }),
		sharding: readSharding(env),
		metricsPort: readInteger(env, 'METRICS_PORT', { min: 1, max: 65_535 }),
		metricsHost: readHost(env, 'METRICS_HOST') ?? '127.0.0.1'
	};
}

/** Discord's largest bots run a few thousand shards; this bound only catches typos. */
const maxShardCount = 100_000;

/**
 * `SHARD_COUNT` and `SHARD_IDS` alone, also for `npm run start:cluster`, which spawns the shards they name.
 *
 * discord.js's `ShardingManager` sets `SHARDING_MANAGER`, `SHARDS` (one id) and `SHARD_COUNT` in each child: there
 * they win over an inherited `SHARD_IDS`, which names every shard of the cluster, not this child's.
 */
export function readSharding(env: Env = process.env): ShardConfig {
	if (value(env, 'SHARDING_MANAGER') === 'true') {
		const shardCount = readInteger(env, 'SHARD_COUNT', { min: 1, max: maxShardCount });
		const shard = readInteger(env, 'SHARDS', { min: 0, max: maxShardCount - 1 });
		if (shardCount === null || shard === null || shard >= shardCount) {
			throw new ConfigError(
				'SHARDS and SHARD_COUNT, set by the sharding manager for its children, are missing or inconsistent: start the cluster with `npm run start:cluster`.'
			);
		}
		return { mode: 'managed', shardIds: [shard], shardCount };
	}
	const shardCount = readInteger(env, 'SHARD_COUNT', { min: 1, max: maxShardCount });
	const rawIds = value(env, 'SHARD_IDS');
	if (shardCount === null) {
		if (rawIds !== null)
			throw new ConfigError('SHARD_IDS is set but SHARD_COUNT is not: set SHARD_COUNT to the total number of shards across all processes.');
		return { mode: 'auto' };
	}
	return { mode: 'fixed', shardIds: rawIds === null ? range(0, shardCount - 1) : parseShardIds(rawIds, shardCount), shardCount };
}

/** `0,1`, `0-3` or a mix (`0-3,8`), each id below `shardCount`; sorted, each once. */
function parseShardIds(raw: string, shardCount: number): number[] {
	const ids = new Set<number>();
	for (const part of raw.split(',').map((item) => item.trim())) {
		const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
		if (match === null)
			throw new ConfigError(`SHARD_IDS is malformed: "${part}" is not a shard id or a range; expected a list such as 0,1 or 0-3.`);
		const low = Number(match[1]);
		const high = match[2] === undefined ? low : Number(match[2]);
		if (high < low) throw new ConfigError(`SHARD_IDS is malformed: "${part}" runs backwards; write the lower id first, as in 0-3.`);
		if (high >= shardCount) {
			throw new ConfigError(
				`SHARD_IDS is malformed: shard ${high} does not exist with SHARD_COUNT=${shardCount}; shard ids run from 0 to ${shardCount - 1}.`
			);
		}
		for (const id of range(low, high)) ids.add(id);
	}
	return [...ids].sort((a, b) => a - b);
}

function range(low: number, high: number): number[] {
	return Array.from({ length: high - low + 1 }, (_, index) => low + index);
}

function value(env: Env, name: string): string | null {
	const raw = env[name]?.trim();
	return raw ? raw : null;
}

function readToken(env: Env): string {
	const token = value(env, 'TOKEN')?.replace(/^Bot\s+/i, '') ?? null;
	if (token === null) {
		throw new ConfigError(
			'TOKEN is not set: set it to your bot token from the Discord Developer Portal, or run `npm run playground` to try the bot locally without one.'
		);
	}
	// Said without the value: even a malformed token is a secret.
	if (/\s/.test(token)) throw new ConfigError('TOKEN is malformed: a bot token contains no spaces or line breaks.');
	return token;
}

function readOwnerIds(env: Env): string[] {
	const raw = value(env, 'OWNER_ID');
	if (raw === null) throw new ConfigError('OWNER_ID is not set: set it to your Discord user id (several ids may be separated by commas).');
	const ids = raw.split(',').map((id) => id.trim());
	const bad = ids.find((id) => !snowflakePattern.test(id));
	if (bad !== undefined) {
		throw new ConfigError(`OWNER_ID is malformed: "${bad}" is not a Discord user id (17 to 20 digits); separate several ids with commas.`);
	}
	return [...new Set(ids)];
}

/** `DATABASE_URL` alone, for tools such as `npm run migrate` that need nothing else. */
export function readDatabaseUrl(env: Env = process.env): string | null {
	const raw = value(env, 'DATABASE_URL');
	if (raw === null) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		// The value may hold a password: do not repeat it.
		throw new ConfigError('DATABASE_URL is malformed: expected postgres://user:password@host:port/database.');
	}
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new ConfigError('DATABASE_URL is malformed: expected a URL starting with postgres:// or postgresql://.');
	}
	return raw;
}

function readHttpUrl(env: Env, name: string): string | null {
	const raw = value(env, name);
	if (raw === null) return null;
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new ConfigError(`${name} is malformed: expected an http(s) URL such as http://127.0.0.1:8080/api.`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new ConfigError(`${name} is malformed: expected an http(s) URL such as http://127.0.0.1:8080/api.`);
	}
	return raw.replace(/\/+$/, '');
}

/** An IP address or a host name, as `server.listen` takes it. */
function readHost(env: Env, name: string): string | null {
	const raw = value(env, name);
	if (raw === null) return null;
	if (isIP(raw) === 0 && !/^(?=.{1,253}$)[a-z\d]([a-z\d-]{0,61}[a-z\d])?(\.[a-z\d]([a-z\d-]{0,61}[a-z\d])?)*$/i.test(raw)) {
		throw new ConfigError(`${name} is malformed: "${raw}" is not an address to listen on, such as 127.0.0.1 or 0.0.0.0.`);
	}
	return raw;
}

function readSnowflake(env: Env, name: string): string | null {
	const raw = value(env, name);
	if (raw === null) return null;
	if (!snowflakePattern.test(raw)) throw new ConfigError(`${name} is malformed: "${raw}" is not a Discord server id (17 to 20 digits).`);
	return raw;
}

function readChoice<const T extends readonly string[]>(env: Env, name: string, choices: T, fallback: T[number]): T[number] {
	const raw = value(env, name)?.toLowerCase() ?? null;
	if (raw === null) return fallback;
	if (!choices.includes(raw)) throw new ConfigError(`${name} is malformed: "${raw}" is not one of ${choices.join(', ')}.`);
	return raw as T[number];
}

function readInteger(env: Env, name: string, range: { min: number; max: number }): number | null {
	const raw = value(env, name);
	if (raw === null) return null;
	const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
	if (!Number.isSafeInteger(parsed) || parsed < range.min || parsed > range.max) {
		throw new ConfigError(`${name} is malformed: "${raw}" is not a whole number from ${range.min} to ${range.max}.`);
	}
	return parsed;
}
