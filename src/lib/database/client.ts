import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { watchForSilentConnections } from './silent-connections.js';

export type Sql = postgres.Sql;
/** What repository functions take, so the same function runs on the pool and inside `sql.begin`. */
export type Executor = postgres.Sql | postgres.TransactionSql;

export interface SqlOptions {
	readonly poolSize: number;
	readonly applicationName?: string;
	/** Told when a connection that stopped answering is destroyed (see silent-connections.ts). */
	readonly onSilentConnection?: (waitedMs: number) => void;
}

/** Longest a statement of the bot's pool may run; migrations have their own connection and no limit. */
export const statementTimeoutMs = 2_300;
/** Past the statement timeout, how long a connection may stay without any answer before it counts as dead. */
const silenceMarginMs = 700;

/**
 * The bot's one pool. Snowflakes stay strings: postgres.js reads `bigint` columns as strings, and no global BigInt
 * parser is installed (it would turn `count(*)` into BigInt too); cast counts with `::int`.
 *
 * `connect_timeout` and `statement_timeout` are short so that, with the database gone or stuck, a command fails within
 * Discord's 3 s and can say so.
 */
export function createSql(url: string, options: SqlOptions): Sql {
	// A connection that a silent network left open is destroyed once it outlives any statement's answer.
	const { socket } = watchForSilentConnections({
		answerWithinMs: statementTimeoutMs + silenceMarginMs,
		onSilent: options.onSilentConnection
	});
	// `socket` is a documented postgres.js option (a function giving it a connected socket) missing from its types.
	const settings = {
		socket,
		max: options.poolSize,
		connect_timeout: 2,
		idle_timeout: 300,
		max_lifetime: 60 * 60,
		onnotice: () => {},
		connection: {
			application_name: options.applicationName ?? 'discord-test-bot',
			// A database that hangs (locks, overload) must not leave an interaction unanswered past Discord's 3 s: a
			// statement still running after this is cancelled, and the user is told to try again.
			statement_timeout: statementTimeoutMs
		}
	};
	return postgres(url, settings);
}

/** Error codes that mean "the database cannot be reached right now", as opposed to a bad query. */
const unavailableCodes = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENOTFOUND',
	'EPIPE',
	'CONNECT_TIMEOUT',
	'CONNECTION_CLOSED',
	'CONNECTION_ENDED',
	'CONNECTION_DESTROYED',
	'CLIENT_TIMEOUT', // withTimeout: no answer at all (a silent network, a pool with no free connection)
	'57014', // query_canceled: statement_timeout hit, the database is too slow to answer in time
	'57P01', // admin_shutdown
	'57P02', // crash_shutdown
	'57P03', // cannot_connect_now
	'53300' // too_many_connections
]);

export function isDatabaseUnavailable(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) return false;
	const { code } = error as { code?: unknown };
	if (typeof code === 'string' && unavailableCodes.has(code)) return true;
	const { errors } = error as { errors?: unknown };
	return Array.isArray(errors) && errors.some(isDatabaseUnavailable);
}

/**
 * Waits until the database answers, retrying with capped exponential backoff while it cannot be reached, so that a
 * bot started before its database (or during an outage) comes up by itself instead of crash-looping.
 */
export async function waitForDatabase(sql: Sql, onRetry: (error: unknown, delayMs: number) => void, signal?: AbortSignal) {
	for (let attempt = 0; ; attempt++) {
		try {
			await sql`select 1`;
			return;
		} catch (error) {
			if (!isDatabaseUnavailable(error)) throw error;
			const delayMs = Math.min(30_000, 500 * 2 ** attempt);
			onRetry(error, delayMs);
			await sleep(delayMs, undefined, { signal });
		}
	}
}

/** A short, secret-free description of a connection failure, for logs. */
export function describeDatabaseError(error: unknown): string {
	if (typeof error !== 'object' || error === null) return String(error);
	const { code, message } = error as { code?: unknown; message?: unknown };
	return [code, message].filter((part) => typeof part === 'string' && part.length > 0).join(': ') || 'unknown error';
}

/** A query that got no answer within its client-side budget (see {@link withTimeout}). */
export class ClientTimeout extends Error {
	public readonly code = 'CLIENT_TIMEOUT';
}

/**
 * `query`, or a {@link ClientTimeout} after `ms`. postgres.js has no per-query timeout, and the server's
 * statement_timeout cannot fire for a statement stuck in a silent network or waiting for a free connection: this
 * bounds what the caller waits, including the wait for a connection. The query itself is left to finish or fail.
 */
export async function withTimeout<T>(query: PromiseLike<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			query,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new ClientTimeout(`no answer from the database within ${ms} ms`)), ms);
			})
		]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * postgres.js 3.4.9 can throw from a `setImmediate` after a connection closed (`nextWrite` on a null socket:
 * porsager/postgres#1154, #1208, fixes not released yet). Thrown there, no caller can catch it and it ended the whole
 * bot when the database path was cut (the fault tests found it). The connection is already closed and its queries
 * rejected, so that one error is logged and survived; any other uncaught exception still ends the process.
 */
export function surviveClosedSocketWrites(logger: { warn(...values: unknown[]): void; fatal(...values: unknown[]): void }) {
	process.on('uncaughtException', (error) => {
		if (isClosedSocketWrite(error)) {
			logger.warn('postgres.js wrote to a connection that had just closed (a known driver bug); the connection is gone, the bot carries on.');
			return;
		}
		logger.fatal('Uncaught exception:', error);
		process.exit(1);
	});
}

function isClosedSocketWrite(error: unknown): boolean {
	return (
		error instanceof TypeError &&
		error.message.includes("reading 'write'") &&
		/at (?:Immediate\.)?nextWrite \(.*[\\/]postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
	);
}
