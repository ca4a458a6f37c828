import { z } from 'zod';
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
	/** Poll-message edits per second for the whole bot, all processes together (Discord's global limit is ~50/s). */
	readonly pollEditRate: number;
	/** How long a vote may stay unshown, with no edit of its poll pending, before the edit counts as lost (s). */
	readonly pollEditHealSeconds: number;
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

// Every message below is the whole line a ConfigError prints, because zod's own messages never name the variable.
// None repeats a secret's value; zod itself keeps inputs out of its issues.

/** A variable that is unset or blank counts as absent: `.env` templates leave `NAME=` lines. */
function blankToUndefined(raw: unknown) {
	return typeof raw === 'string' && raw.trim().length > 0 ? raw.trim() : undefined;
}

function optional<Output, const Fallback>(schema: z.ZodType<Output, string>, fallback: Fallback) {
	return z.preprocess(blankToUndefined, schema.optional()).transform((parsed): Output | Fallback => parsed ?? fallback);
}

function required<Output>(schema: z.ZodType<Output, string>, notSet: string) {
	return z.preprocess(blankToUndefined, z.string({ error: notSet }).pipe(schema));
}

function wholeNumber(name: string, min: number, max: number) {
	const refusal = (issue: { readonly input?: unknown }) =>
		`${name} is malformed: "${String(issue.input)}" is not a whole number from ${min} to ${max}.`;
	return z
		.string()
		.regex(/^\d+$/, { error: refusal })
		.refine((raw) => Number(raw) >= min && Number(raw) <= max, { error: refusal })
		.transform(Number);
}

function choice<const Choices extends readonly [string, ...string[]]>(name: string, choices: Choices) {
	return z
		.string()
		.toLowerCase()
		.pipe(z.enum(choices, { error: (issue) => `${name} is malformed: "${String(issue.input)}" is not one of ${choices.join(', ')}.` }));
}

function snowflake(name: string, what: string) {
	return z.string().regex(snowflakePattern, {
		error: (issue) => `${name} is malformed: "${String(issue.input)}" is not a Discord ${what} id (17 to 20 digits).`
	});
}

function httpUrl(name: string) {
	return z
		.url({ protocol: /^https?$/, error: `${name} is malformed: expected an http(s) URL such as http://127.0.0.1:8080/api.` })
		.transform((url) => url.replace(/\/+$/, ''));
}

/** An IP address or a host name, as `server.listen` takes it. */
function listenHost(name: string) {
	return z.union([z.ipv4(), z.ipv6(), z.hostname()], {
		error: (issue) => `${name} is malformed: "${String(issue.input)}" is not an address to listen on, such as 127.0.0.1 or 0.0.0.0.`
	});
}

const token = required(
	z
		.string()
		.transform((raw) => raw.replace(/^Bot\s+/i, ''))
		// Said without the value: even a malformed token is a secret.
		.pipe(z.string().regex(/^\S+$/, { error: 'TOKEN is malformed: a bot token contains no spaces or line breaks.' })),
	'TOKEN is not set: set it to your bot token from the Discord Developer Portal, or run `npm run playground` to try the bot locally without one.'
);

const ownerIds = required(
	z
		.string()
		.transform((raw) => raw.split(',').map((id) => id.trim()))
		.pipe(
			z.array(
				z.string().regex(snowflakePattern, {
					error: (issue) =>
						`OWNER_ID is malformed: "${String(issue.input)}" is not a Discord user id (17 to 20 digits); separate several ids with commas.`
				})
			)
		)
		.transform((ids) => [...new Set(ids)]),
	'OWNER_ID is not set: set it to your Discord user id (several ids may be separated by commas).'
);

// The value may hold a password: neither message repeats it.
const databaseUrl = z
	.url({ error: 'DATABASE_URL is malformed: expected postgres://user:password@host:port/database.' })
	// A pipe, not a refine: zod runs a refine even after the URL failed to parse.
	.pipe(z.url({ protocol: /^postgres(?:ql)?$/, error: 'DATABASE_URL is malformed: expected a URL starting with postgres:// or postgresql://.' }));

const variables = z.object({
	TOKEN: token,
	OWNER_ID: ownerIds,
	DATABASE_URL: optional(databaseUrl, null),
	DISCORD_API_URL: optional(httpUrl('DISCORD_API_URL'), null),
	DEV_GUILD_ID: optional(snowflake('DEV_GUILD_ID', 'server'), null),
	ADMIN_GUILD_ID: optional(snowflake('ADMIN_GUILD_ID', 'server'), null),
	LOG_LEVEL: optional(choice('LOG_LEVEL', LogLevelNames), 'info'),
	LOG_FORMAT: optional(choice('LOG_FORMAT', ['pretty', 'json']), 'pretty'),
	DATABASE_POOL_SIZE: optional(wholeNumber('DATABASE_POOL_SIZE', 1, 100), 10),
	PENDING_AUTO_LEAVE_DAYS: optional(wholeNumber('PENDING_AUTO_LEAVE_DAYS', 1, 365), null),
	METRICS_PORT: optional(wholeNumber('METRICS_PORT', 1, 65_535), null),
	METRICS_HOST: optional(listenHost('METRICS_HOST'), '127.0.0.1'),
	POLL_EDIT_RATE: optional(wholeNumber('POLL_EDIT_RATE', 1, 1_000), 40),
	POLL_EDIT_HEAL_SECONDS: optional(wholeNumber('POLL_EDIT_HEAL_SECONDS', 1, 3_600), 15)
});

/** Discord's largest bots run a few thousand shards; this bound only catches typos. */
const maxShardCount = 100_000;

