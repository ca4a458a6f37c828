import type { Shard, ShardingManager } from 'discord.js';
import { AggregatorRegistry, Counter, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { HealthReport } from '../health.js';

/**
 * Metrics and health across the processes of `npm run start:cluster`. Only the manager listens on `METRICS_PORT`;
 * it asks each shard's process over the `ShardingManager`'s IPC channel, and sums what they answer (prom-client's
 * `AggregatorRegistry`, which also honours each metric's `aggregator`, such as `first` for database-wide gauges).
 */

type Wanted = 'metrics' | 'health';

interface MetricsRequest {
	readonly botMetricsRequest: number;
	/** Health checks come often (a platform polls them) and must not trigger the metrics' database queries. */
	readonly want: Wanted;
}

interface MetricsResponse {
	readonly botMetricsResponse: number;
	readonly metrics: MetricObjectWithValues<MetricValue<string>>[] | null;
	readonly health: HealthReport | null;
}

/** A shard that has not answered in this long counts as unhealthy; a scrape never waits longer. */
const answerTimeoutMs = 2_000;

/** In a shard's process: answers the manager's requests for this process's metrics and health. */
export function answerClusterRequests(registry: Registry, health: () => Promise<HealthReport>) {
	process.on('message', (message: unknown) => {
		if (!isRequest(message)) return;
		const metrics = message.want === 'metrics' ? registry.getMetricsAsJSON() : null;
		const report = message.want === 'health' ? health() : null;
		void Promise.all([metrics, report]).then(([metricsJson, healthReport]) => {
			const response: MetricsResponse = { botMetricsResponse: message.botMetricsRequest, metrics: metricsJson, health: healthReport };
			process.send?.(response);
		});
	});
}

export class ClusterMetrics {
	/** The manager's own series; its shards' are summed in at each scrape. */
	public readonly registry = new Registry();
	public readonly restarts = new Counter({
		name: 'discord_bot_cluster_shard_restarts_total',
		help: 'Shard processes the cluster started again after they died.',
		labelNames: ['shard'] as const,
		registers: [this.registry]
	});

	private nextRequest = 1;

	public constructor(
		private readonly manager: ShardingManager,
		private readonly shardIds: readonly number[]
	) {}

	public async metrics(): Promise<{ contentType: string; body: string }> {
		const answers = await this.askAll('metrics');
		const shards = AggregatorRegistry.aggregate(answers.flatMap((answer) => (answer.response?.metrics ? [answer.response.metrics] : [])));
		const merged = Registry.merge([shards as Registry, this.registry]);
		return { contentType: merged.contentType, body: await merged.metrics() };
	}

	/** Healthy when every shard's process runs and reports itself healthy. */
	public async health(): Promise<HealthReport> {
		const reasons: string[] = [];
		for (const { shardId, response, problem } of await this.askAll('health')) {
			const report = response?.health;
			if (problem !== null || !report) reasons.push(`shard ${shardId}: ${problem ?? 'no health report'}`);
			else if (!report.ok) reasons.push(...report.reasons.map((reason) => `shard ${shardId}: ${reason}`));
		}
		return { ok: reasons.length === 0, reasons };
	}

	private askAll(want: Wanted) {
		return Promise.all(this.shardIds.map((shardId) => this.ask(shardId, want)));
	}

	private async ask(shardId: number, want: Wanted): Promise<{ shardId: number; response: MetricsResponse | null; problem: string | null }> {
		const shard = this.manager.shards.get(shardId);
		if (!shard?.process || shard.process.exitCode !== null || !shard.process.connected) {
			return { shardId, response: null, problem: 'its process is not running (starting or restarting)' };
		}
		const id = this.nextRequest++;
		const response = await request(shard, { botMetricsRequest: id, want });
		return { shardId, response, problem: response === null ? `its process did not answer within ${answerTimeoutMs} ms` : null };
	}
}

function request(shard: Shard, ask: MetricsRequest): Promise<MetricsResponse | null> {
	return new Promise((resolve) => {
		const onMessage = (message: unknown) => {
			if (!isResponse(message) || message.botMetricsResponse !== ask.botMetricsRequest) return;
			done(message);
		};
		const timer = setTimeout(() => done(null), answerTimeoutMs);
		const done = (response: MetricsResponse | null) => {
			clearTimeout(timer);
			shard.off('message', onMessage);
			resolve(response);
		};
		shard.on('message', onMessage);
		shard.send(ask).catch(() => done(null));
	});
}

function isRequest(message: unknown): message is MetricsRequest {
	return typeof message === 'object' && message !== null && typeof (message as MetricsRequest).botMetricsRequest === 'number';
}

function isResponse(message: unknown): message is MetricsResponse {
	return typeof message === 'object' && message !== null && typeof (message as MetricsResponse).botMetricsResponse === 'number';
}
