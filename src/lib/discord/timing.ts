/** Discord's 3 s, and how the bot keeps them (src/lib/discord/in-time.ts for components, acknowledge.ts for commands). */
export const AnswerTiming = {
	/** A vote's statement must start within this of the interaction's arrival, waiting for a connection included. */
	startBudgetMs: 1_500,
	/** Not answered by then: defer, so Discord's 3 s are kept whatever the database does. */
	deferAfterMs: 2_000,
	/** The process that lost a claim answers for the winner if the interaction is still unacknowledged by then. */
	standByMs: 2_500,
	/** How often the truth is asked for again while the database does not answer. */
	retryMs: 1_000,
	/** Longest the truth is waited for: the interaction's token is good for 15 minutes. */
	giveUpMs: 14 * 60_000
} as const;
