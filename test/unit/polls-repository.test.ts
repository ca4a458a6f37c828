import { describe, expect, test } from 'vitest';
import {
	castVote,
	claimDuePolls,
	claimUnannounced,
	closeIfDue,
	closePoll,
	createPoll,
	deleteUnpostedPolls,
	findChoices,
	findPoll,
	findUnshownPolls,
	foldShownDeltas,
	listPollPage,
	listVotes,
	markCloseAnnounced,
	markUnshown,
	readPollState,
	searchPolls,
	type VoteInput
} from '../../src/lib/polls/repository.js';
import { useMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

// 1,000 concurrent votes need more than the support pool's 5 connections to really overlap.
const db = useMigratedDatabase({ poolSize: 20 });

const guildA = '110000000000000001';
const guildB = '110000000000000002';
const channel = '120000000000000001';
const creator = '130000000000000001';
const draft = pollDraft();

const allShards = { count: 1, ids: [0] };

function user(index: number) {
	return String(140000000000000000n + BigInt(index));
}

function vote(number: number, userId: string, action: VoteInput['action'], guildId = guildA, memberRoleIds: string[] = []) {
	return castVote(db.sql, { guildId, number, userId, memberRoleIds, action });
}

async function counts(guildId: string, number: number) {
	const state = (await readPollState(db.sql, guildId, number)).unwrap();
	return { votes: state.options.map((option) => option.votes), voters: state.poll.voterCount };
}

describe('poll repository', () => {
	test('GIVEN votes WHEN the state is read THEN it counts them and folds nothing; folding the ids read leaves the counts and clears the trace', async () => {
		const guild = '110000000000000031';
		const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
		await vote(poll.number, user(1), { kind: 'toggle', option: 0 }, guild);
		await vote(poll.number, user(2), { kind: 'toggle', option: 1 }, guild);
		const first = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(first.options.map((option) => option.votes)).toEqual([1, 1, 0]);
		expect(first.poll.voterCount).toBe(2);
		expect(first.deltaIds.length).toBeGreaterThan(0);
		expect((await findUnshownPolls(db.sql, allShards)).map((row) => row.guildId)).toContain(guild);
		// Read again: the same, nothing was folded by reading.
		expect((await readPollState(db.sql, guild, poll.number)).unwrap().deltaIds).toEqual(first.deltaIds);

		expect(await foldShownDeltas(db.sql, guild, poll.number, first), 'nothing changed since the read').toBe(true);
		const folded = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(folded.options.map((option) => option.votes)).toEqual([1, 1, 0]);
		expect(folded.poll.voterCount).toBe(2);
		expect(folded.deltaIds).toEqual([]);
		expect((await findUnshownPolls(db.sql, allShards)).map((row) => row.guildId)).not.toContain(guild);
	});

	test('GIVEN a vote after the read WHEN the ids read are folded, twice at once THEN the later vote stays unshown and every vote counts once', async () => {
		const guild = '110000000000000032';
		const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
		await vote(poll.number, user(1), { kind: 'toggle', option: 0 }, guild);
		const shown = (await readPollState(db.sql, guild, poll.number)).unwrap();
		await vote(poll.number, user(2), { kind: 'toggle', option: 2 }, guild);
		const verdicts = await Promise.all([foldShownDeltas(db.sql, guild, poll.number, shown), foldShownDeltas(db.sql, guild, poll.number, shown)]);
		expect(verdicts, 'a vote came after the read').toEqual([false, false]);
		const after = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(after.options.map((option) => option.votes)).toEqual([1, 0, 1]);
		expect(after.poll.voterCount).toBe(2);
		expect(after.deltaIds.length).toBeGreaterThan(0);
		expect(after.deltaIds.some((id) => shown.deltaIds.includes(id))).toBe(false);
		const [since] = (await findUnshownPolls(db.sql, allShards)).filter((row) => row.guildId === guild);
		expect(since!.since).toBe(
			after.deltaIds
				.map(BigInt)
				.reduce((a, b) => (a < b ? a : b))
				.toString()
		);
	});

	test('GIVEN a folded poll WHEN it is marked unshown THEN it is found to heal, its counts unchanged, until an edit folds the mark', async () => {
		const guild = '110000000000000033';
		const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
		await vote(poll.number, user(1), { kind: 'toggle', option: 1 }, guild);
		await foldShownDeltas(db.sql, guild, poll.number, (await readPollState(db.sql, guild, poll.number)).unwrap());
		expect((await findUnshownPolls(db.sql, allShards)).map((row) => row.guildId)).not.toContain(guild);

		await markUnshown(db.sql, guild, poll.number);
		expect((await findUnshownPolls(db.sql, allShards)).map((row) => row.guildId)).toContain(guild);
		const marked = (await readPollState(db.sql, guild, poll.number)).unwrap();
		expect(marked.options.map((option) => option.votes)).toEqual([0, 1, 0]);
		expect(marked.poll.voterCount).toBe(1);
		expect(await foldShownDeltas(db.sql, guild, poll.number, marked)).toBe(true);
		expect(await counts(guild, poll.number)).toEqual({ votes: [0, 1, 0], voters: 1 });
		expect((await findUnshownPolls(db.sql, allShards)).map((row) => row.guildId)).not.toContain(guild);
	});

	test('GIVEN a message rendered from a read WHEN another fold, an edit of the poll or a ranked ballot comes before its own fold THEN the fold says it may be behind', async () => {
		const guild = '110000000000000034';
		const read = async (number: number) => (await readPollState(db.sql, guild, number)).unwrap();
		const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
		await vote(poll.number, user(1), { kind: 'toggle', option: 0 }, guild);

		// Two processes read the same state; the first to fold is current, the second finds its deltas gone.
		const [older, newer] = [await read(poll.number), await read(poll.number)];
		expect(await foldShownDeltas(db.sql, guild, poll.number, newer)).toBe(true);
		expect(await foldShownDeltas(db.sql, guild, poll.number, older)).toBe(false);

		// Another process read after a vote, and folded it, before this one's fold: none of this read's deltas is left
		// to tell, only the option's version.
		const stale = await read(poll.number);
		await vote(poll.number, user(2), { kind: 'toggle', option: 1 }, guild);
		expect(await foldShownDeltas(db.sql, guild, poll.number, await read(poll.number))).toBe(true);
		expect(await foldShownDeltas(db.sql, guild, poll.number, stale)).toBe(false);

		// An edit of the question between the read and the fold, with no vote at all.
		const beforeEdit = await read(poll.number);
		await db.sql`update polls set question = 'Renamed?' where guild_id = ${guild} and poll_number = ${poll.number}`;
		expect(await foldShownDeltas(db.sql, guild, poll.number, beforeEdit)).toBe(false);
		expect(await foldShownDeltas(db.sql, guild, poll.number, await read(poll.number)), 'read again: current').toBe(true);

		// A ranked ballot whose first choice stays: its delta takes the choice away and gives it back.
		const ranked = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: pollDraft({ ranked: true }) });
		await vote(ranked.number, user(1), { kind: 'replace', options: [0, 1] }, guild);
		expect(await foldShownDeltas(db.sql, guild, ranked.number, await read(ranked.number))).toBe(true);
		const shownBallot = await read(ranked.number);
		await vote(ranked.number, user(1), { kind: 'replace', options: [0, 2] }, guild);
		expect(await foldShownDeltas(db.sql, guild, ranked.number, await read(ranked.number))).toBe(true);
		expect(await foldShownDeltas(db.sql, guild, ranked.number, shownBallot)).toBe(false);
		expect(await counts(guild, ranked.number)).toEqual({ votes: [1, 0, 0], voters: 1 });

		// Whatever another process folded, even a delta that changes no count (a mark), it rewrote the poll's row.
		const beforeMark = await read(ranked.number);
		await markUnshown(db.sql, guild, ranked.number);
		expect(await foldShownDeltas(db.sql, guild, ranked.number, await read(ranked.number))).toBe(true);
		expect(await foldShownDeltas(db.sql, guild, ranked.number, beforeMark)).toBe(false);
	});

	test('GIVEN another transaction holding the poll row WHEN a fold comes THEN the fold waits for the row before it locks any option (the order of an edit of the poll)', async () => {
		const guild = '110000000000000036';
		const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
		await vote(poll.number, user(1), { kind: 'toggle', option: 0 }, guild);
		const read = (await readPollState(db.sql, guild, poll.number)).unwrap();
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		let rowLocked!: () => void;
		const locked = new Promise<void>((resolve) => (rowLocked = resolve));
		// life-repository.ts's editPoll: the poll's row first; it would then rewrite the options.
		const holder = db.sql.begin(async (tx) => {
			await tx`select from polls where guild_id = ${guild} and poll_number = ${poll.number} for update`;
			rowLocked();
			await released;
		});
		await locked;
		const fold = foldShownDeltas(db.sql, guild, poll.number, read);
		try {
			const waiting = async () => {
				const [row] = await db.sql<{ count: number }[]>`
					select count(*)::int as count from pg_stat_activity
				where datname = current_database() and wait_event_type = 'Lock' and query like '%delete from poll_count_deltas%'`;
				return row!.count > 0;
			};
			for (let tries = 0; !(await waiting()); tries++) {
				if (tries > 100) throw new Error('the fold never waited for the poll row');
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
			// Were an option locked by the fold by now, an edit holding the row would wait for it while the fold waits for
			// the edit: a deadlock, which PostgreSQL ends by failing one of them.
			const lockable = await db.sql.begin(async (tx) => {
				const rows = await tx`select from poll_options where guild_id = ${guild} and poll_number = ${poll.number} for update nowait`;
				return rows.length;
			});
			expect(lockable).toBe(3);
		} finally {
			// Released whatever happened above, so that a failure here leaves no transaction holding the row.
			release();
			await holder;
		}
		await expect(fold).resolves.toBe(true);
		expect(await counts(guild, poll.number)).toEqual({ votes: [1, 0, 0], voters: 1 });
	});

	test('GIVEN polls stored 16 minutes ago and never posted WHEN the unposted are deleted while a first vote is in flight THEN only those nobody voted on go', async () => {
		const guild = '110000000000000035';
		const aged = async () => {
			const poll = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft });
			await db.sql`update polls set created_at = now() - interval '16 minutes' where guild_id = ${guild} and poll_number = ${poll.number}`;
			return poll.number;
		};
		const [nobody, voting, closed] = [await aged(), await aged(), await aged()];
		const recent = (await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft })).number;
		(await closePoll(db.sql, guild, closed, { reason: 'deadline', userId: null })).unwrap();
		const fifteenMinutes = 15 * 60_000;

		// A vote in flight on `voting`: its close lock held (shared, as migrations/013's batches take it), its delta
		// written and not committed when the delete starts.
		let commitVote!: () => void;
		const committed = new Promise<void>((resolve) => (commitVote = resolve));
		const inFlight = db.sql.begin(async (tx) => {
			await tx`select pg_advisory_xact_lock_shared(hashtextextended(${`poll-close:${guild}:${voting}`}, 0))`;
			await tx`insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas) values (${guild}, ${voting}, 1, '{0}', '{1}')`;
			await committed;
		});
		await new Promise((resolve) => setTimeout(resolve, 100));
		const deleting = deleteUnpostedPolls(db.sql, allShards, fifteenMinutes);
		await new Promise((resolve) => setTimeout(resolve, 200));
		commitVote();
		await inFlight;
		expect((await deleting).map((poll) => poll.number)).toEqual([nobody]);
		const left = await db.sql<{ number: number }[]>`select poll_number as number from polls where guild_id = ${guild} order by poll_number`;
		expect(left.map((row) => row.number)).toEqual([voting, closed, recent]);
	});

	test('GIVEN two servers WHEN polls are created THEN each server numbers its own from 1', async () => {
		const a1 = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		const b1 = await createPoll(db.sql, { guildId: guildB, channelId: channel, creatorId: creator, draft });
		const a2 = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		expect([a1.number, b1.number, a2.number]).toEqual([1, 1, 2]);
		expect((await readPollState(db.sql, guildA, 1)).unwrap().options.map((option) => option.label)).toEqual(['Pizza', 'Sushi', 'Tacos']);
		expect((await findPoll(db.sql, guildB, 2)).unwrapErr()).toBe('notFound');
	});

	test('GIVEN 20 polls created at once in one server WHEN numbered THEN the numbers are distinct and gapless', async () => {
		const guild = '110000000000000009';
		const polls = await Promise.all(
			Array.from({ length: 20 }, () => createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft }))
		);
		expect(polls.map((poll) => poll.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
	});

	test('GIVEN a vote WHEN the member clicks another option, then it again later THEN the vote moves, then is retracted', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		expect((await vote(number, user(1), { kind: 'toggle', option: 0 })).unwrap().choices).toEqual([0]);
		expect((await vote(number, user(1), { kind: 'toggle', option: 2 })).unwrap().choices).toEqual([2]);
		expect(await counts(guildA, number)).toEqual({ votes: [0, 0, 1], voters: 1 });
		await db.sql`update poll_votes set voted_at = voted_at - interval '5 seconds' where guild_id = ${guildA} and poll_number = ${number}`;
		expect((await vote(number, user(1), { kind: 'toggle', option: 2 })).unwrap().choices).toEqual([]);
		expect(await counts(guildA, number)).toEqual({ votes: [0, 0, 0], voters: 0 });
	});

	test('GIVEN a member’s vote WHEN they change it, retract it or replace a selection THEN each outcome also says what they had before', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		const before = async (action: VoteInput['action']) => {
			const outcome = (await vote(number, user(2), action)).unwrap();
			return { previous: outcome.previousChoices, now: outcome.choices };
		};
		expect(await before({ kind: 'toggle', option: 0 })).toEqual({ previous: [], now: [0] });
		expect(await before({ kind: 'toggle', option: 1 })).toEqual({ previous: [0], now: [1] });
		await db.sql`update poll_votes set voted_at = voted_at - interval '5 seconds' where guild_id = ${guildA} and poll_number = ${number}`;
		expect(await before({ kind: 'toggle', option: 1 })).toEqual({ previous: [1], now: [] });

		const anonymous = await createPoll(db.sql, {
			guildId: guildA,
			channelId: channel,
			creatorId: creator,
			draft: pollDraft({ anonymous: true, maxChoices: 3 })
		});
		const replace = async (options: number[]) => {
			const outcome = (
				await castVote(db.sql, {
					guildId: guildA,
					number: anonymous.number,
					userId: user(2),
					memberRoleIds: [],
					action: { kind: 'replace', options }
				})
			).unwrap();
			return { previous: outcome.previousChoices, now: outcome.choices };
		};
		expect(await replace([0, 2])).toEqual({ previous: [], now: [0, 2] });
		expect(await replace([1, 2])).toEqual({ previous: [0, 2], now: [1, 2] });
	});

	test('GIVEN a double click (two clicks on one option at once) WHEN both are recorded THEN there is one vote', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		const results = await Promise.all([
			vote(number, user(2), { kind: 'toggle', option: 1 }),
			vote(number, user(2), { kind: 'toggle', option: 1 })
		]);
		expect(results.map((result) => result.unwrap().choices)).toEqual([[1], [1]]);
		expect(await counts(guildA, number)).toEqual({ votes: [0, 1, 0], voters: 1 });
	});

	test('GIVEN a member clicking two options at once in a single-choice poll WHEN recorded THEN only one vote remains', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		await Promise.all([vote(number, user(3), { kind: 'toggle', option: 0 }), vote(number, user(3), { kind: 'toggle', option: 2 })]);
		const { votes, voters } = await counts(guildA, number);
		expect(votes.reduce((sum, count) => sum + count, 0)).toBe(1);
		expect(voters).toBe(1);
		expect((await findChoices(db.sql, guildA, number, user(3))).unwrap().choices).toHaveLength(1);
	});

	test('GIVEN 1,000 members voting at the same moment WHEN counted THEN there are exactly 1,000 votes', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		const results = await Promise.all(
			Array.from({ length: 1_000 }, (_, index) => vote(number, user(1_000 + index), { kind: 'toggle', option: index % 3 }))
		);
		expect(results.every((result) => result.isOk())).toBe(true);
		expect(await counts(guildA, number)).toEqual({ votes: [334, 333, 333], voters: 1_000 });
		const [raw] = await db.sql<
			{ count: number }[]
		>`select count(*)::int as count from poll_votes where guild_id = ${guildA} and poll_number = ${number}`;
		expect(raw!.count).toBe(1_000);
	});

	test('GIVEN a multi-choice poll WHEN a member submits, changes and empties the select THEN counts follow exactly', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft: { ...draft, maxChoices: 2 } });
		await vote(number, user(4), { kind: 'replace', options: [0, 1] });
		await vote(number, user(5), { kind: 'replace', options: [1] });
		expect(await counts(guildA, number)).toEqual({ votes: [1, 2, 0], voters: 2 });
		await vote(number, user(4), { kind: 'replace', options: [1, 2] });
		expect(await counts(guildA, number)).toEqual({ votes: [0, 2, 1], voters: 2 });
		await vote(number, user(4), { kind: 'replace', options: [] });
		expect(await counts(guildA, number)).toEqual({ votes: [0, 1, 0], voters: 1 });
	});

	test('GIVEN bad votes WHEN recorded THEN each is refused and nothing changes', async () => {
		const { number } = await createPoll(db.sql, {
			guildId: guildA,
			channelId: channel,
			creatorId: creator,
			draft: { ...draft, roleId: '150000000000000001' }
		});
		expect((await vote(number, user(6), { kind: 'toggle', option: 0 })).unwrapErr()).toBe('missingRole');
		expect((await vote(number, user(6), { kind: 'toggle', option: 3 }, guildA, ['150000000000000001'])).unwrapErr()).toBe('badOption');
		expect((await vote(999, user(6), { kind: 'toggle', option: 0 })).unwrapErr()).toBe('notFound');
		expect((await vote(number, user(6), { kind: 'toggle', option: 0 }, guildA, ['150000000000000001'])).isOk()).toBe(true);
		expect((await closePoll(db.sql, guildA, number, { reason: 'command', userId: creator })).isOk()).toBe(true);
		expect((await vote(number, user(7), { kind: 'toggle', option: 0 }, guildA, ['150000000000000001'])).unwrapErr()).toBe('closed');
		expect((await closePoll(db.sql, guildA, number, { reason: 'command', userId: creator })).unwrapErr()).toBe('closed');
		expect(await counts(guildA, number)).toEqual({ votes: [1, 0, 0], voters: 1 });
	});

	test('GIVEN a poll past its deadline that no scheduler has claimed yet WHEN a member votes THEN it is refused as closed and nothing is stored', async () => {
		const { number } = await createPoll(db.sql, {
			guildId: guildA,
			channelId: channel,
			creatorId: creator,
			draft: { ...draft, durationMs: 60_000 }
		});
		expect((await vote(number, user(9), { kind: 'toggle', option: 0 })).isOk()).toBe(true);
		await db.sql`update polls set closes_at = now() - interval '1 second' where guild_id = ${guildA} and poll_number = ${number}`;
		expect((await findPoll(db.sql, guildA, number)).unwrap().closedAt).toBeNull();
		expect((await vote(number, user(10), { kind: 'toggle', option: 1 })).unwrapErr()).toBe('closed');
		expect((await vote(number, user(9), { kind: 'toggle', option: 0 })).unwrapErr()).toBe('closed');
		expect((await vote(number, user(10), { kind: 'replace', options: [2] })).unwrapErr()).toBe('closed');
		const stored = await db.sql<{ voter: string; option: number }[]>`
			select voter, option_index as option from poll_votes where guild_id = ${guildA} and poll_number = ${number}
		`;
		expect([...stored]).toEqual([{ voter: user(9), option: 0 }]);
		expect(await counts(guildA, number)).toEqual({ votes: [1, 0, 0], voters: 1 });
	});

	test('GIVEN an open poll, and one past its deadline WHEN closeIfDue runs twice on each THEN only the overdue one closes, once', async () => {
		const open = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft: { ...draft, durationMs: 60_000 } });
		const overdue = await createPoll(db.sql, {
			guildId: guildA,
			channelId: channel,
			creatorId: creator,
			draft: { ...draft, durationMs: 60_000 }
		});
		await db.sql`update polls set closes_at = now() - interval '1 second' where guild_id = ${guildA} and poll_number = ${overdue.number}`;
		expect(await closeIfDue(db.sql, guildA, open.number)).toBeNull();
		const [first, second] = await Promise.all([closeIfDue(db.sql, guildA, overdue.number), closeIfDue(db.sql, guildA, overdue.number)]);
		expect([first, second].filter((row) => row !== null).map((row) => row!.closeReason)).toEqual(['deadline']);
		expect((await findPoll(db.sql, guildA, open.number)).unwrap().closedAt).toBeNull();
		expect(await claimDuePolls(db.sql, allShards)).not.toContainEqual(expect.objectContaining({ guildId: guildA, number: overdue.number }));
	});

	test('GIVEN an anonymous poll WHEN voted and closed THEN no vote names a user, and after close nobody can be linked', async () => {
		const { number } = await createPoll(db.sql, {
			guildId: guildA,
			channelId: channel,
			creatorId: creator,
			draft: { ...draft, anonymous: true }
		});
		await vote(number, user(8), { kind: 'toggle', option: 1 });
		expect((await findChoices(db.sql, guildA, number, user(8))).unwrap().choices).toEqual([1]);
		const stored = await db.sql<{ voter: string }[]>`select voter from poll_votes where guild_id = ${guildA} and poll_number = ${number}`;
		expect(stored.map((row) => row.voter)).not.toContain(user(8));
		expect(await listVotes(db.sql, guildA, number, 100)).toEqual([]);
		await closePoll(db.sql, guildA, number, { reason: 'command', userId: creator });
		const [row] = await db.sql<{ salt: Buffer | null; times: number }[]>`
			select voter_salt as salt, (select count(voted_at)::int from poll_votes where guild_id = ${guildA} and poll_number = ${number}) as times
			from polls where guild_id = ${guildA} and poll_number = ${number}
		`;
		expect(row).toEqual({ salt: null, times: 0 });
		expect((await findChoices(db.sql, guildA, number, user(8))).unwrapErr()).toBe('unlinkable');
		expect(await counts(guildA, number)).toEqual({ votes: [0, 1, 0], voters: 1 });
	});

	test('GIVEN due polls and two claimers at once WHEN they claim THEN each poll is closed exactly once', async () => {
		const guild = '110000000000000003';
		const created = await Promise.all(
			Array.from({ length: 10 }, () =>
				createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: { ...draft, durationMs: 60_000 } })
			)
		);
		const notDue = await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: { ...draft, durationMs: 60_000 } });
		await db.sql`update polls set closes_at = now() - interval '1 second' where guild_id = ${guild} and poll_number <> ${notDue.number}`;
		const [first, second] = await Promise.all([claimDuePolls(db.sql, allShards, 5), claimDuePolls(db.sql, allShards, 5)]);
		const third = await claimDuePolls(db.sql, allShards);
		const claimed = [...first!, ...second!, ...third].filter((poll) => poll.guildId === guild).map((poll) => poll.number);
		expect(claimed.sort((a, b) => a - b)).toEqual(created.map((poll) => poll.number).sort((a, b) => a - b));
		expect((await findPoll(db.sql, guild, notDue.number)).unwrap().closedAt).toBeNull();
		expect(await claimDuePolls(db.sql, allShards)).toEqual([]);
	});

	test('GIVEN due polls of servers on shards 0 and 1 of 2 WHEN the claimer for shard 0 claims THEN it leaves shard 1’s poll to its own process', async () => {
		const onShard = (shard: number) => String(((1_000_000_000n * 2n + BigInt(shard)) << 22n) | 5n);
		const [zero, one] = [onShard(0), onShard(1)];
		expect([(BigInt(zero) >> 22n) % 2n, (BigInt(one) >> 22n) % 2n]).toEqual([0n, 1n]);
		const polls = await Promise.all(
			[zero, one].map((guildId) =>
				createPoll(db.sql, { guildId, channelId: channel, creatorId: creator, draft: { ...draft, durationMs: 60_000 } })
			)
		);
		await db.sql`update polls set closes_at = now() - interval '1 second' where guild_id in (${zero}, ${one})`;
		const byFirst = await claimDuePolls(db.sql, { count: 2, ids: [0] });
		expect(byFirst.filter((poll) => poll.guildId === one)).toEqual([]);
		expect(byFirst.filter((poll) => poll.guildId === zero).map((poll) => poll.number)).toEqual([polls[0]!.number]);
		expect((await findPoll(db.sql, one, polls[1]!.number)).unwrap().closedAt).toBeNull();
		const bySecond = await claimDuePolls(db.sql, { count: 2, ids: [1] });
		expect(bySecond.map((poll) => [poll.guildId, poll.number])).toEqual([[one, polls[1]!.number]]);
		expect(await claimDuePolls(db.sql, { count: 2, ids: [0, 1] })).toEqual([]);
	});

	test('GIVEN a poll closed without being announced WHEN schedulers look for such polls THEN one takes it after the grace period, once, until it is announced', async () => {
		const onShard = (shard: number) => String(((1_000_000_100n * 2n + BigInt(shard)) << 22n) | 7n);
		const [zero, one] = [onShard(0), onShard(1)];
		const [mine, other] = await Promise.all(
			[zero, one].map((guildId) => createPoll(db.sql, { guildId, channelId: channel, creatorId: creator, draft }))
		);
		for (const poll of [mine!, other!]) await closePoll(db.sql, poll.guildId, poll.number, { reason: 'command', userId: creator });
		const scope = { count: 2, ids: [0] };
		const taken = async () => (await claimUnannounced(db.sql, scope)).filter((poll) => poll.guildId === zero).map((poll) => poll.number);
		// Within the grace period the process that closed it is still announcing it.
		expect(await taken()).toEqual([]);
		await db.sql`update polls set closed_at = closed_at - interval '11 seconds' where guild_id in (${zero}, ${one})`;
		const [first, second] = await Promise.all([taken(), taken()]);
		expect([...first, ...second]).toEqual([mine!.number]);
		expect(await taken()).toEqual([]);
		// An attempt that never finished is offered again a minute later; an announced poll never again.
		await db.sql`update polls set announce_attempted_at = announce_attempted_at - interval '61 seconds' where guild_id = ${zero}`;
		expect(await taken()).toEqual([mine!.number]);
		await markCloseAnnounced(db.sql, zero, mine!.number);
		await db.sql`update polls set announce_attempted_at = announce_attempted_at - interval '61 seconds' where guild_id = ${zero}`;
		expect(await taken()).toEqual([]);
		expect((await claimUnannounced(db.sql, { count: 2, ids: [1] })).map((poll) => poll.guildId)).toContain(one);
	});

	test('GIVEN votes racing a close WHEN both run THEN the final counts equal the votes stored, and none is accepted after', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft });
		const votes = Array.from({ length: 200 }, (_, index) => vote(number, user(5_000 + index), { kind: 'toggle', option: 0 }));
		const closing = closePoll(db.sql, guildA, number, { reason: 'deadline', userId: null });
		const results = await Promise.all(votes);
		expect((await closing).isOk()).toBe(true);
		const accepted = results.filter((result) => result.isOk()).length;
		expect(results.filter((result) => result.isErr()).every((result) => result.unwrapErr() === 'closed')).toBe(true);
		expect(await counts(guildA, number)).toEqual({ votes: [accepted, 0, 0], voters: accepted });
		// Compared in the database, to the microsecond: a vote committed in the same millisecond just before the close
		// would look late against the millisecond Date that reaches JavaScript.
		const [late] = await db.sql<{ count: number }[]>`
			select count(*)::int as count from poll_votes v join polls p using (guild_id, poll_number)
			where v.guild_id = ${guildA} and v.poll_number = ${number} and v.voted_at > p.closed_at
		`;
		expect(late!.count).toBe(0);
	});

	test('GIVEN 30 votes WHEN listed with a limit of 10 THEN the first 10 by member come back, in primary key order', async () => {
		const { number } = await createPoll(db.sql, { guildId: guildA, channelId: channel, creatorId: creator, draft: { ...draft, maxChoices: 2 } });
		await Promise.all(Array.from({ length: 15 }, (_, index) => vote(number, user(7_000 + index), { kind: 'replace', options: [0, 2] })));
		const listed = await listVotes(db.sql, guildA, number, 10);
		expect(listed.map((row) => [row.userId, row.option])).toEqual(
			Array.from({ length: 5 }, (_, index) => [
				[user(7_000 + index), 0],
				[user(7_000 + index), 2]
			]).flat()
		);
		expect(await listVotes(db.sql, guildA, number, 100)).toHaveLength(30);
	});

	test('GIVEN open and closed polls WHEN a page of the list is read THEN open ones come first, then closed ones by most recent close', async () => {
		const guild = '110000000000000011';
		const made = [];
		for (const question of ['first', 'second', 'third', 'fourth']) {
			made.push(await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: { ...draft, question } }));
		}
		// Closed in the order third, first: the first is the most recent close.
		await closePoll(db.sql, guild, made[2]!.number, { reason: 'command', userId: creator });
		await closePoll(db.sql, guild, made[0]!.number, { reason: 'command', userId: creator });
		const page = (offset: number) => listPollPage(db.sql, guild, { limit: 3, offset });
		const first = await page(0);
		expect(first.polls.map((poll) => [poll.question, poll.section])).toEqual([
			['fourth', 'open'],
			['second', 'open'],
			['first', 'closed']
		]);
		expect(first.counts).toEqual({ open: 2, scheduled: 0, closed: 2 });
		expect((await page(3)).polls.map((poll) => poll.question)).toEqual(['third']);
		expect((await listPollPage(db.sql, guildB, { limit: 3, offset: 0 })).polls.every((poll) => poll.guildId === guildB)).toBe(true);
	});

	test('GIVEN open and closed polls WHEN listed and searched THEN only this server’s polls come back', async () => {
		const guild = '110000000000000004';
		await createPoll(db.sql, { guildId: guild, channelId: channel, creatorId: creator, draft: { ...draft, question: 'Best editor?' } });
		const second = await createPoll(db.sql, {
			guildId: guild,
			channelId: channel,
			creatorId: creator,
			draft: { ...draft, question: 'Tabs or spaces?' }
		});
		await closePoll(db.sql, guild, second.number, { reason: 'command', userId: creator });
		const listed = (await listPollPage(db.sql, guild, { limit: 10, offset: 0 })).polls;
		expect(listed.map((poll) => [poll.question, poll.section])).toEqual([
			['Best editor?', 'open'],
			['Tabs or spaces?', 'closed']
		]);
		expect((await searchPolls(db.sql, guild, 'tabs')).map((poll) => poll.number)).toEqual([2]);
		expect((await searchPolls(db.sql, guild, '#1')).map((poll) => poll.number)).toEqual([1]);
		expect((await searchPolls(db.sql, guild, '')).map((poll) => poll.number)).toEqual([1, 2]);
	});
});
