import postgres from 'postgres';
import { afterAll, describe, expect, test } from 'vitest';
import { discordEpochMs } from '../../src/lib/interaction-claims.js';
import { castVote, claimDuePolls, createPoll, readPollState } from '../../src/lib/polls/repository.js';
import { BotMetrics } from '../../src/lib/metrics/index.js';
import { voteBatchTotals, VoteBatches } from '../../src/lib/polls/vote-batches.js';
import { useMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

/** A `send` that answers each vote with itself doubled once released, and remembers the batches it was given. */
function heldSender() {
	const sent: number[][] = [];
	const releases: (() => void)[] = [];
	const send = (votes: readonly number[]) =>
		new Promise<number[]>((resolve) => {
			sent.push([...votes]);
			releases.push(() => resolve(votes.map((vote) => vote * 2)));
		});
	return { sent, send, releaseNext: () => releases.shift()?.() };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Casts `stalled` and lets it leave (it stays out until released), then casts `waiting`, which needs a second lane;
 * returns what gives both answers once released.
 */
async function behindAStalledBatch(batches: VoteBatches<number, number>, stalled: number, waiting: number) {
	const held = batches.cast(stalled);
	await turn();
	const queued = batches.cast(waiting);
	return () => Promise.all([held, queued]);
}

describe('GIVEN vote batches', () => {
	test('WHEN votes are asked in one turn THEN they leave in one batch, and each gets its own answer', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 2, votes: 50, slowMs: 20 });
		const answers = Promise.all([1, 2, 3].map((vote) => batches.cast(vote)));
		await turn();
		expect(sent).toEqual([[1, 2, 3]]);
		releaseNext();
		expect(await answers).toEqual([2, 4, 6]);
	});

	test('WHEN batches go THEN /metrics counts the statements and the votes they carried', async () => {
		const { send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 1, votes: 50, slowMs: 20 });
		const before = { ...voteBatchTotals };
		const answers = Promise.all([1, 2, 3, 4].map((vote) => batches.cast(vote)));
		await turn();
		releaseNext();
		await answers;
		const text = await new BotMetrics({ defaultMetrics: false }).registry.metrics();
		expect(text).toContain(`discord_bot_vote_batches_total ${before.batches + 1}\n`);
		expect(text).toContain(`discord_bot_vote_batch_votes_total ${before.votes + 4}\n`);
	});

	test('WHEN a batch is out THEN later votes wait, and leave together when it comes back', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 2, votes: 50, slowMs: 60_000 });
		const first = [1, 2].map((vote) => batches.cast(vote));
		await turn();
		const later = [3, 4, 5].map((vote) => batches.cast(vote));
		await turn();
		expect(sent).toEqual([[1, 2]]);
		expect(batches.state).toEqual({ out: 1, waiting: 3 });
		releaseNext();
		await turn();
		await turn();
		expect(sent).toEqual([
			[1, 2],
			[3, 4, 5]
		]);
		releaseNext();
		expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10]);
		expect(batches.state).toEqual({ out: 0, waiting: 0 });
	});

	test('WHEN a batch is slow (waiting on a lock) THEN the next leaves beside it, and never more than the limit are out', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 2, votes: 50, slowMs: 40 });
		const cast = [batches.cast(1)];
		await turn();
		cast.push(batches.cast(2));
		await turn();
		expect(sent).toEqual([[1]]);
		await sleep(80);
		expect(sent).toEqual([[1], [2]]);
		cast.push(batches.cast(3));
		await sleep(80);
		// Both lanes are out: the third vote waits for one of them, however slow.
		expect(sent).toHaveLength(2);
		expect(batches.state).toEqual({ out: 2, waiting: 1 });
		releaseNext();
		await turn();
		await turn();
		expect(sent[2]).toEqual([3]);
		releaseNext();
		releaseNext();
		expect(await Promise.all(cast)).toEqual([2, 4, 6]);
	});

	test('WHEN batches have come back quickly and one stalls THEN the next leaves after a few times their usual time, not slowMs', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 2, votes: 50, slowMs: 5_000, slowFactor: 4, minSlowMs: 30 });
		for (const vote of [1, 2, 3]) {
			const answer = batches.cast(vote);
			await turn();
			releaseNext();
			expect(await answer).toBe(vote * 2);
		}
		const answers = await behindAStalledBatch(batches, 4, 5);
		await sleep(10);
		// Under the floor of 30 ms, however quick the batches were: still waiting for the stalled one.
		expect(sent.at(-1)).toEqual([4]);
		await sleep(150);
		expect(sent.at(-1)).toEqual([5]);
		releaseNext();
		releaseNext();
		expect(await answers()).toEqual([8, 10]);
	});

	test('WHEN no batch has come back yet, or batches were slow all along THEN slowMs is the most the next one waits', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 2, votes: 50, slowMs: 120, slowFactor: 4, minSlowMs: 1 });
		const firstAnswers = await behindAStalledBatch(batches, 1, 2);
		await sleep(60);
		expect(sent).toEqual([[1]]);
		await sleep(150);
		expect(sent).toEqual([[1], [2]]);
		// Batches that took 170-230 ms: four times that is far past 120 ms, the most a batch may wait.
		await sleep(20);
		releaseNext();
		releaseNext();
		expect(await firstAnswers()).toEqual([2, 4]);
		const laterAnswers = await behindAStalledBatch(batches, 3, 4);
		await sleep(60);
		expect(sent).toHaveLength(3);
		await sleep(150);
		expect(sent.at(-1)).toEqual([4]);
		releaseNext();
		releaseNext();
		expect(await laterAnswers()).toEqual([6, 8]);
	});

	test('WHEN more votes wait than a batch carries THEN they leave in batches of the limit, one after the other', async () => {
		const { sent, send, releaseNext } = heldSender();
		const batches = new VoteBatches(send, { batches: 1, votes: 2, slowMs: 0 });
		const cast = [1, 2, 3, 4, 5].map((vote) => batches.cast(vote));
		for (let batch = 0; batch < 3; batch++) {
			await turn();
			await turn();
			releaseNext();
		}
		expect(await Promise.all(cast)).toEqual([2, 4, 6, 8, 10]);
		expect(sent).toEqual([[1, 2], [3, 4], [5]]);
	});

	test('WHEN a batch fails THEN each of its votes gets the error, and the next batch still goes', async () => {
		let calls = 0;
		const batches = new VoteBatches(
			async (votes: readonly number[]) => {
				if (calls++ === 0) throw new Error('connection lost');
				return votes.map((vote) => vote + 1);
			},
			{ batches: 1, votes: 10, slowMs: 20 }
		);
		const failed = [1, 2].map((vote) => batches.cast(vote));
		const results = await Promise.allSettled(failed);
		expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
		expect(await batches.cast(7)).toBe(8);
	});

	test('WHEN a batch is answered for fewer votes than it carried THEN none of them gets an answer that may be another’s', async () => {
		const batches = new VoteBatches(async (votes: readonly number[]) => votes.slice(1), { batches: 1, votes: 10, slowMs: 20 });
		const results = await Promise.allSettled([1, 2].map((vote) => batches.cast(vote)));
		expect(results.every((result) => result.status === 'rejected')).toBe(true);
	});
});

