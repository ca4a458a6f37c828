import { Status, type Client } from 'discord.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { countGuildsByStatus } from '../approval/repository.js';
import type { Sql } from '../database/client.js';
import { voteBatchTotals } from '../polls/vote-batches.js';

/** What the collected-on-scrape gauges read; attached once the client and the database exist. */
export interface MetricSources {
	readonly client?: Client;
	readonly sql?: Sql;
	/** `application_name` of this process's pool, to find its connections in `pg_stat_activity`. */
	readonly applicationName?: string;
	readonly poolSize?: number;
}

/** Servers by approval state come from one `count(*) ... group by`: at most one per this interval, whatever the scrape rate. */
const guildCountMaxAgeMs = 30_000;
/** A scrape must not hang on a saturated pool or a lost database. */
const scrapeQueryTimeoutMs = 1_000;

/**
 * The bot's Prometheus metrics, in a registry of their own. Counters are plain in-memory numbers, so code anywhere
 * may count (`metrics.votesRecorded.inc()`) whether or not `METRICS_PORT` serves them; gauges that need the client or
 * the database read them when scraped.
 */
export class BotMetrics {
	public readonly registry = new Registry();
	private sources: MetricSources = {};
	private guildCounts: { at: number; counts: Record<string, number> } | null = null;

	public readonly interactions = new Counter({
		name: 'discord_bot_interactions_total',
		help: 'Interactions handled, by kind (chat_input, button, ...) and outcome (success, denied, error, unanswered).',
		labelNames: ['kind', 'outcome'] as const,
		registers: [this.registry]
	});

	public readonly ackLatency = new Histogram({
		name: 'discord_bot_interaction_ack_seconds',
		help: "Time from an interaction's creation to the bot's first response to it (Discord gives up after 3 s).",
		labelNames: ['kind'] as const,
		buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
		registers: [this.registry]
	});

	public readonly votesRecorded = new Counter({
		name: 'discord_bot_poll_votes_recorded_total',
		help: 'Poll votes written to the database (a changed vote counts once more).',
		registers: [this.registry]
	});

	public readonly voteBatches = new Counter({
		name: 'discord_bot_vote_batches_total',
		help: 'Statements that cast votes (each carries the votes in flight at the time; see discord_bot_vote_batch_votes_total).',
		registers: [this.registry],
		collect() {
			this.reset();
			this.inc(voteBatchTotals.batches);
		}
	});

	public readonly voteBatchVotes = new Counter({
		name: 'discord_bot_vote_batch_votes_total',
		help: 'Votes sent in those statements: divided by discord_bot_vote_batches_total, the votes per statement.',
		registers: [this.registry],
		collect() {
			this.reset();
			this.inc(voteBatchTotals.votes);
		}
	});

	public readonly pollEditsSent = new Counter({
		name: 'discord_bot_poll_edits_sent_total',
		help: 'Edits of poll messages sent to Discord.',
		registers: [this.registry]
	});

	public readonly pollEditsCoalesced = new Counter({
		name: 'discord_bot_poll_edits_coalesced_total',
		help: 'Poll message edits saved by folding several changes into one edit.',
		registers: [this.registry]
	});

	public readonly pollEditsHealed = new Counter({
		name: 'discord_bot_poll_edits_healed_total',
		help: 'Poll message edits asked for again because the one asked for was lost (its process or database went away).',
		registers: [this.registry]
	});

	public readonly restRateLimited = new Counter({
		name: 'discord_bot_rest_429_total',
		help: 'HTTP 429 answers seen from Discord (or the REST proxy), by route and scope (user, global, shared).',
		labelNames: ['route', 'scope'] as const,
		registers: [this.registry]
	});

	public readonly restRateLimitWaits = new Counter({
		name: 'discord_bot_rest_rate_limit_waits_total',
		help: 'Requests discord.js held back to respect a rate limit it knew of, by route and whether the limit was global.',
		labelNames: ['route', 'global'] as const,
		registers: [this.registry]
	});

	public readonly databaseQuerySeconds = new Histogram({
		name: 'discord_bot_database_query_seconds',
		help: 'Duration of timed database queries, by query name (health_probe is a select 1 on every scrape).',
		labelNames: ['query'] as const,
		buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
		registers: [this.registry]
	});

