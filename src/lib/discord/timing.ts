/** Discord's 3 s, and how the bot keeps them (src/lib/discord/in-time.ts for components, acknowledge.ts for commands). */
export const AnswerTiming = {
	/** A vote's statement must start within this of the interaction's arrival, waiting for a connection included. */
	startBudgetMs: 1_500,
	/**
	 * Not answered by then: defer, so Discord's 3 s are kept whatever the database does. Early enough for one 429 on
	 * the callback: discord.js waits the `Retry-After` header, whole seconds, plus its 50 ms offset, before trying again
	 * (deferring at 2 s, the soak found such retries landing 51-57 ms after the 3 s).
	 */
	deferAfterMs: 1_750,
	/** The process that lost a claim answers for the winner if the interaction is still unacknowledged by then. */
	standByMs: 2_500,
	/**
	 * A process that could not claim a command answering in public (the database unreachable) tells its failure only
	 * if, by then, no other process has filled or removed the public reply: long enough for the other process of a
	 * deploy overlap to store a poll (statements time out at 2.3 s) and post it.
	 */
	unclaimedAnswerMs: 8_000,
	/**
	 * Past a vote's start budget and a statement timeout, no statement it started can still commit; this much more
	 * covers the commit's own round trip and the clocks of two processes. After that the claim tells what is stored.
	 */
	settleMarginMs: 500,
	/** How often the truth is asked for again while the database does not answer. */
	retryMs: 1_000,
	/** Longest the truth is waited for: the interaction's token is good for 15 minutes. */
	giveUpMs: 14 * 60_000
} as const;
