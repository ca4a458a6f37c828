/**
 * Votes in flight, sent to PostgreSQL in batches: `poll_cast_votes` (migrations/013_vote_batches.js) casts a batch in
 * one statement and one commit, which is where a vote's cost in the database went (its call, executor start-up and
 * commit, more than its rows). A vote waits for no fixed timer:
 * - with no batch out, whatever was asked in the same turn of the event loop leaves at once, so one vote alone costs
 *   what it did;
 * - while a batch is out, the votes asked meanwhile gather, and leave together when it comes back: 50 in flight cost
 *   a few commits, not 50;
 * - a batch out much longer than batches lately took (waiting on a lock: an edit or a close of its poll), and at
 *   most `slowMs`, no longer holds the others back: a second batch leaves beside it, so one slow poll delays the
 *   other polls' votes by that much at most.
 *
 * A batch commits or fails as a whole: each vote of a failed batch gets the batch's error, and the caller treats it as
 * it treated the failure of its own statement (src/lib/polls/vote-answer.ts: unknown until its claim tells).
 */
import type postgres from 'postgres';
import type { Executor, Sql } from '../database/client.js';
import type { VoteFailure } from './repository.js';
import { PollLimits } from './rules.js';

export interface BatchLimits {
	/** Batches out at once at most: each holds a connection of the pool while it runs. */
	readonly batches: number;
	/** Votes in one batch at most. */
	readonly votes: number;
	/** A further batch leaves beside those out only once the latest of them has been out this long at most... */
	readonly slowMs: number;
	/**
	 * ...or, sooner, once it has been out `slowFactor` times as long as batches lately took (a moving average), and
	 * at least `minSlowMs`. Without a factor, `slowMs` alone.
	 */
	readonly slowFactor?: number;
	readonly minSlowMs?: number;
}

/**
 * One batch at a time while batches come back quickly, so that more votes gather in each: with two always free to
 * leave, 1,000 votes at 40 in flight (test/e2e/polls.e2e.test.ts) committed 239 transactions and a vote cost PostgreSQL
 * 1.25× the floor's upsert; one at a time, 151 and 1.0-1.09× (bench/README.md, "Votes in batches"). What counts as
 * slow follows the machine: a batch takes a few milliseconds on a quick one and tens on a loaded one, where a fixed
 * 20 ms opened the second lane so often that it made no difference, and a fixed 100 ms, right there, cost a quick
 * machine 4% of its votes/s (bench/ab.ts: 10 ms against 100 ms) by holding every vote behind a batch stalled for a
 * collection or a commit's flush. Four times the recent batch, from 10 ms up to 100 ms.
 */
export const defaultBatchLimits: BatchLimits = { batches: 2, votes: 50, slowMs: 100, slowFactor: 4, minSlowMs: 10 };

/** Weight of the latest batch in the moving average of batch times. */
const recentWeight = 0.2;

/** Batches sent and the votes they carried, by every {@link VoteBatches} of this process (read by src/lib/metrics). */
export const voteBatchTotals = { batches: 0, votes: 0 };

interface Waiting<Vote, Answer> {
	readonly vote: Vote;
	readonly resolve: (answer: Answer) => void;
	readonly reject: (error: unknown) => void;
}

export class VoteBatches<Vote, Answer> {
	private waiting: Waiting<Vote, Answer>[] = [];
	private out = 0;
	/** When the latest batch out left (`performance.now()`). */
	private lastSentAt = 0;
	private flushAsked = false;
	/** Set while votes wait for the latest batch to count as slow. */
	private slowTimer: NodeJS.Timeout | null = null;
	/** Moving average of how long batches took (ms); `null` before the first came back. */
	private typicalMs: number | null = null;

	/** `send` answers each vote of the batch it is given, in the same order, or throws for the whole batch. */
	public constructor(
		private readonly send: (votes: readonly Vote[]) => Promise<readonly Answer[]>,
		private readonly limits: BatchLimits = defaultBatchLimits
	) {}

	/** Batches out now, and votes waiting for one (for metrics and tests). */
	public get state() {
		return { out: this.out, waiting: this.waiting.length };
	}

	public cast(vote: Vote): Promise<Answer> {
		return new Promise<Answer>((resolve, reject) => {
			this.waiting.push({ vote, resolve, reject });
			this.askFlush();
		});
	}

