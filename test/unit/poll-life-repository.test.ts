import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Failure } from '../../src/lib/failures.js';
import {
	cancelScheduled,
	claimDueReminders,
	claimDueStarts,
	editPoll,
	markReminded,
	markStarted,
	releaseReminders,
	releaseStarts,
	reopenPoll
} from '../../src/lib/polls/life-repository.js';
import { parseEditInput, planEdit, type EditInput } from '../../src/lib/polls/life-rules.js';
import { castVote, claimDuePolls, closePoll, createPoll, markCloseAnnounced, readPollState } from '../../src/lib/polls/repository.js';
import { createMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
beforeAll(async () => {
	// Enough connections for 200 votes and an edit to really overlap.
	db = await createMigratedDatabase({ poolSize: 20 });
});
afterAll(async () => {
	await db.drop();
});

const guild = '210000000000000001';
const channel = '220000000000000001';
const creator = '230000000000000001';
const allShards = { count: 1, ids: [0] };
const minute = 60_000;

function user(index: number) {
	return String(240000000000000000n + BigInt(index));
}

function create(overrides: { startsInMs?: number | null; remindBeforeMs?: number | null; durationMs?: number | null; options?: string[] } = {}) {
	return createPoll(db.sql, {
		guildId: guild,
		channelId: channel,
		creatorId: creator,
		draft: pollDraft({ durationMs: overrides.durationMs ?? null, ...(overrides.options ? { options: overrides.options } : {}) }),
		life: { startsInMs: overrides.startsInMs ?? null, remindBeforeMs: overrides.remindBeforeMs ?? null, remindRoleId: null }
	});
}

function edit(number: number, input: Partial<EditInput>) {
	const parsed = parseEditInput({ question: null, options: null, addOptions: null, duration: null, ...input }).unwrap();
	return editPoll(db.sql, { guildId: guild, number }, (locked) => planEdit(locked, parsed, Failure.PollHasVotes, Failure.InvalidInput));
}

async function makeDue(number: number, column: 'starts_at' | 'closes_at', ago = '1 second') {
	await db.sql`update polls set ${db.sql(column)} = now() - ${ago}::interval where guild_id = ${guild} and poll_number = ${number}`;
}

describe('GIVEN scheduled polls', () => {
	test('WHEN a scheduled poll is created THEN it is stored with its start, deadline counted from it, and not offered before it is due', async () => {
		const poll = await create({ startsInMs: 10 * minute, durationMs: 30 * minute });
		expect(poll.scheduledFor).not.toBeNull();
		expect(poll.closesAt!.getTime() - poll.scheduledFor!.getTime()).toBe(30 * minute);
		const claims = await claimDueStarts(db.sql, allShards, 30_000);
		expect(claims.map((claim) => claim.poll.number)).not.toContain(poll.number);
	});

	test('WHEN two processes claim a due start at once THEN exactly one gets it, and nobody again until the retry window passed', async () => {
		const poll = await create({ startsInMs: 10 * minute, durationMs: 30 * minute });
		await makeDue(poll.number, 'starts_at', '5 minutes');
		const [first, second] = await Promise.all([claimDueStarts(db.sql, allShards, 30_000), claimDueStarts(db.sql, allShards, 30_000)]);
		const taken = [...first!, ...second!].filter((claim) => claim.poll.number === poll.number);
		expect(taken).toHaveLength(1);
		expect(taken[0]!.previousAttempt).toBeNull();
		expect(taken[0]!.lateSince).not.toBeNull();
		// The duration counts from the actual start.
		expect(taken[0]!.poll.closesAt!.getTime() - Date.now()).toBeGreaterThan(29 * minute);
		expect((await claimDueStarts(db.sql, allShards, 30_000)).map((claim) => claim.poll.number)).not.toContain(poll.number);
		// As if the claimer died before recording the message: offered again, saying a previous attempt exists.
		await db.sql`update polls set start_attempted_at = now() - interval '2 minutes' where guild_id = ${guild} and poll_number = ${poll.number}`;
		const retried = (await claimDueStarts(db.sql, allShards, 30_000)).find((claim) => claim.poll.number === poll.number);
		expect(retried?.previousAttempt).not.toBeNull();
		const started = await markStarted(db.sql, poll, '250000000000000001');
		expect(started?.scheduledFor).toBeNull();
		expect(started?.messageId).toBe('250000000000000001');
	});

	test('WHEN a claimed start is given back THEN it is offered at once, still late by its planned time, with its duration', async () => {
		const poll = await create({ startsInMs: 10 * minute, durationMs: 30 * minute });
		await makeDue(poll.number, 'starts_at', '5 minutes');
		const mine = (claims: Awaited<ReturnType<typeof claimDueStarts>>) => claims.filter((claim) => claim.poll.number === poll.number);
		const [claimed] = mine(await claimDueStarts(db.sql, allShards, 30_000));
		expect(claimed?.lateSince).not.toBeNull();
		await releaseStarts(db.sql, [claimed!]);
		const [again] = mine(await claimDueStarts(db.sql, allShards, 30_000));
		expect(again?.previousAttempt).toBeNull();
		expect(again?.lateSince?.getTime()).toBe(claimed!.lateSince!.getTime());
		// The duration still counts from the actual start: the deadline moved with it, by as little as time passed.
		const moved = again!.poll.closesAt!.getTime() - claimed!.poll.closesAt!.getTime();
		expect(moved).toBeGreaterThanOrEqual(0);
		expect(moved).toBeLessThan(5_000);
		await markStarted(db.sql, poll, '250000000000000009');
	});

	test('WHEN a scheduled poll is past its deadline before it started THEN the deadline scheduler leaves it to its start', async () => {
		const poll = await create({ startsInMs: 10 * minute, durationMs: minute });
		await makeDue(poll.number, 'closes_at');
		expect((await claimDuePolls(db.sql, allShards)).map((closed) => closed.number)).not.toContain(poll.number);
	});

	test('WHEN a scheduled poll is cancelled THEN it is closed and announced, never offered to start, and cannot be cancelled twice', async () => {
		const poll = await create({ startsInMs: 10 * minute });
		const cancelled = await cancelScheduled(db.sql, poll, creator);
		expect(cancelled?.closedAt).not.toBeNull();
		await makeDue(poll.number, 'starts_at');
		expect((await claimDueStarts(db.sql, allShards, 30_000)).map((claim) => claim.poll.number)).not.toContain(poll.number);
		expect(await cancelScheduled(db.sql, poll, creator)).toBeNull();
		expect(await markStarted(db.sql, poll, '250000000000000002')).toBeNull();
		expect((await reopenPoll(db.sql, poll, null)).unwrapErr()).toBe('neverPosted');
	});
});

describe('GIVEN polls with reminders', () => {
	test('WHEN the reminder time comes THEN exactly one claimer gets it, and once marked it never comes again', async () => {
		const poll = await create({ durationMs: 60 * minute, remindBeforeMs: 10 * minute });
		await db.sql`update polls set message_id = 250000000000000003 where guild_id = ${guild} and poll_number = ${poll.number}`;
		expect((await claimDueReminders(db.sql, allShards)).map((claim) => claim.poll.number)).not.toContain(poll.number);
		await db.sql`update polls set closes_at = now() + interval '5 minutes' where guild_id = ${guild} and poll_number = ${poll.number}`;
		const [first, second] = await Promise.all([claimDueReminders(db.sql, allShards), claimDueReminders(db.sql, allShards)]);
		expect([...first!, ...second!].filter((claim) => claim.poll.number === poll.number)).toHaveLength(1);
		await markReminded(db.sql, poll);
		await db.sql`update polls set remind_attempted_at = now() - interval '1 hour' where guild_id = ${guild} and poll_number = ${poll.number}`;
		expect((await claimDueReminders(db.sql, allShards)).map((claim) => claim.poll.number)).not.toContain(poll.number);
	});

	test('WHEN a claimer gives its claims back (shutting down) THEN they are offered at once, with any earlier attempt; a done one is not', async () => {
		const [fresh, retried, done] = await Promise.all([0, 1, 2].map(() => create({ durationMs: 60 * minute, remindBeforeMs: 10 * minute })));
		const numbers = [fresh!.number, retried!.number, done!.number];
		await db.sql`update polls set message_id = 250000000000000005, closes_at = now() + interval '5 minutes'
			where guild_id = ${guild} and poll_number = any(${numbers}::int[])`;
		await db.sql`update polls set remind_attempted_at = now() - interval '2 minutes' where guild_id = ${guild} and poll_number = ${retried!.number}`;
		const ours = (claims: Awaited<ReturnType<typeof claimDueReminders>>) => claims.filter((claim) => numbers.includes(claim.poll.number));
		const claimed = ours(await claimDueReminders(db.sql, allShards));
		expect(claimed.map((claim) => claim.poll.number).sort()).toEqual([...numbers].sort());
		expect(ours(await claimDueReminders(db.sql, allShards)), 'claimed, so not offered again yet').toEqual([]);
		await markReminded(db.sql, done!);
		await releaseReminders(db.sql, claimed);
		const again = ours(await claimDueReminders(db.sql, allShards));
		expect(again.map((claim) => claim.poll.number).sort()).toEqual([fresh!.number, retried!.number].sort());
		expect(again.find((claim) => claim.poll.number === fresh!.number)?.previousAttempt).toBeNull();
		expect(again.find((claim) => claim.poll.number === retried!.number)?.previousAttempt).not.toBeNull();
		// Taken again by another process since (its claim time is not ours): ours is not given back over it.
		await db.sql`update polls set remind_attempted_at = clock_timestamp() where guild_id = ${guild} and poll_number = ${fresh!.number}`;
		await releaseReminders(db.sql, again);
		expect(ours(await claimDueReminders(db.sql, allShards)).map((claim) => claim.poll.number)).toEqual([retried!.number]);
		for (const claim of again) await markReminded(db.sql, claim.poll);
	});

	test('WHEN the poll is already past its deadline THEN no reminder is offered', async () => {
		const poll = await create({ durationMs: 60 * minute, remindBeforeMs: 10 * minute });
		await db.sql`update polls set message_id = 250000000000000004 where guild_id = ${guild} and poll_number = ${poll.number}`;
		await makeDue(poll.number, 'closes_at');
		expect((await claimDueReminders(db.sql, allShards)).map((claim) => claim.poll.number)).not.toContain(poll.number);
	});
});

describe('GIVEN an open poll', () => {
	test('WHEN options are added while 200 votes arrive THEN every vote is counted exactly once and the labels grow', async () => {
		const poll = await create({ options: ['a', 'b'] });
		const votes = Array.from({ length: 200 }, (_, index) =>
			castVote(db.sql, {
				guildId: guild,
				number: poll.number,
				userId: user(index),
				memberRoleIds: [],
				action: { kind: 'toggle', option: index % 2 }
			})
		);
		const [edited] = await Promise.all([edit(poll.number, { question: 'Lunch, really?', addOptions: 'c | d' }), ...votes]);
		expect(edited.isOk()).toBe(true);
		const state = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(state.options.map((option) => [option.label, option.votes])).toEqual([
			['a', 100],
			['b', 100],
			['c', 0],
			['d', 0]
		]);
		expect(state.poll.voterCount).toBe(200);
		expect(state.poll.editedAt).not.toBeNull();
		expect(state.poll.question).toBe('Lunch, really?');
	});

	test('WHEN options are replaced before any vote THEN they are; after a vote THEN it is refused and nothing changes', async () => {
		const poll = await create({ options: ['a', 'b'] });
		expect((await edit(poll.number, { options: 'x | y | z' })).unwrap().optionCount).toBe(3);
		await castVote(db.sql, { guildId: guild, number: poll.number, userId: user(1), memberRoleIds: [], action: { kind: 'toggle', option: 0 } });
		const refused = await edit(poll.number, { options: 'p | q' });
		expect(refused.unwrapErr()).toMatchObject({ failure: Failure.PollHasVotes, text: { key: 'life:renameAfterVotes' } });
		const state = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(state.options.map((option) => option.label)).toEqual(['x', 'y', 'z']);
	});

	test('WHEN the deadline is changed or removed THEN closes_at follows, counted from now; a poll past its deadline is not edited', async () => {
		const poll = await create({ durationMs: 60 * minute });
		const extended = (await edit(poll.number, { duration: '2h' })).unwrap();
		expect(Math.abs(extended.closesAt!.getTime() - Date.now() - 120 * minute)).toBeLessThan(minute);
		expect(extended.editedAt).toBeNull();
		expect((await edit(poll.number, { duration: 'none' })).unwrap().closesAt).toBeNull();
		await db.sql`update polls set closes_at = now() - interval '1 second' where guild_id = ${guild} and poll_number = ${poll.number}`;
		expect((await edit(poll.number, { question: 'Late?' })).unwrapErr()).toBe('closed');
	});

	test('WHEN too many options are added THEN it says how many to remove', async () => {
		const poll = await create({ options: ['a', 'b'] });
		const refused = await edit(poll.number, { addOptions: Array.from({ length: 24 }, (_, index) => `n${index}`).join('|') });
		expect(refused.unwrapErr()).toMatchObject({
			failure: Failure.InvalidInput,
			text: { key: 'polls:validation.tooManyOptions', values: { extra: 1 } }
		});
	});
});

describe('GIVEN a closed poll', () => {
	test('WHEN it is reopened THEN it takes votes again with its old ones; an open, anonymous or still announcing poll is refused', async () => {
		const poll = await create({ options: ['a', 'b'] });
		await db.sql`update polls set message_id = 250000000000000005 where guild_id = ${guild} and poll_number = ${poll.number}`;
		await castVote(db.sql, { guildId: guild, number: poll.number, userId: user(1), memberRoleIds: [], action: { kind: 'toggle', option: 1 } });
		expect((await reopenPoll(db.sql, poll, null)).unwrapErr()).toBe('open');
		await closePoll(db.sql, guild, poll.number, { reason: 'command', userId: creator });
		expect((await reopenPoll(db.sql, poll, null)).unwrapErr()).toBe('announcing');
		await markCloseAnnounced(db.sql, guild, poll.number);
		const reopened = (await reopenPoll(db.sql, poll, 10 * minute)).unwrap();
		expect(reopened.closedAt).toBeNull();
		expect(reopened.closesAt!.getTime()).toBeGreaterThan(Date.now() + 9 * minute);
		const again = await castVote(db.sql, {
			guildId: guild,
			number: poll.number,
			userId: user(2),
			memberRoleIds: [],
			action: { kind: 'toggle', option: 1 }
		});
		expect(again.isOk()).toBe(true);
		expect((await readPollState(db.sql, guild, poll.number)).unwrap().options.map((option) => option.votes)).toEqual([0, 2]);

		const anonymous = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: pollDraft({ anonymous: true }) });
		await db.sql`update polls set message_id = 250000000000000006 where guild_id = ${guild} and poll_number = ${anonymous.number}`;
		await closePoll(db.sql, guild, anonymous.number, { reason: 'command', userId: creator });
		await markCloseAnnounced(db.sql, guild, anonymous.number);
		expect((await reopenPoll(db.sql, anonymous, null)).unwrapErr()).toBe('anonymous');
	});
});
