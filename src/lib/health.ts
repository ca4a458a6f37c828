import { Status, type Client } from 'discord.js';
import { describeDatabaseError, type Sql } from './database/client.js';
import type { BotMetrics } from './metrics/metrics.js';

export interface HealthReport {
	readonly ok: boolean;
	/** Why the process is unhealthy, one short sentence per problem; empty when healthy. */
	readonly reasons: readonly string[];
}

export interface HealthSources {
	readonly client?: Client;
	readonly sql?: Sql;
	readonly metrics?: BotMetrics;
}

/** The database must answer a `select 1` this fast for the process to count as healthy. */
const databaseTimeoutMs = 1_000;

/**
 * Healthy means: every shard of this process is connected to the gateway and ready, and the database answers.
 * Each problem is named, so a failed health check says what to look at.
 */
export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
	const [gateway, database] = await Promise.all([gatewayProblems(sources.client), databaseProblem(sources)]);
	const reasons = database === null ? gateway : [...gateway, database];
	return { ok: reasons.length === 0, reasons };
}

function gatewayProblems(client: Client | undefined): string[] {
	if (!client || client.ws.shards.size === 0) return ['gateway: not connected yet'];
	const problems: string[] = [];
	for (const shard of client.ws.shards.values()) {
		if (shard.status !== Status.Ready) problems.push(`gateway: shard ${shard.id} is ${statusName(shard.status)}`);
	}
	return problems;
}

async function databaseProblem({ sql, metrics }: HealthSources): Promise<string | null> {
	if (!sql) return 'database: not connected yet';
	const probe = async () => {
		await sql`select 1`;
	};
	let timer: NodeJS.Timeout | undefined;
	const timedOut = new Promise<string>((resolve) => {
		timer = setTimeout(() => resolve(`database: no answer within ${databaseTimeoutMs} ms`), databaseTimeoutMs);
	});
	const answered = (metrics ? metrics.timeQuery('health_probe', probe) : probe()).then(
		() => null,
		(error: unknown) => `database: ${describeDatabaseError(error)}`
	);
	try {
		return await Promise.race([answered, timedOut]);
	} finally {
		clearTimeout(timer);
	}
}

function statusName(status: Status): string {
	return (Status[status] ?? `in state ${status}`).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
