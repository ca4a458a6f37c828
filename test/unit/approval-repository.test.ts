import { describe, expect, it, vi } from 'vitest';
import {
	countGuildsByStatus,
	decide,
	findGuild,
	findStalePending,
	listDecisions,
	listGuilds,
	markOwnersNotified,
	recordGuildsSeen,
	searchGuilds
} from '../../src/lib/approval/repository.js';
import { ApprovalCache } from '../../src/lib/approval/cache.js';
import { useMigratedDatabase } from '../support/database.js';

const database = useMigratedDatabase();

let nextId = 100_000_000_000_000_000n;
const newGuildId = () => String(nextId++);
const owner = '111111111111111111';

describe('approval repository', () => {
	it('GIVEN a server seen twice, once by each of two racing calls THEN it is new exactly once and pending', async () => {
		const guildId = newGuildId();
		const facts = { guildId, name: 'Racing', ownerId: owner, memberCount: 5 };
		const [first, second] = await Promise.all([recordGuildsSeen(database.sql, [facts]), recordGuildsSeen(database.sql, [facts])]);
		const seen = [...first, ...second];
		expect(seen.filter((guild) => guild.isNew)).toHaveLength(1);
		expect(seen.every((guild) => guild.status === 'pending')).toBe(true);
	});

	it('GIVEN a known server seen again with a new name THEN keeps its state and updates its facts', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Old', ownerId: owner, memberCount: 1 }]);
		await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null });
		const [again] = await recordGuildsSeen(database.sql, [{ guildId, name: 'New', ownerId: null, memberCount: 9 }]);
		expect(again).toEqual({ guildId, status: 'approved', isNew: false, announced: false });
		const row = await findGuild(database.sql, guildId);
		expect(row).toMatchObject({ name: 'New', memberCount: 9, ownerId: owner, status: 'approved', decidedBy: owner });
	});

	it('GIVEN a server whose approval DM went out THEN it is seen as announced from then on', async () => {
		const guildId = newGuildId();
		const facts = { guildId, name: 'Told', ownerId: owner, memberCount: 2 };
		expect((await recordGuildsSeen(database.sql, [facts]))[0]?.announced).toBe(false);
		await markOwnersNotified(database.sql, guildId);
		expect((await recordGuildsSeen(database.sql, [facts]))[0]).toMatchObject({ isNew: false, announced: true });
	});

	it('GIVEN decisions over time THEN each is audited in order and forbidden ones change nothing', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Audited', ownerId: owner, memberCount: 3 }]);
		expect((await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null })).isOk()).toBe(true);
		expect((await decide(database.sql, { guildId, decision: 'revoke', decidedBy: owner, reason: null })).isOk()).toBe(true);
		expect((await decide(database.sql, { guildId, decision: 'deny', decidedBy: owner, reason: 'spam' })).isOk()).toBe(true);
		const forbidden = await decide(database.sql, { guildId, decision: 'revoke', decidedBy: owner, reason: null });
		expect(forbidden.unwrapErr()).toBe('forbidden');
		const unchanged = await decide(database.sql, { guildId, decision: 'deny', decidedBy: owner, reason: null });
		expect(unchanged.unwrapErr()).toBe('unchanged');

		const history = await listDecisions(database.sql, guildId);
		expect(history.map((entry) => [entry.fromStatus, entry.toStatus, entry.reason])).toEqual([
			['pending', 'approved', null],
			['approved', 'pending', null],
			['pending', 'denied', 'spam']
		]);
		expect((await findGuild(database.sql, guildId))?.status).toBe('denied');
	});

	it('GIVEN an unknown server THEN a decision is refused as unknown and writes nothing', async () => {
		const guildId = newGuildId();
		const result = await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null });
		expect(result.unwrapErr()).toBe('unknown');
		expect(await listDecisions(database.sql, guildId)).toEqual([]);
	});

	it('GIVEN two owners deciding the same pending server at once THEN exactly one decision applies', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Contested', ownerId: owner, memberCount: 3 }]);
		const results = await Promise.all([
			decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null }),
			decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null })
		]);
		expect(results.filter((result) => result.isOk())).toHaveLength(1);
		expect(await listDecisions(database.sql, guildId)).toHaveLength(1);
	});

	it('GIVEN servers in several states THEN lists, counts and searches them', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Findable Cafe', ownerId: owner, memberCount: 3 }]);
		const counts = await countGuildsByStatus(database.sql);
		expect(counts.pending).toBeGreaterThan(0);
		const pending = await listGuilds(database.sql, { status: 'pending', limit: 100, offset: 0 });
		expect(pending.total).toBe(counts.pending);
		expect(pending.rows.every((row) => row.status === 'pending')).toBe(true);
		expect((await searchGuilds(database.sql, 'findable')).map((row) => row.guildId)).toContain(guildId);
		expect((await searchGuilds(database.sql, guildId.slice(0, 12))).map((row) => row.guildId)).toContain(guildId);
		expect(await searchGuilds(database.sql, '100%_')).toEqual([]);
	});

	it('GIVEN a server pending for longer than the limit THEN it is stale', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Old pending', ownerId: owner, memberCount: 3 }]);
		expect(await findStalePending(database.sql, 2)).not.toContain(guildId);
		await database.sql`update guilds set joined_at = now() - interval '3 days' where guild_id = ${guildId}`;
		expect(await findStalePending(database.sql, 2)).toContain(guildId);
	});
});

