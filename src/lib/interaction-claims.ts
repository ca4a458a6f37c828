/**
 * At most once per interaction: during a deploy overlap both sessions of a shard receive the same INTERACTION_CREATE,
 * and a RESUME may replay one. Whatever changes state claims the interaction's id first (one insert, `on conflict do
 * nothing`); the process that wins acts and answers, any other stands down without a word to the member. A vote
 * claims inside its own statement (`poll_cast_votes`, migrations/013_vote_batches.js: the claims of a whole batch in
 * one insert), which answers `taken` or `late` itself.
 */
import type { Executor } from './database/client.js';
import { DeadlineScheduler } from './polls/scheduler.js';

/**
 * How long a claim is kept: Discord accepts answers to an interaction for 15 minutes, and a replay (RESUME, a second
 * session) comes within that; a key older than this can no longer meet its twin.
 */
export const claimRetentionSeconds = 15 * 60;

/** The start of Discord's snowflake clock, 2015-01-01, in epoch milliseconds. */
export const discordEpochMs = 1_420_070_400_000;

/**
 * Thrown by the process that lost the claim: not a failure, so the answer path says nothing and logs one debug line
 * (src/lib/discord/answers.ts). Deliberately not a UserError, which would be answered.
 */
export class InteractionTaken extends Error {
	public constructor(public readonly interactionId: string) {
		super(`interaction ${interactionId} is handled by another process`);
		this.name = 'InteractionTaken';
	}
}

/**
 * A vote whose statement reached the database after its deadline, and so was not cast: the database is too slow or
 * was unreachable. Its `code` makes the answer path say "temporarily unavailable", which is then the truth.
 */
export class VoteTooLate extends Error {
	public readonly code = '57014';
	public constructor() {
		super('the vote reached the database after its deadline and was not cast');
		this.name = 'VoteTooLate';
	}
}

/** Claims `interactionId`; `true` for the first caller only, across every process on the database. */
export async function claimInteraction(sql: Executor, interactionId: string): Promise<boolean> {
	const rows = await sql`insert into interaction_claims (interaction_id) values (${interactionId}) on conflict do nothing returning 1`;
	return rows.length === 1;
}

/** {@link claimInteraction}, standing down (throwing {@link InteractionTaken}) when another process won. */
export async function claimOrStandDown(sql: Executor, interactionId: string): Promise<void> {
	if (!(await claimInteraction(sql, interactionId))) throw new InteractionTaken(interactionId);
}

/** Whether some process claimed `interactionId` (and so, for a vote, cast it). */
export async function isClaimed(sql: Executor, interactionId: string): Promise<boolean> {
	const rows = await sql`select 1 from interaction_claims where interaction_id = ${interactionId}`;
	return rows.length === 1;
}

/**
 * Deletes up to `limit` claims of interactions created more than {@link claimRetentionSeconds} ago, oldest first;
 * returns how many went. An interaction id is a snowflake (milliseconds since the Discord epoch in its top 42 bits),
 * so "older than" is a range of the primary key and needs no index of its own. Small batches keep each run short
 * (the scheduler runs it every tick).
 */
export async function forgetOldClaims(sql: Executor, limit = 500): Promise<number> {
	const rows = await sql`
		delete from interaction_claims where interaction_id in (
			select interaction_id from interaction_claims
			where interaction_id < ((extract(epoch from clock_timestamp()) * 1000)::bigint - ${discordEpochMs}::bigint - ${claimRetentionSeconds * 1000}::bigint) << 22
			order by interaction_id limit ${limit}
		)
		returning 1
	`;
	return rows.length;
}

/**
 * Every process forgets old claims, one batch every 10 s until none is left; claims come at most as fast as
 * interactions, so that keeps up with thousands a second and no run holds the table long. Several processes doing it
 * at once only delete the same rows, which is harmless.
 */
export function createClaimCleanup(sql: Executor, logger: { warn(...values: unknown[]): void }): DeadlineScheduler {
	return new DeadlineScheduler(
		async (signal) => {
			while (!signal.aborted && (await forgetOldClaims(sql)) > 0);
		},
		(error) => logger.warn('Forgetting old interaction claims failed; retrying later:', error),
		10_000
	);
}
