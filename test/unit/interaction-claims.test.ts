import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { claimInteraction, discordEpochMs, forgetOldClaims, isClaimed } from '../../src/lib/interaction-claims.js';
import { castVote, createPoll } from '../../src/lib/polls/repository.js';
import { createMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
beforeAll(async () => {
	db = await createMigratedDatabase({ poolSize: 10 });
});
afterAll(async () => {
	await db.drop();
});

const guildId = '1100000000000000001';
/** An interaction id as Discord makes them: its creation time (`at`, epoch ms) in the top bits, then a counter. */
let increment = 0n;
function snowflakeAt(at: number) {
	return ((BigInt(at) - BigInt(discordEpochMs)) << 22n) | (increment++ & 0x3fffffn);
}
const interactionId = () => String(snowflakeAt(Date.now()));

describe('GIVEN interaction claims', () => {
	test('WHEN two processes claim the same interaction at once THEN exactly one wins', async () => {
		const id = interactionId();
		const results = await Promise.all(Array.from({ length: 8 }, () => claimInteraction(db.sql, id)));
		expect(results.filter(Boolean)).toHaveLength(1);
		expect(await isClaimed(db.sql, id)).toBe(true);
	});

	test('WHEN the same vote interaction reaches two processes at once THEN it is cast once and the other gets "taken"', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: guildId, creatorId: guildId, draft: pollDraft() });
		const id = interactionId();
		const input = {
			guildId,
			number: poll.number,
			userId: '1300000000000000001',
			memberRoleIds: [],
			action: { kind: 'toggle', option: 0 } as const
		};
		const outcomes = await Promise.all(
			[0, 1].map(() => castVote(db.sql, { ...input, interactionId: id, notAfter: new Date(Date.now() + 5_000) }))
		);
		expect(outcomes.filter((outcome) => outcome.isOk())).toHaveLength(1);
		expect(outcomes.filter((outcome) => outcome.isErr()).map((outcome) => outcome.unwrapErr())).toEqual(['taken']);
		const [row] = await db.sql<
			{ count: number }[]
		>`select count(*)::int as count from poll_votes where guild_id = ${guildId} and poll_number = ${poll.number}`;
		expect(row!.count).toBe(1);
	});

	test('WHEN a vote statement reaches the database after its deadline THEN nothing is stored and it says "late"', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: guildId, creatorId: guildId, draft: pollDraft() });
		const id = interactionId();
		const outcome = await castVote(db.sql, {
			guildId,
			number: poll.number,
			userId: '1300000000000000002',
			memberRoleIds: [],
			action: { kind: 'toggle', option: 1 },
			interactionId: id,
			notAfter: new Date(Date.now() - 1)
		});
		expect(outcome.unwrapErr()).toBe('late');
		expect(await isClaimed(db.sql, id)).toBe(false);
		expect(await db.sql`select 1 from poll_votes where guild_id = ${guildId} and poll_number = ${poll.number}`).toHaveLength(0);
	});

	test('WHEN claims are older than the retention THEN cleanup deletes them in batches and keeps the recent ones', async () => {
		const recent = interactionId();
		await claimInteraction(db.sql, recent);
		const hourAgo = snowflakeAt(Date.now() - 3_600_000);
		await db.sql`insert into interaction_claims (interaction_id) select ${String(hourAgo)}::bigint + n from generate_series(1, 1200) n`;
		expect(await forgetOldClaims(db.sql, 500)).toBe(500);
		expect(await forgetOldClaims(db.sql, 500)).toBe(500);
		expect(await forgetOldClaims(db.sql, 500)).toBe(200);
		expect(await forgetOldClaims(db.sql, 500)).toBe(0);
		expect(await isClaimed(db.sql, recent)).toBe(true);
	});
});