describe('GIVEN poll_cast_votes', () => {
	const db = useMigratedDatabase({ poolSize: 6 });
	const others: postgres.Sql[] = [];
	afterAll(async () => {
		for (const other of others) await other.end({ timeout: 1 });
	});
	const guildId = '1400000000000000001';
	let increment = 0n;
	const interactionId = () => String(((BigInt(Date.now()) - BigInt(discordEpochMs)) << 22n) | (increment++ & 0x3fffffn));
	const member = (index: number) => String(1500000000000000000n + BigInt(index));
	const newPoll = (options = ['A', 'B', 'C'], maxChoices = 1) =>
		createPoll(db.sql, { guildId, channelId: guildId, creatorId: guildId, draft: pollDraft({ options, maxChoices }) });

	/** Claims `ids` in a transaction of its own, kept open until `release` rolls it back. */
	async function holdClaims(ids: string[]) {
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		let inserted!: () => void;
		const holding = new Promise<void>((resolve) => (inserted = resolve));
		const transaction = db.sql
			.begin(async (tx) => {
				await tx`insert into interaction_claims (interaction_id) select unnest(${ids}::bigint[])`;
				inserted();
				await held;
				throw new Error('rolled back on purpose');
			})
			.catch(() => {});
		await holding;
		return {
			release: async () => {
				release();
				await transaction;
			}
		};
	}

	test('WHEN twin processes cast the same 40 interactions at the same moment, in opposite orders THEN each is cast once, and neither batch deadlocks', async () => {
		const poll = await newPoll();
		const twin = postgres(db.url, { max: 4, onnotice: () => {} });
		others.push(twin);
		// 20 members, two clicks each on different options: a member's clicks cross between the twins' batches.
		const clicks = Array.from({ length: 40 }, (_, index) => ({ id: interactionId(), user: member(index % 20), option: index % 2 }));
		// Other transactions hold some of the claims, so that the batches (one given the clicks in order, the other in
		// reverse) wait for them and then run at the same moment: first the first and last clicks', then the two in the
		// middle, which an unordered claim would take one in each batch, each then waiting for the other's.
		const first = await holdClaims([clicks[0]!.id, clicks[39]!.id]);
		const middle = await holdClaims([clicks[19]!.id, clicks[20]!.id]);
		const cast = (sql: postgres.Sql, click: (typeof clicks)[number]) =>
			castVote(sql, {
				guildId,
				number: poll.number,
				userId: click.user,
				memberRoleIds: [],
				action: { kind: 'toggle', option: click.option },
				interactionId: click.id,
				notAfter: new Date(Date.now() + 10_000)
			});
		const casting = Promise.all([...clicks.map((click) => cast(db.sql, click)), ...[...clicks].reverse().map((click) => cast(twin, click))]);
		const bothWaiting = () =>
			expect
				.poll(async () => {
					const [row] = await twin<{ count: number }[]>`
						select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
					`;
					return row!.count;
				})
				.toBe(2);
		await bothWaiting();
		await first.release();
		await bothWaiting();
		await middle.release();
		const outcomes = await casting;
		expect(outcomes.filter((outcome) => outcome.isErr()).map((outcome) => outcome.unwrapErr())).toEqual(
			Array.from({ length: 40 }, () => 'taken')
		);
		expect(outcomes.filter((outcome) => outcome.isOk())).toHaveLength(40);
		const [claims] = await db.sql<{ count: number }[]>`
			select count(*)::int as count from interaction_claims where interaction_id = any(${clicks.map((click) => click.id)}::bigint[])
		`;
		expect(claims!.count).toBe(40);
		// Single choice: each member ends on one option, whichever of their clicks applied last; the counts agree.
		const state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		const stored = await db.sql<{ voter: string }[]>`select voter from poll_votes where guild_id = ${guildId} and poll_number = ${poll.number}`;
		expect(new Set(stored.map((row) => row.voter)).size).toBe(20);
		expect(stored).toHaveLength(20);
		expect(state.options.reduce((sum, option) => sum + option.votes, 0)).toBe(20);
	});

	test('WHEN the scheduler closes six due polls while a batch votes on all of them THEN neither waits for the other for good', async () => {
		const polls = [];
		for (let index = 0; index < 6; index++) polls.push(await newPoll());
		const numbers = polls.map((poll) => poll.number);
		// Due in creation order: a close that took their close locks row by row would not take them in key order.
		for (const [index, number] of numbers.entries())
			await db.sql`update polls set closes_at = now() - make_interval(mins => ${10 - index}) where guild_id = ${guildId} and poll_number = ${number}`;
		const keys = await db.sql<{ key: string }[]>`
			select hashtextextended('poll-close:' || guild_id || ':' || poll_number, 0)::text as key
			from polls where guild_id = ${guildId} and poll_number = any(${numbers}::int[])
		`;
		// Another transaction holds every one of their close locks until the scheduler, then the batch, wait for it;
		// when it lets go, each takes what it was first in line for, and goes on in its own order.
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		let locked!: () => void;
		const holding = new Promise<void>((resolve) => (locked = resolve));
		const holder = db.sql.begin(async (tx) => {
			await tx`select pg_advisory_xact_lock(key) from unnest(${keys.map((row) => row.key)}::bigint[]) as key`;
			locked();
			await held;
		});
		await holding;
		const waiting = async () => {
			const [row] = await db.sql<{ count: number }[]>`
				select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'
			`;
			return row!.count;
		};
		const closing = claimDuePolls(db.sql, { count: 1, ids: [0] }, 10);
		await expect.poll(waiting).toBe(1);
		const voting = Promise.all(
			numbers.map((number, index) =>
				castVote(db.sql, { guildId, number, userId: member(400 + index), memberRoleIds: [], action: { kind: 'toggle', option: 0 } })
			)
		);
		await expect.poll(waiting).toBe(2);
		release();
		await holder;
		const closed = await closing;
		expect(closed.map((poll) => poll.number).sort()).toEqual([...numbers].sort());
		expect((await voting).map((outcome) => outcome.unwrapErr())).toEqual(numbers.map(() => 'closed'));
	});

	test('WHEN votes are cast inside a transaction THEN each goes alone, and both count', async () => {
		const poll = await newPoll();
		const outcomes = await db.sql.begin((tx) =>
			Promise.all(
				[0, 1].map((index) =>
					castVote(tx, {
						guildId,
						number: poll.number,
						userId: member(500 + index),
						memberRoleIds: [],
						action: { kind: 'toggle', option: 2 }
					})
				)
			)
		);
		expect(outcomes.every((outcome) => outcome.isOk())).toBe(true);
		expect((await readPollState(db.sql, guildId, poll.number)).unwrap().options[2]!.votes).toBe(2);
	});

	test('WHEN one batch carries a late vote among votes in time THEN only the late one is left out, and its interaction stays unclaimed', async () => {
		const poll = await newPoll();
		const ids = [interactionId(), interactionId(), interactionId()];
		const outcomes = await Promise.all(
			ids.map((id, index) =>
				castVote(db.sql, {
					guildId,
					number: poll.number,
					userId: member(100 + index),
					memberRoleIds: [],
					action: { kind: 'toggle', option: 0 },
					interactionId: id,
					notAfter: new Date(Date.now() + (index === 1 ? -1 : 10_000))
				})
			)
		);
		expect(outcomes.map((outcome) => (outcome.isOk() ? 'ok' : outcome.unwrapErr()))).toEqual(['ok', 'late', 'ok']);
		const claimed = await db.sql<
			{ id: string }[]
		>`select interaction_id::text as id from interaction_claims where interaction_id = any(${ids}::bigint[])`;
		expect(claimed.map((row) => row.id).sort()).toEqual([ids[0], ids[2]].sort());
		expect((await readPollState(db.sql, guildId, poll.number)).unwrap().options[0]!.votes).toBe(2);
	});

	test('WHEN one member’s two clicks on the same option share a batch THEN the second is a double click, as in two statements', async () => {
		const poll = await newPoll(['A', 'B', 'C'], 2);
		const click = () =>
			castVote(db.sql, { guildId, number: poll.number, userId: member(200), memberRoleIds: [], action: { kind: 'toggle', option: 2 } });
		const [first, second] = await Promise.all([click(), click()]);
		expect(first!.unwrap()).toMatchObject({ previousChoices: [], choices: [2], changed: true });
		expect(second!.unwrap()).toMatchObject({ previousChoices: [2], choices: [2], changed: false });
		expect((await readPollState(db.sql, guildId, poll.number)).unwrap().options[2]!.votes).toBe(1);
	});

	test('WHEN a member has a role id PostgreSQL cannot hold THEN only that id is dropped, and the batch votes', async () => {
		const poll = await newPoll();
		const outcomes = await Promise.all(
			['99999999999999999999', '9223372036854775808', '123'].map((role, index) =>
				castVote(db.sql, {
					guildId,
					number: poll.number,
					userId: member(300 + index),
					memberRoleIds: [role],
					action: { kind: 'toggle', option: 1 }
				})
			)
		);
		expect(outcomes.every((outcome) => outcome.isOk())).toBe(true);
		expect((await readPollState(db.sql, guildId, poll.number)).unwrap().options[1]!.votes).toBe(3);
	});
});