	public constructor(options: { defaultMetrics?: boolean } = {}) {
		if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
		// Gauges call `collect` with themselves as `this`: these reach the sources through arrows instead.
		const sources = () => this.sources;
		const poolConnections = () => this.poolConnections();
		const guildsByStatus = () => this.guildsByStatus();

		new Gauge({
			name: 'discord_bot_gateway_ping_seconds',
			help: 'Gateway heartbeat round trip per shard of this process.',
			labelNames: ['shard'] as const,
			registers: [this.registry],
			collect() {
				this.reset();
				for (const shard of sources().client?.ws.shards.values() ?? []) {
					if (shard.ping >= 0) this.set({ shard: String(shard.id) }, shard.ping / 1000);
				}
			}
		});

		new Gauge({
			name: 'discord_bot_gateway_shard_up',
			help: '1 when the shard is connected and ready, 0 otherwise.',
			labelNames: ['shard'] as const,
			registers: [this.registry],
			collect() {
				this.reset();
				for (const shard of sources().client?.ws.shards.values() ?? []) {
					this.set({ shard: String(shard.id) }, shard.status === Status.Ready ? 1 : 0);
				}
			}
		});

		new Gauge({
			name: 'discord_bot_guilds_served',
			help: 'Servers on the shards of this process.',
			registers: [this.registry],
			collect() {
				this.set(sources().client?.guilds.cache.size ?? 0);
			}
		});

		new Gauge({
			name: 'discord_bot_database_pool_size',
			help: 'Largest number of connections this process opens (DATABASE_POOL_SIZE).',
			registers: [this.registry],
			collect() {
				this.set(sources().poolSize ?? 0);
			}
		});

		new Gauge({
			name: 'discord_bot_database_pool_connections',
			help: "This process's open connections (state=open) and those running a query or a transaction (state=in_use).",
			labelNames: ['state'] as const,
			registers: [this.registry],
			async collect() {
				const counts = await poolConnections();
				if (counts === null) return;
				this.set({ state: 'open' }, counts.open);
				this.set({ state: 'in_use' }, counts.inUse);
			}
		});

		new Gauge({
			name: 'discord_bot_guilds',
			help: 'Servers known to the bot, by approval state (the same in every process: one shared database).',
			labelNames: ['status'] as const,
			// Every process reports the whole table: the cluster's sum would count each server once per shard.
			aggregator: 'first',
			registers: [this.registry],
			async collect() {
				const counts = await guildsByStatus();
				if (counts === null) return;
				for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
			}
		});
	}

	public attach(sources: MetricSources) {
		this.sources = { ...this.sources, ...sources };
	}

	/** Runs `query`, recording its duration under `name`; a failed query counts too. */
	public async timeQuery<T>(name: string, query: () => Promise<T>): Promise<T> {
		const end = this.databaseQuerySeconds.startTimer({ query: name });
		try {
			return await query();
		} finally {
			end();
		}
	}

	private async poolConnections(): Promise<{ open: number; inUse: number } | null> {
		const { sql, applicationName } = this.sources;
		if (!sql || !applicationName) return null;
		const rows = await withTimeout(
			sql<{ open: number; inUse: number }[]>`
				select count(*)::int as open, count(*) filter (where state <> 'idle')::int as "inUse"
				from pg_stat_activity where application_name = ${applicationName}
			`
		);
		const row = rows?.[0];
		// The connection running this query is one of them, and is not otherwise in use.
		return row ? { open: row.open, inUse: Math.max(0, row.inUse - 1) } : null;
	}

	private async guildsByStatus(): Promise<Record<string, number> | null> {
		const { sql } = this.sources;
		if (!sql) return null;
		const now = performance.now();
		if (this.guildCounts && now - this.guildCounts.at < guildCountMaxAgeMs) return this.guildCounts.counts;
		const counts = await withTimeout(countGuildsByStatus(sql));
		if (counts !== null) this.guildCounts = { at: now, counts };
		return counts;
	}
}

async function withTimeout<T>(promise: Promise<T>): Promise<T | null> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise.catch(() => null),
			new Promise<null>((resolve) => {
				timer = setTimeout(() => resolve(null), scrapeQueryTimeoutMs);
			})
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** Route templates for labels: ids become `:id`, so a label never holds a snowflake, a token or user text. */
export function routeLabel(route: string): string {
	return route
		.split('?')[0]!
		.replace(/\/interactions\/[^/]+\/[^/]+/, '/interactions/:id/:token')
		.replace(/\/webhooks\/([^/]+)\/[^/]+/, '/webhooks/:id/:token')
		.replace(/\/\d{15,21}(?=\/|$)/g, '/:id')
		.replace(/\/reactions\/[^/]+/, '/reactions/:emoji');
}
