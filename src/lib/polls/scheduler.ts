/**
 * Runs `tick` (which closes due polls) right away and then every `intervalMs`, one tick at a time. The deadlines
 * live in the database and are claimed there, so this holds no state: with several processes each runs its own
 * scheduler and each poll is still closed once, and polls that came due while no process ran close on the first tick.
 */
export class DeadlineScheduler {
	private timer: NodeJS.Timeout | null = null;
	private running: Promise<void> | null = null;
	private stopped = false;

	public constructor(
		private readonly tick: () => Promise<void>,
		private readonly onError: (error: unknown) => void,
		private readonly intervalMs = 1_000
	) {}

	public start() {
		this.stopped = false;
		this.run();
	}

	public async stop() {
		this.stopped = true;
		if (this.timer !== null) clearTimeout(this.timer);
		this.timer = null;
		await this.running;
	}

	private run() {
		this.timer = null;
		this.running = this.tick()
			.catch((error: unknown) => this.onError(error))
			.finally(() => {
				this.running = null;
				if (!this.stopped) this.timer = setTimeout(() => this.run(), this.intervalMs);
			});
	}
}
