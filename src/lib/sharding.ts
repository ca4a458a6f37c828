import { REST, Routes, type APIGatewayBotInfo, type ClientOptions } from 'discord.js';
import type { ShardConfig } from './config.js';

/**
 * The client's `shards` and `shardCount`, always set explicitly: discord.js otherwise reads `SHARDS` and
 * `SHARD_COUNT` from the environment itself, and a process could end up on shards nobody asked it to connect.
 *
 * `auto` asks `GET /gateway/bot` through the client's own REST (so through `DISCORD_API_URL` when set).
 */
export function clientShardOptions(sharding: ShardConfig): Pick<ClientOptions, 'shards' | 'shardCount'> {
	if (sharding.mode === 'auto') return { shards: 'auto' };
	return { shards: [...sharding.shardIds], shardCount: sharding.shardCount };
}

/** `0-1 of 4`, for logs: ranges folded, so a process on 64 shards stays readable. */
export function describeShards(sharding: ShardConfig): string {
	if (sharding.mode === 'auto') return 'the shard count Discord recommends';
	return `shard${sharding.shardIds.length === 1 ? '' : 's'} ${foldShardIds(sharding.shardIds)} of ${sharding.shardCount}`;
}

/** `0-3,6` for shards 0, 1, 2, 3 and 6 (ids in ascending order). */
export function foldShardIds(shardIds: readonly number[]): string {
	if (shardIds.length === 0) return '';
	const ranges: string[] = [];
	let start = shardIds[0]!;
	let previous = start;
	for (const id of [...shardIds.slice(1), Number.NaN]) {
		if (id === previous + 1) {
			previous = id;
			continue;
		}
		ranges.push(start === previous ? `${start}` : `${start}-${previous}`);
		start = id;
		previous = id;
	}
	return ranges.join(',');
}

export interface GatewayBotInfo {
	/** Shards Discord recommends. */
	readonly shards: number;
	/** IDENTIFYs allowed at once, each in its own 5 s bucket (`shard_id % max_concurrency`). */
	readonly maxConcurrency: number;
}

/**
 * `GET /gateway/bot`, through `apiUrl` (a fake Discord or a REST proxy) when given. `ShardingManager`'s own
 * `'auto'` always asks the real Discord, whatever `rest.api` says, so the cluster asks here instead.
 */
export async function fetchGatewayBot(token: string, apiUrl: string | null): Promise<GatewayBotInfo> {
	const rest = new REST(apiUrl === null ? {} : { api: apiUrl }).setToken(token);
	const info = (await rest.get(Routes.gatewayBot())) as APIGatewayBotInfo;
	return { shards: info.shards, maxConcurrency: Math.max(1, info.session_start_limit.max_concurrency) };
}

/** Discord allows one IDENTIFY per bucket every 5 s; a little more leaves room for clock drift. */
const identifyIntervalMs = 5_500;

/**
 * Time between starting two shards of the cluster. Shards started in order `0, 1, 2, ...` with this spacing put
 * two shards of one bucket (`id % maxConcurrency`) `maxConcurrency` steps, so at least 5.5 s, apart.
 */
export function spawnDelayMs(maxConcurrency: number): number {
	return Math.ceil(identifyIntervalMs / Math.max(1, maxConcurrency));
}
