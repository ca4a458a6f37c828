import { container } from '@sapphire/framework';
import { countGuildsByStatus } from '../approval/repository.js';
import type { GuildStatus } from '../approval/rules.js';
import { measureDatabaseLatency } from '../database/latency.js';
import type { Translator } from '../i18n/index.js';
import { countPolls } from '../polls/repository.js';
import { foldShardIds } from '../sharding.js';

export interface BotStats {
	readonly guilds: Record<GuildStatus, number>;
	readonly polls: { open: number; total: number; votes: number };
	readonly uptimeSeconds: number;
	readonly rssBytes: number;
	readonly heapUsedBytes: number;
	readonly gatewayPingMs: number;
	readonly databaseLatencyMs: number | null;
	readonly shardIds: readonly number[];
	/** Shards across all processes; `null` before the client knows (it asks Discord when set to `auto`). */
	readonly shardCount: number | null;
}

export async function collectStats(): Promise<BotStats> {
	const { sql, client } = container;
	const [guilds, polls, databaseLatencyMs] = await Promise.all([countGuildsByStatus(sql), countPolls(sql), measureDatabaseLatency(sql)]);
	const memory = process.memoryUsage();
	return {
		guilds,
		polls,
		uptimeSeconds: Math.round(process.uptime()),
		rssBytes: memory.rss,
		heapUsedBytes: memory.heapUsed,
		gatewayPingMs: client.ws.ping,
		databaseLatencyMs,
		shardIds: [...client.ws.shards.keys()].sort((a, b) => a - b),
		// discord.js replaces an `auto` count with the one it got from Discord once it connects.
		shardCount: typeof client.options.shardCount === 'number' ? client.options.shardCount : null
	};
}

export function formatStats(t: Translator, stats: BotStats): string {
	const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	const milliseconds = (value: number) => t('admin:stats.milliseconds', { value });
	return [
		t('admin:stats.servers', stats.guilds),
		t('admin:stats.polls', stats.polls),
		t('admin:stats.uptime', { uptime: formatDuration(stats.uptimeSeconds) }),
		t('admin:stats.memory', { rss: megabytes(stats.rssBytes), heap: megabytes(stats.heapUsedBytes) }),
		t('admin:stats.gatewayPing', { ping: stats.gatewayPingMs < 0 ? t('admin:stats.notMeasured') : milliseconds(stats.gatewayPingMs) }),
		t('admin:stats.databaseLatency', {
			latency: stats.databaseLatencyMs === null ? t('admin:stats.unavailable') : milliseconds(stats.databaseLatencyMs)
		}),
		formatShards(t, stats)
	].join('\n');
}

/** `shard 0 of 1`, `shards 0-3 of 8`: the ids alone ("0") read as a count of none. */
function formatShards(t: Translator, { shardIds, shardCount }: Pick<BotStats, 'shardIds' | 'shardCount'>): string {
	if (shardIds.length === 0) return t('admin:stats.shards', { shards: t('admin:stats.none') });
	const ids = foldShardIds(shardIds);
	const shards =
		shardCount === null
			? t('admin:stats.shardIds', { count: shardIds.length, ids })
			: t('admin:stats.shardIdsOf', { count: shardIds.length, ids, total: shardCount });
	return t('admin:stats.shards', { shards });
}

export function formatDuration(totalSeconds: number): string {
	const days = Math.floor(totalSeconds / 86_400);
	const hours = Math.floor((totalSeconds % 86_400) / 3_600);
	const minutes = Math.floor((totalSeconds % 3_600) / 60);
	const seconds = totalSeconds % 60;
	return [days && `${days}d`, hours && `${hours}h`, minutes && `${minutes}m`, `${seconds}s`].filter(Boolean).join(' ');
}