const shardVariables = z
	.object({
		SHARDING_MANAGER: optional(z.string(), null),
		SHARD_COUNT: optional(wholeNumber('SHARD_COUNT', 1, maxShardCount), null),
		// Read only under the manager: outside it, SHARDS may be left over from anything and is not ours to refuse.
		SHARDS: optional(z.string(), null),
		SHARD_IDS: optional(z.string(), null)
	})
	.transform((vars, context): ShardConfig => {
		const refuse = (message: string) => {
			context.addIssue({ code: 'custom', message });
			return z.NEVER;
		};
		if (vars.SHARDING_MANAGER === 'true') {
			const shard = vars.SHARDS === null ? null : wholeNumber('SHARDS', 0, maxShardCount - 1).safeParse(vars.SHARDS);
			if (shard?.success === false) return refuse(shard.error.issues[0]!.message);
			if (vars.SHARD_COUNT === null || !shard || shard.data >= vars.SHARD_COUNT) {
				return refuse(
					'SHARDS and SHARD_COUNT, set by the sharding manager for its children, are missing or inconsistent: start the cluster with `npm run start:cluster`.'
				);
			}
			return { mode: 'managed', shardIds: [shard.data], shardCount: vars.SHARD_COUNT };
		}
		if (vars.SHARD_COUNT === null) {
			if (vars.SHARD_IDS !== null)
				return refuse('SHARD_IDS is set but SHARD_COUNT is not: set SHARD_COUNT to the total number of shards across all processes.');
			return { mode: 'auto' };
		}
		const shardIds = vars.SHARD_IDS === null ? range(0, vars.SHARD_COUNT - 1) : parseShardIds(vars.SHARD_IDS, vars.SHARD_COUNT);
		return typeof shardIds === 'string' ? refuse(shardIds) : { mode: 'fixed', shardIds, shardCount: vars.SHARD_COUNT };
	});

/** Parses `env` with `schema`; the first problem becomes the {@link ConfigError}. */
function parse<Output>(schema: z.ZodType<Output>, env: Env): Output {
	const result = schema.safeParse(env);
	if (!result.success) throw new ConfigError(result.error.issues[0]?.message ?? 'The configuration is malformed.');
	return result.data;
}

/** Reads the environment; throws a {@link ConfigError} on the first problem found. */
export function loadConfig(env: Env = process.env): Config {
	const vars = parse(variables, env);
	return {
		token: vars.TOKEN,
		ownerIds: vars.OWNER_ID,
		databaseUrl: vars.DATABASE_URL,
		discordApiUrl: vars.DISCORD_API_URL,
		devGuildId: vars.DEV_GUILD_ID,
		adminGuildId: vars.ADMIN_GUILD_ID,
		logLevel: vars.LOG_LEVEL,
		logFormat: vars.LOG_FORMAT,
		databasePoolSize: vars.DATABASE_POOL_SIZE,
		pendingAutoLeaveDays: vars.PENDING_AUTO_LEAVE_DAYS,
		sharding: readSharding(env),
		metricsPort: vars.METRICS_PORT,
		metricsHost: vars.METRICS_HOST,
		pollEditRate: vars.POLL_EDIT_RATE,
		pollEditHealSeconds: vars.POLL_EDIT_HEAL_SECONDS
	};
}

/**
 * `SHARD_COUNT` and `SHARD_IDS` alone, also for `npm run start:cluster`, which spawns the shards they name.
 *
 * discord.js's `ShardingManager` sets `SHARDING_MANAGER`, `SHARDS` (one id) and `SHARD_COUNT` in each child: there
 * they win over an inherited `SHARD_IDS`, which names every shard of the cluster, not this child's.
 */
export function readSharding(env: Env = process.env): ShardConfig {
	return parse(shardVariables, env);
}

/** `DATABASE_URL` alone, for tools such as `npm run migrate` that need nothing else. */
export function readDatabaseUrl(env: Env = process.env): string | null {
	return parse(z.object({ DATABASE_URL: optional(databaseUrl, null) }), env).DATABASE_URL;
}

/** `0,1`, `0-3` or a mix (`0-3,8`), each id below `shardCount`; sorted, each once. Or what is wrong with it. */
function parseShardIds(raw: string, shardCount: number): number[] | string {
	const ids = new Set<number>();
	for (const part of raw.split(',').map((item) => item.trim())) {
		const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
		if (match === null) return `SHARD_IDS is malformed: "${part}" is not a shard id or a range; expected a list such as 0,1 or 0-3.`;
		const low = Number(match[1]);
		const high = match[2] === undefined ? low : Number(match[2]);
		if (high < low) return `SHARD_IDS is malformed: "${part}" runs backwards; write the lower id first, as in 0-3.`;
		if (high >= shardCount) {
			return `SHARD_IDS is malformed: shard ${high} does not exist with SHARD_COUNT=${shardCount}; shard ids run from 0 to ${shardCount - 1}.`;
		}
		for (const id of range(low, high)) ids.add(id);
	}
	return [...ids].sort((a, b) => a - b);
}

function range(low: number, high: number): number[] {
	return Array.from({ length: high - low + 1 }, (_, index) => low + index);
}

/**
 * For entry points: `load()`'s configuration, or the process exits with its one-line {@link ConfigError} (which
 * names the variable and never a secret). Any other error is a bug and is thrown.
 */
export function loadOrExit<T>(load: () => T): T {
	try {
		return load();
	} catch (error) {
		if (!(error instanceof ConfigError)) throw error;
		console.error(error.message);
		process.exit(1);
	}
}
