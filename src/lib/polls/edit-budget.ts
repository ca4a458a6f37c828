import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The poll-message edits this process may send per second. Discord allows a bot about 50 authenticated requests per
 * second in all, and every poll edit is one: past ~100 hot polls, one edit per poll every 2 s would queue up behind
 * that limit (and its 429s would slow the approval DMs and notices too). Instead, flushes that are due wait here for
 * a slot, first come first served: every hot poll gets its turn, and each poll's interval stretches with the number
 * of polls waiting. A flush reads the database when it runs, so the last edit after a burst is exact however long it
 * waited. Vote acknowledgements never pass through here: they are interaction callbacks, outside the global limit.
 */
/**
 * A second and a little: requests spaced exactly `1 / rate` apart can still land `rate + 1` in one second at
 * Discord once the network jitters, and the budget is a ceiling, not a target.
 */
const sendSpacingMs = 1_050;

export class EditBudget {
	private readonly queue: (() => void)[] = [];
	private timer: NodeJS.Timeout | null = null;
	/** When the last slot was given (ms, `now()` clock). */
	private lastStart = Number.NEGATIVE_INFINITY;
	/** When the last edit was let out to Discord, and the edits waiting for that. */
	private lastSend = Number.NEGATIVE_INFINITY;
	private sends: Promise<void> = Promise.resolve();

	public constructor(
		private perSecond: number,
		private readonly now: () => number = () => performance.now()
	) {}

	/** Changes the rate, for example when another process joins and the bot's budget is shared anew. */
	public setRate(perSecond: number) {
		this.perSecond = Math.max(0.1, perSecond);
		if (this.timer !== null) {
			clearTimeout(this.timer);
			this.timer = null;
		}
		this.drain();
	}

	public get rate(): number {
		return this.perSecond;
	}

	/** Flushes waiting for a slot. */
	public get waiting(): number {
		return this.queue.length;
	}

	/** Runs `start` in the next free slot: slots are `1 / rate` seconds apart, so no second holds more than `rate`. */
	public enqueue(start: () => void) {
		this.queue.push(start);
		this.drain();
	}

	/**
	 * Sends one edit, `1 / rate` seconds at least after the previous one was sent and once it has been answered.
	 * Flushes start spaced already, but each reads the database first, and REST queues requests per route: a slow
	 * answer followed by quick ones would reach Discord bunched. One edit on the wire at a time keeps the requests
	 * themselves within the rate (an edit takes a few milliseconds, far below the spacing).
	 */
	public send<T>(request: () => Promise<T>): Promise<T> {
		const turn = this.sends.then(async () => {
			const wait = this.lastSend + sendSpacingMs / this.perSecond - this.now();
			if (wait > 0) await sleep(wait);
			this.lastSend = this.now();
			return request();
		});
		this.sends = turn.then(
			() => undefined,
			() => undefined
		);
		return turn;
	}

	private drain() {
		if (this.timer !== null || this.queue.length === 0) return;
		const spacing = 1_000 / this.perSecond;
		const wait = this.lastStart + spacing - this.now();
		if (wait > 0) {
			this.timer = setTimeout(() => {
				this.timer = null;
				this.drain();
			}, wait);
			return;
		}
		this.lastStart = this.now();
		this.queue.shift()!();
		this.drain();
	}
}
