import { describe, expect, test } from 'vitest';
import { formatStats, type BotStats } from '../../src/lib/admin/stats.js';
import { english } from '../../src/lib/i18n/index.js';

const stats: BotStats = {
	guilds: { approved: 1, pending: 0, denied: 0 },
	polls: { open: 0, total: 0, votes: 0 },
	uptimeSeconds: 5,
	rssBytes: 0,
	heapUsedBytes: 0,
	gatewayPingMs: 10,
	databaseLatencyMs: 1,
	shardIds: [0],
	shardCount: 1
};

function shardLine(overrides: Partial<BotStats>) {
	return formatStats(english, { ...stats, ...overrides })
		.split('\n')
		.find((line) => line.startsWith('**Shards'));
}

describe('formatStats', () => {
	test('GIVEN a process on the only shard WHEN stats are shown THEN they say which shard of how many, not a bare 0', () => {
		expect(shardLine({})).toBe('**Shards in this process**: shard 0 of 1');
	});

	test('GIVEN a process on several shards of a larger count THEN the ids are folded into ranges and the total is named', () => {
		expect(shardLine({ shardIds: [0, 1, 2, 5], shardCount: 8 })).toBe('**Shards in this process**: shards 0-2,5 of 8');
	});

	test('GIVEN a count not known yet, or no shard connected THEN the line says only what is known', () => {
		expect(shardLine({ shardIds: [3], shardCount: null })).toBe('**Shards in this process**: shard 3');
		expect(shardLine({ shardIds: [], shardCount: 2 })).toBe('**Shards in this process**: none');
	});
});