	/**
	 * Sends what waits as soon as the rules above allow: after the current turn of the event loop when a lane is free
	 * (votes arriving together, one gateway read, leave together), or once the latest batch out has become slow.
	 */
	private askFlush() {
		if (this.waiting.length === 0 || this.out >= this.limits.batches) return;
		const wait = this.out === 0 ? 0 : this.lastSentAt + this.slowAfterMs() - performance.now();
		if (wait > 0) {
			this.slowTimer ??= setTimeout(() => {
				this.slowTimer = null;
				this.askFlush();
			}, wait);
			return;
		}
		if (this.slowTimer !== null) clearTimeout(this.slowTimer);
		this.slowTimer = null;
		if (this.flushAsked) return;
		this.flushAsked = true;
		setImmediate(() => {
			this.flushAsked = false;
			if (this.waiting.length > 0 && this.out < this.limits.batches) void this.run(this.waiting.splice(0, this.limits.votes));
			// What is left waits for that batch (or, should it be slow, goes beside it).
			this.askFlush();
		});
	}

	/** How long the latest batch out may take before a further one leaves beside it. */
	private slowAfterMs(): number {
		const { slowMs, slowFactor, minSlowMs = 0 } = this.limits;
		if (slowFactor === undefined || this.typicalMs === null) return slowMs;
		return Math.min(slowMs, Math.max(minSlowMs, slowFactor * this.typicalMs));
	}

	private async run(batch: readonly Waiting<Vote, Answer>[]) {
		this.out++;
		const sentAt = performance.now();
		this.lastSentAt = sentAt;
		voteBatchTotals.batches++;
		voteBatchTotals.votes += batch.length;
		try {
			const answers = await this.send(batch.map((entry) => entry.vote));
			if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} votes was answered ${answers.length} times`);
			batch.forEach((entry, index) => entry.resolve(answers[index]!));
			const tookMs = performance.now() - sentAt;
			this.typicalMs = this.typicalMs === null ? tookMs : this.typicalMs + recentWeight * (tookMs - this.typicalMs);
		} catch (error) {
			for (const entry of batch) entry.reject(error);
		} finally {
			this.out--;
			this.askFlush();
		}
	}
}

/** What the vote statement answers: a refusal, a request for the voter key (anonymous polls), or the vote. */
export type CastResult =
	| { outcome: VoteFailure | 'taken' | 'late' }
	| { outcome: 'needsVoterKey'; salt: string }
	| { outcome: 'ok'; before: number[]; choices: number[]; changed: boolean; labels: string[] | null };

/** One vote as `poll_cast_votes` takes it (migrations/013_vote_batches.js). */
export interface BatchedVote {
	readonly guild: string;
	readonly poll: number;
	readonly user: string;
	/** An anonymous poll's voter key; null when the salt is not known yet (the statement then asks for it). */
	readonly key: string | null;
	readonly roles: readonly string[];
	readonly toggle: number | null;
	readonly options: readonly number[];
	/** Whether to answer the option labels (not known yet in this process). */
	readonly labels: boolean;
	readonly interaction: string | null;
	readonly notAfter: string | null;
}

/** One set of batches per pool: a batch runs on the pool its votes were given to. */
const batches = new WeakMap<Sql, VoteBatches<BatchedVote, CastResult>>();

const doubleClick = `${PollLimits.doubleClickMs} milliseconds`;

/**
 * A vote alone (nothing else in flight) takes the statement made for one, `poll_cast_vote`: the same claim, locks
 * and body, without a batch's reading and ordering, which cost a lone vote about 0.2 ms more (bench/vote-statement.ts).
 */
async function castOne(sql: Executor, vote: BatchedVote): Promise<CastResult> {
	const [row] = await sql<{ result: CastResult }[]>`
		select poll_cast_vote(
			${vote.guild}::bigint, ${vote.poll}::int, ${vote.user}::text, ${vote.key}::text, ${`{${vote.roles.join(',')}}`}::bigint[],
			${vote.toggle}::smallint, ${`{${vote.options.join(',')}}`}::smallint[], ${doubleClick}::interval, ${vote.labels}::boolean,
			${vote.interaction}::bigint, ${vote.notAfter}::timestamptz
		) as result
	`;
	return row!.result;
}

/**
 * Casts `vote` with the other votes in flight on `sql`, and answers what the statement said of it. Inside a
 * transaction the vote goes alone: a batch sent while the transaction holds an earlier vote's locks would claim after
 * locking, out of the order that keeps batches from deadlocking (migrations/013).
 */
export function sendVote(sql: Executor, vote: BatchedVote): Promise<CastResult> {
	return 'savepoint' in sql ? castOne(sql, vote) : batchesOf(sql).cast(vote);
}

function batchesOf(sql: Sql): VoteBatches<BatchedVote, CastResult> {
	let found = batches.get(sql);
	if (found === undefined) {
		found = new VoteBatches(async (votes) => {
			if (votes.length === 1) return [await castOne(sql, votes[0]!)];
			const [row] = await sql<{ results: CastResult[] }[]>`
				select poll_cast_votes(${sql.json(votes as unknown as postgres.JSONValue)}::json, ${doubleClick}::interval) as results
			`;
			return row!.results;
		});
		batches.set(sql, found);
	}
	return found;
}
