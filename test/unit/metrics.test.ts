import { EventEmitter } from 'node:events';
import { Client, GatewayIntentBits, InteractionType, Routes, type ShardingManager } from 'discord.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/lib/health.js';
import { ClusterMetrics } from '../../src/lib/metrics/cluster.js';
import { attachClientMetrics, InteractionTracker } from '../../src/lib/metrics/interactions.js';
import { BotMetrics, routeLabel } from '../../src/lib/metrics/metrics.js';
import { startMetricsServer } from '../../src/lib/metrics/server.js';
import { createMigratedDatabase } from '../support/database.js';

async function sample(metrics: BotMetrics, name: string) {
	const metric = await metrics.registry.getSingleMetric(name)!.get();
	return metric.values.map((value) => ({ labels: value.labels, value: value.value, metricName: (value as { metricName?: string }).metricName }));
}

describe('InteractionTracker', () => {
	function setup() {
		let now = 1_000_000;
		const metrics = new BotMetrics({ defaultMetrics: false });
		const tracker = new InteractionTracker(metrics, () => now);
		return { metrics, tracker, advance: (ms: number) => (now += ms), now: () => now };
	}
	const count = async (metrics: BotMetrics) =>
		(await sample(metrics, 'discord_bot_interactions_total')).map(({ labels, value }) => `${labels.kind}/${labels.outcome}=${value}`).sort();

	it('GIVEN a subcommand that errors WHEN its command then finishes THEN it is counted once, as an error', async () => {
		const { metrics, tracker } = setup();
		tracker.received('1', 'chat_input', 999_900);
		tracker.mark('1', 'error');
		tracker.finish('1');
		tracker.finish('1');
		expect(await count(metrics)).toEqual(['chat_input/error=1']);
	});

	it('GIVEN a denied command and a successful one THEN each has its outcome', async () => {
		const { metrics, tracker } = setup();
		tracker.received('1', 'chat_input', 0);
		tracker.finish('1', 'denied');
		tracker.received('2', 'chat_input', 0);
		tracker.finish('2');
		expect(await count(metrics)).toEqual(['chat_input/denied=1', 'chat_input/success=1']);
	});

	it('GIVEN buttons (no finishing event) WHEN they settle THEN answered ones count as success, others as unanswered', async () => {
		const { metrics, tracker, advance } = setup();
		tracker.received('1', 'button', 0);
		tracker.received('2', 'button', 0);
		tracker.received('3', 'button', 0);
		tracker.answered('1');
		tracker.answered('3');
		tracker.mark('3', 'error');
		tracker.settle();
		expect(await count(metrics)).toEqual([]);
		advance(InteractionTracker.settleMs);
		tracker.settle();
		expect(await count(metrics)).toEqual(['button/error=1', 'button/success=1', 'button/unanswered=1']);
		expect(tracker.size).toBe(0);
	});

	it('GIVEN an interaction created 120 ms before its first callback THEN the ack latency is 0.12 s, observed once', async () => {
		const { metrics, tracker, now } = setup();
		tracker.received('1', 'chat_input', now() - 120);
		tracker.answered('1');
		tracker.answered('1');
		const values = await sample(metrics, 'discord_bot_interaction_ack_seconds');
		expect(values.find((value) => value.metricName?.endsWith('_count'))?.value).toBe(1);
		expect(values.find((value) => value.metricName?.endsWith('_sum'))?.value).toBeCloseTo(0.12);
	});
});

describe('routeLabel', () => {
	it.each([
		['/interactions/:id/:token/callback', '/interactions/:id/:token/callback'],
		['/interactions/1234567890123456789/aW50ZXJhY3Rpb24.secret/callback', '/interactions/:id/:token/callback'],
		['/webhooks/1234567890123456789/tok.en/messages/@original', '/webhooks/:id/:token/messages/@original'],
		['/channels/1234567890123456789/messages/1234567890123456780', '/channels/:id/messages/:id'],
		['/channels/1234567890123456789/messages?limit=5', '/channels/:id/messages']
	])('GIVEN %s THEN labels it %s', (route, expected) => {
		expect(routeLabel(route)).toBe(expected);
	});
});

