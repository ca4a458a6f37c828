/**
 * Measures the fake's own throughput: a minimal raw client (ws + fetch, no discord.js) answers every
 * INTERACTION_CREATE with an ephemeral reply while the driver keeps `inFlight` slash commands outstanding.
 * Client, fake and driver share one process, so the number is a floor for what the fake can serve a real bot.
 *
 *   npx tsx test/fake-discord/throughput.ts [durationMs] [inFlight]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FakeDiscord } from './fake-discord.js';
import { RawGatewayClient, rawRequest } from './raw-client.js';

export interface ThroughputResult {
	answered: number;
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	violations: number;
}

export async function measureThroughput(options: { durationMs?: number; inFlight?: number } = {}): Promise<ThroughputResult> {
	const durationMs = options.durationMs ?? 3_000;
	const inFlight = options.inFlight ?? 50;
	const fake = await FakeDiscord.start();
	const client = await RawGatewayClient.connect(fake.gatewayUrl);
	try {
		const guild = fake.createGuild({ name: 'Throughput' });
		const voter = fake.createUser({ username: 'voter' });
		await rawRequest(fake.restBase, 'POST', `/applications/${fake.applicationId}/commands`, { body: { name: 'vote', description: 'Vote' } });
		await client.identify();
		client.onPayload((payload) => {
			if (payload.t !== 'INTERACTION_CREATE') return;
			void rawRequest(fake.restBase, 'POST', `/interactions/${payload.d.id}/${payload.d.token}/callback?with_response=false`, {
				auth: false,
				body: { type: 4, data: { content: 'Counted', flags: 64 } }
			});
		});

		const latencies: number[] = [];
		const deadline = performance.now() + durationMs;
		const worker = async () => {
			while (performance.now() < deadline) {
				const handle = fake.slash({ user: voter, guildId: guild.id, command: 'vote' });
				await handle.response;
				latencies.push(handle.callbackMs!);
			}
		};
		const started = performance.now();
		await Promise.all(Array.from({ length: inFlight }, worker));
		const elapsed = performance.now() - started;
		latencies.sort((a, b) => a - b);
		const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
		return {
			answered: latencies.length,
			perSecond: Math.round((latencies.length / elapsed) * 1000),
			p50Ms: percentile(0.5),
			p99Ms: percentile(0.99),
			violations: fake.violations.length
		};
	} finally {
		client.close();
		await fake.close();
	}
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const [durationMs, inFlight] = process.argv.slice(2).map(Number);
	const result = await measureThroughput({ ...(durationMs ? { durationMs } : {}), ...(inFlight ? { inFlight } : {}) });
	console.log(
		`fake-discord throughput: ${result.perSecond} interactions/s answered (${result.answered} total, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.violations} violations)`
	);
}
