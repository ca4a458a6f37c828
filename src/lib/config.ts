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
}

export const LogLevelNames = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'none'] as const;
export type LogLevelName = (typeof LogLevelNames)[number];

export class ConfigError extends Error {
	public override readonly name = 'ConfigError';
}

const snowflakePattern = /^\d{17,20}$/;

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
		pendingAutoLeaveDays: readInteger(env, 'PENDING_AUTO_LEAVE_DAYS', { min: 1, max: 365 })
	};
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
