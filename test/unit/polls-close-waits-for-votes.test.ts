import { Result } from '@sapphire/result';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Failure, message } from '../../src/lib/failures.js';
import { anonymousVoterKey } from '../../src/lib/polls/anonymity.js';
import { editPoll } from '../../src/lib/polls/life-repository.js';
import { closePoll, createPoll, deletePoll, findPoll } from '../../src/lib/polls/repository.js';
import type { PollDraft } from '../../src/lib/polls/rules.js';
import { createMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

/**
 * migrations/006 and 011: a vote holds a shared advisory lock on its poll instead of a row lock, and closing or
 * deleting a poll waits for it in a trigger. A vote is held open inside a transaction here, so the close is known to be waiting
 * while it runs, and what the close does after the wait can be checked, not left to a race.
 */
let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
beforeAll(async () => {
	db = await createMigratedDatabase();
});
afterAll(async () => {
	await db.drop();
});

const guildId = '115000000000000001';
const creator = '125000000000000001';
const voter = '135000000000000001';

function draft(anonymous: boolean): PollDraft {
	return pollDraft({ question: 'Now?', options: ['Yes', 'No'], anonymous });
}

/** Casts a vote in a transaction that stays open until `release` is called; resolves once the vote is recorded. */
async function heldVote(number: number, voterKey: string | null) {
	let release!: () => void;
	const released = new Promise<void>((resolve) => (release = resolve));
	let recorded!: (outcome: string) => void;
	const outcome = new Promise<string>((resolve) => (recorded = resolve));
	const done = db.sql.begin(async (tx) => {
		const [row] = await tx<{ result: { outcome: string } }[]>`
			select poll_cast_vote(${guildId}::bigint, ${number}::int, ${voter}::text, ${voterKey}::text, '{}'::bigint[], 0::smallint,
				'{}'::smallint[], '1 second'::interval, false) as result
		`;
		recorded(row!.result.outcome);
		await released;
	});
	return { outcome: await outcome, release, done };
}

/** Whether `promise` is still pending after `ms`. */
async function stillPending(promise: Promise<unknown>, ms: number) {
	const pending = Symbol('pending');
	return (await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(pending), ms))])) === pending;
}

describe('closing and deleting polls wait for the votes in flight', () => {
	test('GIVEN a vote not yet committed WHEN the poll is closed THEN the close waits for it, and the vote stands, recorded before the close', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: '1', creatorId: creator, draft: draft(false) });
		const vote = await heldVote(poll.number, null);
		expect(vote.outcome).toBe('ok');
		const closing = closePoll(db.sql, guildId, poll.number, { reason: 'command', userId: creator });
		expect(await stillPending(closing, 300)).toBe(true);
		vote.release();
		await vote.done;
		expect((await closing).isOk()).toBe(true);
		const [row] = await db.sql<{ late: number; kept: number }[]>`
			select count(*) filter (where v.voted_at > p.closed_at)::int as late, count(*)::int as kept
			from poll_votes v join polls p using (guild_id, poll_number)
			where v.guild_id = ${guildId} and v.poll_number = ${poll.number}
		`;
		expect(row).toEqual({ late: 0, kept: 1 });
	});

	test('GIVEN a vote not yet committed WHEN the poll is edited THEN the edit waits for it, and decides knowing the vote', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: '1', creatorId: creator, draft: draft(false) });
		const vote = await heldVote(poll.number, null);
		expect(vote.outcome).toBe('ok');
		const seen: boolean[] = [];
		const editing = editPoll(db.sql, { guildId, number: poll.number }, (locked) => {
			seen.push(locked.hasVotes);
			return Result.err({ failure: Failure.PollHasVotes, text: message('polls:notFound', { number: poll.number }) });
		});
		expect(await stillPending(editing, 300)).toBe(true);
		vote.release();
		await vote.done;
		expect((await editing).isErr()).toBe(true);
		expect(seen).toEqual([true]);
	});

	test('GIVEN an anonymous vote not yet committed WHEN the poll is closed THEN that vote too can no longer be linked', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: '1', creatorId: creator, draft: draft(true) });
		const [salted] = await db.sql<
			{ salt: Buffer }[]
		>`select voter_salt as salt from polls where guild_id = ${guildId} and poll_number = ${poll.number}`;
		const vote = await heldVote(poll.number, anonymousVoterKey(salted!.salt, voter));
		expect(vote.outcome).toBe('ok');
		const closing = closePoll(db.sql, guildId, poll.number, { reason: 'command', userId: creator });
		expect(await stillPending(closing, 300)).toBe(true);
		vote.release();
		await vote.done;
		expect((await closing).isOk()).toBe(true);
		const [row] = await db.sql<{ linked: number; votes: number }[]>`
			select count(voted_at)::int as linked, count(*)::int as votes from poll_votes where guild_id = ${guildId} and poll_number = ${poll.number}
		`;
		expect(row).toEqual({ linked: 0, votes: 1 });
	});

	test('GIVEN a vote not yet committed WHEN the poll is deleted THEN the delete waits for it', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: '1', creatorId: creator, draft: draft(false) });
		const vote = await heldVote(poll.number, null);
		const deleting = deletePoll(db.sql, guildId, poll.number);
		expect(await stillPending(deleting, 300)).toBe(true);
		vote.release();
		await Promise.all([vote.done, deleting]);
		expect((await findPoll(db.sql, guildId, poll.number)).isErr()).toBe(true);
	});

	test('GIVEN a close waiting for a vote WHEN another member votes THEN that vote waits too and is refused as closed', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: '1', creatorId: creator, draft: draft(false) });
		const vote = await heldVote(poll.number, null);
		const closing = closePoll(db.sql, guildId, poll.number, { reason: 'command', userId: creator });
		expect(await stillPending(closing, 200)).toBe(true);
		const late = db.sql<{ result: { outcome: string } }[]>`
			select poll_cast_vote(${guildId}::bigint, ${poll.number}::int, '135000000000000002'::text, null::text, '{}'::bigint[], 1::smallint,
				'{}'::smallint[], '1 second'::interval, false) as result
		`;
		expect(await stillPending(late, 200)).toBe(true);
		vote.release();
		await vote.done;
		await closing;
		expect((await late)[0]!.result.outcome).toBe('closed');
	});
});