describe('the metrics server', () => {
	it('GIVEN an unhealthy process THEN /healthz answers 503 with the reasons, /metrics the registry, anything else 404', async () => {
		const metrics = new BotMetrics({ defaultMetrics: false });
		metrics.votesRecorded.inc(3);
		const server = await startMetricsServer('127.0.0.1', 0, {
			metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
			health: () => checkHealth({})
		});
		try {
			const base = `http://127.0.0.1:${server.port}`;
			const health = await fetch(`${base}/healthz`);
			expect(health.status).toBe(503);
			expect(await health.json()).toEqual({ ok: false, reasons: ['gateway: not connected yet', 'database: not connected yet'] });
			const scrape = await fetch(`${base}/metrics`);
			expect(scrape.headers.get('content-type')).toContain('text/plain');
			expect(await scrape.text()).toContain('discord_bot_poll_votes_recorded_total 3');
			expect((await fetch(`${base}/`)).status).toBe(404);
			expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
		} finally {
			await server.close();
		}
	});

	it('GIVEN a port already in use THEN start-up fails naming METRICS_PORT', async () => {
		const first = await startMetricsServer('127.0.0.1', 0, {
			metrics: async () => ({ contentType: 'text/plain', body: '' }),
			health: () => checkHealth({})
		});
		try {
			await expect(
				startMetricsServer('127.0.0.1', first.port, { metrics: async () => ({ contentType: '', body: '' }), health: () => checkHealth({}) })
			).rejects.toThrow(/^METRICS_PORT \d+ on 127.0.0.1 is already in use/);
		} finally {
			await first.close();
		}
	});
});

