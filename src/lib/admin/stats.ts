import { container } from '@sapphire/framework';
import { countGuildsByStatus } from '../approval/repository.js';
import type { GuildStatus } from '../approval/rules.js';
import { measureDatabaseLatency } from '../database/latency.js';

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
	const [guilds, polls, databaseLatencyMs] = await Promise.all([countGuildsByStatus(sql), countPolls(), measureDatabaseLatency(sql)]);
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

async function countPolls(): Promise<BotStats['polls']> {
	const [row] = await container.sql<BotStats['polls'][]>`
		select
			(select count(*)::int from polls where closed_at is null) as open,
			(select count(*)::int from polls) as total,
			(select count(*)::int from poll_votes) as votes
	`;
	return row ?? { open: 0, total: 0, votes: 0 };
}

export function formatStats(stats: BotStats): string {
	const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
	return [
		`**Servers**: ${stats.guilds.approved} approved · ${stats.guilds.pending} pending · ${stats.guilds.denied} denied`,
		`**Polls**: ${stats.polls.open} open · ${stats.polls.total} total · ${stats.polls.votes} votes`,
		`**Uptime**: ${formatDuration(stats.uptimeSeconds)}`,
		`**Memory**: ${megabytes(stats.rssBytes)} resident · ${megabytes(stats.heapUsedBytes)} heap`,
		`**Gateway ping**: ${stats.gatewayPingMs < 0 ? 'not measured yet' : `${stats.gatewayPingMs} ms`}`,
		`**Database latency**: ${stats.databaseLatencyMs === null ? 'unavailable' : `${stats.databaseLatencyMs} ms`}`,
		`**Shards in this process**: ${stats.shardIds.length > 0 ? stats.shardIds.join(', ') : 'none'}`
	].join('\n');
}

export function formatDuration(totalSeconds: number): string {
	const days = Math.floor(totalSeconds / 86_400);
	const hours = Math.floor((totalSeconds % 86_400) / 3_600);
	const minutes = Math.floor((totalSeconds % 3_600) / 60);
	const seconds = totalSeconds % 60;
	return [days && `${days}d`, hours && `${hours}h`, minutes && `${minutes}m`, `${seconds}s`].filter(Boolean).join(' ');
}
