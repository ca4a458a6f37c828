/**
 * Runs `tick` (which closes due polls) right away and then every `intervalMs`, one tick at a time. `stop` aborts the
 * signal the tick gets, so a long tick ends at its next step instead of holding up shutdown. The deadlines
 * live in the database and are claimed there, so this holds no state: with several processes each runs its own
 * scheduler and each poll is still closed once, and polls that came due while no process ran close on the first tick.
 */
export class DeadlineScheduler {
	private timer: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private stopped = false;
	private abort = new AbortController();

	public constructor(
		private readonly tick: (signal: AbortSignal) => Promise<void>,
		private readonly onError: (error: unknown) => void,
		private readonly intervalMs = 1_000
	) {}

	public start() {
		this.stopped = false;
		this.abort = new AbortController();
		this.run();
	}

	public async stop() {
		this.stopped = true;
		this.abort.abort();
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
		await this.running;
	}

	private run() {
		this.timer = null;
		this.running = this.tick(this.abort.signal)
			.catch((error: unknown) => this.onError(error))
			.finally(() => {
				this.running = null;
				if (!this.stopped) this.timer = setTimeout(() => this.run(), this.intervalMs);
			});
	}
}