describe('ApprovalCache', () => {
	it('GIVEN a cached approved server WHEN another connection denies it THEN the cache sees it within 1 s', async () => {
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Cached', ownerId: owner, memberCount: 3 }]);
		await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null });
		const cache = new ApprovalCache(database.sql);
		await cache.listen();
		try {
			expect(await cache.status(guildId)).toBe('approved');
			const other = (await import('postgres')).default(database.url, { max: 1, onnotice: () => {} });
			await decide(other, { guildId, decision: 'deny', decidedBy: owner, reason: null });
			await other.end();
			const deadline = Date.now() + 1_000;
			let status = await cache.status(guildId);
			while (status !== 'denied' && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 20));
				status = await cache.status(guildId);
			}
			expect(status).toBe('denied');
		} finally {
			await cache.close();
		}
	});

	it('GIVEN a read of a server still running WHEN its approval is announced THEN what the read found is neither kept nor shared with later lookups', async () => {
		/** A cache whose reads run at once and are answered only once released: the first read sees the server pending. */
		async function racing() {
			const guildId = newGuildId();
			await recordGuildsSeen(database.sql, [{ guildId, name: 'Racing', ownerId: owner, memberCount: 3 }]);
			let release!: () => void;
			const released = new Promise<void>((resolve) => (release = resolve));
			const held = ((strings: TemplateStringsArray, ...values: unknown[]) =>
				database.sql(strings, ...(values as never[])).then((rows) => released.then(() => rows))) as unknown as typeof database.sql;
			const cache = new ApprovalCache(held, () => 0);
			const first = cache.status(guildId);
			await new Promise((resolve) => setTimeout(resolve, 50));
			await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null });
			cache.forget(guildId);
			return { cache, guildId, first, release };
		}
		// A lookup after the announcement does not join the read that started before it.
		const joined = await racing();
		const second = joined.cache.status(joined.guildId);
		joined.release();
		expect(await joined.first).toBe('pending');
		expect(await second).toBe('approved');
		// The read that started before it is answered, and not kept (here no entry ever expires).
		const kept = await racing();
		kept.release();
		expect(await kept.first).toBe('pending');
		expect(await kept.cache.status(kept.guildId)).toBe('approved');
		// A status this process read before the announcement (start-up's record of every server) is not kept either.
		const since = kept.cache.version;
		kept.cache.forget(kept.guildId);
		kept.cache.set(kept.guildId, 'pending', since);
		expect(await kept.cache.status(kept.guildId)).toBe('approved');
	});

	it('GIVEN no listener at all THEN an entry is still never trusted for longer than its max age', async () => {
		let now = 0;
		const guildId = newGuildId();
		await recordGuildsSeen(database.sql, [{ guildId, name: 'Deaf', ownerId: owner, memberCount: 3 }]);
		const cache = new ApprovalCache(database.sql, () => now);
		expect(await cache.status(guildId)).toBe('pending');
		await decide(database.sql, { guildId, decision: 'approve', decidedBy: owner, reason: null });
		now = ApprovalCache.maxAgeMs - 1;
		expect(await cache.status(guildId)).toBe('pending');
		now = ApprovalCache.maxAgeMs;
		expect(await cache.status(guildId)).toBe('approved');
	});

	it('GIVEN every server set at start-up and no interaction after WHEN their max age passes THEN the cache holds none of them', async () => {
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
		let now = 0;
		const cache = new ApprovalCache(database.sql, () => now);
		try {
			for (let index = 0; index < 1_000; index++) cache.set(newGuildId(), 'approved');
			now = ApprovalCache.maxAgeMs / 2;
			const late = newGuildId();
			cache.set(late, 'pending');
			expect(cache.size).toBe(1_001);
			now = ApprovalCache.maxAgeMs;
			vi.advanceTimersByTime(ApprovalCache.maxAgeMs);
			expect(cache.size).toBe(1);
			expect(await cache.status(late)).toBe('pending');
			now = ApprovalCache.maxAgeMs * 2;
			vi.advanceTimersByTime(ApprovalCache.maxAgeMs);
			expect(cache.size).toBe(0);
		} finally {
			await cache.close();
			vi.useRealTimers();
		}
	});
});