describe('GIVEN a real database', () => {
	let database: Awaited<ReturnType<typeof createMigratedDatabase>>;
	beforeAll(async () => {
		database = await createMigratedDatabase();
		await database.sql`insert into guilds (guild_id, name, member_count, status) values (100000000000000001, 'a', 1, 'approved'), (100000000000000002, 'b', 1, 'pending'), (100000000000000003, 'c', 1, 'pending')`;
	});
	afterAll(() => database.drop());

	it('WHEN scraped THEN servers are counted by approval state and the probe is timed', async () => {
		const metrics = new BotMetrics({ defaultMetrics: false });
		metrics.attach({ sql: database.sql, poolSize: 5 });
		expect(await checkHealth({ sql: database.sql, metrics })).toEqual({ ok: false, reasons: ['gateway: not connected yet'] });
		const guilds = await sample(metrics, 'discord_bot_guilds');
		expect(Object.fromEntries(guilds.map(({ labels, value }) => [labels.status, value]))).toEqual({ pending: 2, approved: 1, denied: 0 });
		const probes = await sample(metrics, 'discord_bot_database_query_seconds');
		expect(probes.find((value) => value.metricName?.endsWith('_count'))).toMatchObject({ labels: { query: 'health_probe' }, value: 1 });
	});

	it('WHEN the pool is named THEN its open and busy connections are read from pg_stat_activity', async () => {
		const postgres = (await import('postgres')).default;
		const sql = postgres(database.url, { max: 3, connection: { application_name: 'metrics-test-pool' }, onnotice: () => {} });
		try {
			const metrics = new BotMetrics({ defaultMetrics: false });
			metrics.attach({ sql, applicationName: 'metrics-test-pool', poolSize: 3 });
			// One connection held busy by a sleeping query, while the scrape uses another.
			const busy = sql`select pg_sleep(1.5)`.execute();
			// Scrape only once the sleeping query runs: opening its connection can take a while on a busy machine.
			for (let waited = 0; waited < 1_000; waited += 20) {
				const [running] = await database.sql<{ count: number }[]>`
					select count(*)::int as count from pg_stat_activity
					where application_name = 'metrics-test-pool' and state = 'active' and query like 'select pg_sleep%'`;
				if (running!.count === 1) break;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			const connections = Object.fromEntries(
				(await sample(metrics, 'discord_bot_database_pool_connections')).map(({ labels, value }) => [labels.state, value])
			);
			expect(connections).toEqual({ open: 2, in_use: 1 });
			await busy;
		} finally {
			await sql.end({ timeout: 1 });
		}
	});

	it('WHEN the database is gone THEN health names the database', async () => {
		const postgres = (await import('postgres')).default;
		const closed = postgres('postgres://nobody:secret@127.0.0.1:1/none', { connect_timeout: 1, max: 1 });
		const report = await checkHealth({ sql: closed });
		expect(report.ok).toBe(false);
		expect(report.reasons).toEqual(['gateway: not connected yet', expect.stringMatching(/^database: /)]);
		expect(report.reasons.join(' ')).not.toContain('secret');
		await closed.end({ timeout: 0 });
	});
});

describe('ClusterMetrics', () => {
	/** A shard whose "process" answers the manager's requests from its own BotMetrics, as a child of the cluster does. */
	function fakeShard(id: number, metrics: BotMetrics | null, healthy = true) {
		const shard = Object.assign(new EventEmitter(), {
			id,
			process: { exitCode: null, connected: true },
			async send(message: { botMetricsRequest: number; want: 'metrics' | 'health' }) {
				if (metrics === null) return;
				const response = {
					botMetricsResponse: message.botMetricsRequest,
					metrics: message.want === 'metrics' ? await metrics.registry.getMetricsAsJSON() : null,
					health:
						message.want === 'metrics'
							? null
							: healthy
								? { ok: true, reasons: [] }
								: { ok: false, reasons: [`gateway: shard ${id} is resuming`] }
				};
				setImmediate(() => shard.emit('message', response));
			}
		});
		return shard;
	}

	it('GIVEN two shard processes WHEN scraped THEN counters are summed, database-wide gauges counted once, and health names the sick shard', async () => {
		const [first, second] = [new BotMetrics({ defaultMetrics: false }), new BotMetrics({ defaultMetrics: false })];
		first.votesRecorded.inc(2);
		second.votesRecorded.inc(5);
		const shards = new Map([
			[0, fakeShard(0, first)],
			[1, fakeShard(1, second, false)]
		]);
		const manager = { shards } as unknown as ShardingManager;
		const cluster = new ClusterMetrics(manager, [0, 1, 2]);
		const { body } = await cluster.metrics();
		expect(body).toContain('discord_bot_poll_votes_recorded_total 7');
		expect(await cluster.health()).toEqual({
			ok: false,
			reasons: ['shard 1: gateway: shard 1 is resuming', 'shard 2: its process is not running (starting or restarting)']
		});
	});
});

describe('attachClientMetrics', () => {
	it('GIVEN a client WHEN Discord answers 429 once and an interaction is answered THEN the 429, the acknowledgement and the outcome are counted', async () => {
		let calls = 0;
		const upstream = createServer((request, response) => {
			request.resume();
			request.on('end', () => {
				calls++;
				if (calls === 1) {
					response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.1', 'x-ratelimit-scope': 'shared' });
					response.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.1, global: false }));
					return;
				}
				response.writeHead(204).end();
			});
		});
		await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
		const { port } = upstream.address() as AddressInfo;
		const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: `http://127.0.0.1:${port}/api` } });
		const metrics = new BotMetrics({ defaultMetrics: false });
		const stop = attachClientMetrics(client, metrics);
		try {
			const interaction = {
				id: '1234567890123456789',
				type: InteractionType.ApplicationCommand,
				isChatInputCommand: () => true,
				createdTimestamp: Date.now() - 50
			};
			client.emit('interactionCreate', interaction as never);
			await client.rest.post(Routes.interactionCallback(interaction.id, 'secret-token'), {
				body: { type: 4, data: { content: 'hi' } },
				auth: false
			});
			client.emit('chatInputCommandFinish', interaction as never, {} as never, {} as never);

			expect(await sample(metrics, 'discord_bot_rest_429_total')).toMatchObject([
				{ labels: { route: '/interactions/:id/:token/callback', scope: 'shared' }, value: 1 }
			]);
			const acks = await sample(metrics, 'discord_bot_interaction_ack_seconds');
			expect(acks.find((value) => value.metricName?.endsWith('_count'))).toMatchObject({ labels: { kind: 'chat_input' }, value: 1 });
			expect(await sample(metrics, 'discord_bot_interactions_total')).toMatchObject([
				{ labels: { kind: 'chat_input', outcome: 'success' }, value: 1 }
			]);
			expect(JSON.stringify(await metrics.registry.getMetricsAsJSON())).not.toContain('secret-token');
		} finally {
			stop();
			await client.destroy();
			await new Promise((resolve) => upstream.close(resolve));
		}
	});
});
