import { setTimeout as sleep } from 'node:timers/promises';
import type { EditBudget } from './edit-budget.js';

interface Entry<T> {
	/** What the flush is for: the first request's target, merged with later ones' (`merge`). */
	target: T;
	/** When the last flush finished (ms, `now()` clock); `-Infinity` before the first. */
	lastEnd: number;
	timer: NodeJS.Timeout | null;
	running: Promise<void> | null;
	/** Due, and waiting for a slot of the edit budget. */
	queued: boolean;
	/** A request arrived that no started flush has seen yet. */
	dirty: boolean;
	/** Told whether the next flush to start succeeded (`false` when it failed or was dropped at shutdown). */
	waiters: ((sent: boolean) => void)[];
}

/**
 * Coalesces poll message edits: however many requests arrive, a key's flushes start at least `windowMs` after the
 * previous one finished (so Discord sees at most one edit per window, whatever the database or REST latency), and a
 * request that arrives while a flush runs or waits causes one more flush after it. The flush reads its state when
 * it runs, so the last edit after a burst is exact. Holds nothing that matters across restarts: an edit lost with
 * its process is found again in the database and asked for by the scheduler (src/lib/polls/edits.ts).
 */
export interface EditCoalescerOptions<T> {
	/** Sends the edit for `target`, reading its state when it runs. */
	readonly flush: (target: T) => Promise<void>;
	readonly onError: (target: T, error: unknown) => void;
	/** The one string form of a target: requests for equal keys are coalesced. Defaults to `String(target)`. */
	readonly keyOf?: (target: T) => string;
	/** Least time between the end of one flush of a key and the start of the next. */
	readonly windowMs?: number;
	readonly now?: () => number;
	/** Told when a request joins an edit already waiting (one Discord edit saved). */
	readonly onCoalesced?: (target: T) => void;
	/** Shared slots that due flushes wait for (see {@link EditBudget}); none: a flush runs as soon as it is due. */
	readonly budget?: EditBudget;
	/** What a request adds to the target of the same key kept since an earlier one; by default, nothing. */
	readonly merge?: (kept: T, asked: T) => T;
}

export class EditCoalescer<T = string> {
	private readonly entries = new Map<string, Entry<T>>();
	private closed = false;
	private readonly flush: EditCoalescerOptions<T>['flush'];
	private readonly onError: EditCoalescerOptions<T>['onError'];
	private readonly keyOf: (target: T) => string;
	private readonly windowMs: number;
	private readonly now: () => number;
	private readonly onCoalesced: (target: T) => void;
	private readonly budget: EditBudget | null;
	private readonly merge: (kept: T, asked: T) => T;

	public constructor(options: EditCoalescerOptions<T>) {
		this.flush = options.flush;
		this.onError = options.onError;
		this.keyOf = options.keyOf ?? String;
		this.windowMs = options.windowMs ?? 2_000;
		this.now = options.now ?? (() => performance.now());
		this.onCoalesced = options.onCoalesced ?? (() => {});
		this.budget = options.budget ?? null;
		this.merge = options.merge ?? ((kept) => kept);
	}

	/** Asks for `target` to be flushed as soon as its window allows. Never waits; `false` once closed (nothing will be). */
	public request(target: T): boolean {
		if (this.closed) return false;
		const key = this.keyOf(target);
		let entry = this.entries.get(key);
		if (!entry) {
			if (this.entries.size >= 1_000) this.prune();
			entry = { target, lastEnd: Number.NEGATIVE_INFINITY, timer: null, running: null, queued: false, dirty: false, waiters: [] };
			this.entries.set(key, entry);
		} else entry.target = this.merge(entry.target, target);
		if (entry.dirty) this.onCoalesced(target);
		entry.dirty = true;
		if (entry.timer === null && entry.running === null && !entry.queued) this.arm(entry);
		return true;
	}

	/**
	 * Like {@link request}, and resolves once a flush started after this call has finished: `true` if it succeeded,
	 * `false` if it failed, was dropped at shutdown, or the coalescer is closed.
	 */
	public requestAndWait(target: T): Promise<boolean> {
		if (this.closed) return Promise.resolve(false);
		this.request(target);
		const entry = this.entries.get(this.keyOf(target))!;
		return new Promise((resolve) => entry.waiters.push(resolve));
	}

	/** Whether a flush of `target` is waiting (for its window or a budget slot) or running. */
	public isPending(target: T): boolean {
		const entry = this.entries.get(this.keyOf(target));
		return entry !== undefined && (entry.timer !== null || entry.running !== null || entry.queued);
	}

	/** Keys with a flush waiting or running. */
	public get pending(): number {
		let count = 0;
		for (const entry of this.entries.values()) if (entry.timer !== null || entry.running !== null || entry.queued) count++;
		return count;
	}

	/**
	 * For shutdown: stops taking requests, lets flushes due within `maxWaitMs` happen (still respecting the window),
	 * drops the others and waits for running ones. Returns the keys dropped.
	 */
	public async close(maxWaitMs: number): Promise<string[]> {
		this.closed = true;
		const deadline = this.now() + maxWaitMs;
		const dropped: string[] = [];
		for (const [key, entry] of this.entries) {
			if (entry.timer !== null && entry.lastEnd + this.windowMs > deadline) {
				clearTimeout(entry.timer);
				entry.timer = null;
				dropped.push(key);
				for (const resolve of entry.waiters.splice(0)) resolve(false);
			}
		}
		while (this.pending > 0 && this.now() < deadline + 500) await sleep(10);
		return dropped;
	}

	private arm(entry: Entry<T>) {
		const delay = Math.max(0, entry.lastEnd + this.windowMs - this.now());
		entry.timer = setTimeout(() => this.due(entry), delay);
	}

	private due(entry: Entry<T>) {
		entry.timer = null;
		if (this.budget === null) return this.run(entry);
		entry.queued = true;
		this.budget.enqueue(() => {
			entry.queued = false;
			this.run(entry);
		});
	}

	private run(entry: Entry<T>) {
		entry.timer = null;
		entry.dirty = false;
		const waiters = entry.waiters.splice(0);
		entry.running = this.flush(entry.target)
			.then(
				() => true,
				(error: unknown) => {
					this.onError(entry.target, error);
					return false;
				}
			)
			.then((sent) => {
				for (const resolve of waiters) resolve(sent);
			})
			.finally(() => {
				entry.running = null;
				entry.lastEnd = this.now();
				if (entry.dirty && !this.closed) this.arm(entry);
				else if (this.closed) for (const resolve of entry.waiters.splice(0)) resolve(false);
			});
	}

	private prune() {
		const idleSince = this.now() - this.windowMs;
		for (const [key, entry] of this.entries) {
			if (
				entry.timer === null &&
				entry.running === null &&
				!entry.queued &&
				!entry.dirty &&
				entry.waiters.length === 0 &&
				entry.lastEnd < idleSince
			) {
				this.entries.delete(key);
			}
		}
	}
}
