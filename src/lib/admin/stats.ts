import { container } from '@sapphire/framework';
import { countGuildsByStatus } from '../approval/repository.js';
import type { GuildStatus } from '../approval/rules.js';
import { measureDatabaseLatency } from '../database/latency.js';
import type { Translator } from '../i18n/index.js';
import { countPolls } from '../polls/repository.js';

export interface BotStats {
	readonly guilds: Record<GuildStatus, number>;
	readonly polls: { open: number; total: number; votes: number };
	readonly uptimeSeconds: number;
	readonly rssBytes: number;
	readonly heapUsedBytes: number;
	readonly gatewayPingMs: number;
	readonly databaseLatencyMs: number | null;
	readonly shardIds: readonly number[];
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
		shardIds: [...client.ws.shards.keys()]
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
		t('admin:stats.shards', { shards: stats.shardIds.length > 0 ? stats.shardIds.join(', ') : t('admin:stats.none') })
	].join('\n');
}

export function formatDuration(totalSeconds: number): string {
	const days = Math.floor(totalSeconds / 86_400);
	const hours = Math.floor((totalSeconds % 86_400) / 3_600);
	const minutes = Math.floor((totalSeconds % 3_600) / 60);
	const seconds = totalSeconds % 60;
	return [days && `${days}d`, hours && `${hours}h`, minutes && `${minutes}m`, `${seconds}s`].filter(Boolean).join(' ');
}
