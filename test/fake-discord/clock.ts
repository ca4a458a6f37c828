/**
 * The fake's notion of "now". Discord's deadlines (3 s to answer an interaction, 15 min for a webhook token) are
 * checked against this clock, so a test can age an interaction token without waiting: `fake.clock.advance(16 * 60_000)`.
 */
export class FakeClock {
	private offsetMs = 0;

	public now(): number {
		return Date.now() + this.offsetMs;
	}

	/** Moves the fake's time forward (never backwards: Discord's clock does not go back either). */
	public advance(ms: number): void {
		if (ms < 0) throw new RangeError('FakeClock.advance: ms must be >= 0');
		this.offsetMs += ms;
	}

	public reset(): void {
		this.offsetMs = 0;
	}
}
