import { Client, GatewayIntentBits } from 'discord.js';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShardConfig } from '../../src/lib/config.js';
import { clientShardOptions, describeShards, fetchGatewayBot, spawnDelayMs } from '../../src/lib/sharding.js';

const fixed = (shardIds: number[], shardCount: number): ShardConfig => ({ mode: 'fixed', shardIds, shardCount });

describe('clientShardOptions', () => {
	const saved = { SHARDS: process.env.SHARDS, SHARD_COUNT: process.env.SHARD_COUNT };
	afterEach(() => {
		for (const [name, value] of Object.entries(saved)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
	});

	it('GIVEN no sharding variables THEN asks discord.js for the recommended count', () => {
		expect(clientShardOptions({ mode: 'auto' })).toEqual({ shards: 'auto' });
	});

	it('GIVEN SHARDS and SHARD_COUNT left in the environment by someone else WHEN the client is built THEN it keeps the configured shards', () => {
		process.env.SHARDS = '[0,1,2,3]';
		process.env.SHARD_COUNT = '8';
		const client = new Client({ intents: [GatewayIntentBits.Guilds], ...clientShardOptions(fixed([2, 3], 4)) });
		expect(client.options.shards).toEqual([2, 3]);
		expect(client.options.shardCount).toBe(4);
		void client.destroy();
	});

	it('GIVEN auto WHEN the environment names shards THEN the client still waits for /gateway/bot', () => {
		process.env.SHARDS = '[0]';
		const client = new Client({ intents: [GatewayIntentBits.Guilds], ...clientShardOptions({ mode: 'auto' }) });
		expect(client.options.shards).toBe('auto');
		void client.destroy();
	});
});

describe('describeShards', () => {
	it.each([
		[fixed([0], 1), 'shard 0 of 1'],
		[fixed([0, 1], 4), 'shards 0-1 of 4'],
		[fixed([0, 1, 2, 5, 7, 8], 9), 'shards 0-2,5,7-8 of 9'],
		[{ mode: 'managed', shardIds: [3], shardCount: 4 } as const, 'shard 3 of 4'],
		[{ mode: 'auto' } as const, 'the shard count Discord recommends']
	])('GIVEN %o THEN says %s', (sharding, expected) => {
		expect(describeShards(sharding)).toBe(expected);
	});
});

describe('spawnDelayMs', () => {
	it('GIVEN max_concurrency 1 THEN spaces shards by more than 5 s; GIVEN 16 THEN by a sixteenth of that', () => {
		expect(spawnDelayMs(1)).toBe(5_500);
		expect(spawnDelayMs(16)).toBe(344);
		expect(spawnDelayMs(0)).toBe(5_500);
	});
});

describe('fetchGatewayBot', () => {
	it('GIVEN DISCORD_API_URL WHEN asked THEN reads /v10/gateway/bot there with the bot token', async () => {
		const seen: IncomingMessage[] = [];
		const server = createServer((request, response) => {
			seen.push(request);
			response.setHeader('content-type', 'application/json');
			response.end(
				JSON.stringify({
					url: 'ws://127.0.0.1:1',
					shards: 4,
					session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 4 }
				})
			);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = server.address() as AddressInfo;
			expect(await fetchGatewayBot('token.value', `http://127.0.0.1:${port}/api`)).toEqual({ shards: 4, maxConcurrency: 4 });
			expect(seen.map((request) => [request.method, request.url, request.headers.authorization])).toEqual([
				['GET', '/api/v10/gateway/bot', 'Bot token.value']
			]);
		} finally {
			server.close();
		}
	});
});
