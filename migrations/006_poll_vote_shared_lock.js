/**
 * Votes stop writing to the poll row: the vote takes a shared advisory lock per poll (the "close lock") instead of
 * locking the row FOR KEY SHARE, and closing or deleting a poll takes the same lock exclusively, in the triggers
 * made here. The vote's side is `poll_cast_vote` as migrations/011_vote_statement.js defines it; until that
 * migration runs, 004's function still locks the row, so a close waits for votes either way.
 *
 * Profiled on its own (bench/vote-statement.ts), a vote cost about four times the PostgreSQL CPU of the reference
 * floor's single upsert and three times its WAL. Part of that was the row lock: every vote rewrote the hot poll
 * row's header (a WAL record, a dirtied page, and with several votes at once a new MultiXact holding them all, which
 * grows with the number in flight), and every concurrent vote contended for that one page. An advisory lock lives
 * only in the lock table: no page, no WAL.
 *
 * The guarantees are 004's, kept by the same reasoning with a different lock:
 * - a close (or a delete) of an open poll waits for the votes holding the shared lock, i.e. the votes in flight;
 * - a vote asking for the lock while a close waits queues behind it (PostgreSQL grants a lock in the order asked
 *   when modes conflict), then reads the poll in a new statement, with a new snapshot, and finds it closed;
 * - the member's own lock is still taken first, with the same key, so one member's clicks still apply in turn;
 * - the close is stamped after the votes it waited for (its `closed_at` was computed before the wait), and an
 *   anonymous poll's vote times are wiped again after the wait, by a statement that sees the votes committed during
 *   it, in an AFTER trigger (the closing statement's own wipe, in src/lib/polls/repository.ts, reads with the
 *   snapshot it started with: that gap existed with the row lock too).
 *
 * The trigger fires only when `closed_at` goes from null to set, or on delete: a fold's update of `voter_count` does
 * not wait for votes. Both locks are transaction-scoped, released at commit or rollback.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		create function polls_wait_for_votes() returns trigger
		language plpgsql
		as $$
		begin
			perform pg_advisory_xact_lock(hashtextextended('poll-close:' || old.guild_id || ':' || old.poll_number, 0));
			if tg_op = 'DELETE' then
				return old;
			end if;
			-- The close's time was taken before it waited: it must not look earlier than a vote it let through.
			new.closed_at := greatest(new.closed_at, clock_timestamp());
			return new;
		end
		$$
	`;
	await sql`
		create trigger polls_close_waits_for_votes before update of closed_at on polls
		for each row when (old.closed_at is null and new.closed_at is not null)
		execute function polls_wait_for_votes()
	`;
	// The closing statement wipes an anonymous poll's vote times with the snapshot it started with, which does not
	// hold the votes committed while it waited above; a statement run after it (an AFTER trigger runs once the whole
	// closing statement is done, so it does not touch rows that statement is still to change) has its own snapshot.
	await sql`
		create function polls_unlink_late_votes() returns trigger
		language plpgsql
		as $$
		begin
			update poll_votes set voted_at = null
			where guild_id = new.guild_id and poll_number = new.poll_number and voted_at is not null;
			return null;
		end
		$$
	`;
	await sql`
		create trigger polls_close_unlinks_late_votes after update of closed_at on polls
		for each row when (old.closed_at is null and new.closed_at is not null and new.anonymous)
		execute function polls_unlink_late_votes()
	`;
	await sql`create trigger polls_delete_waits_for_votes before delete on polls for each row execute function polls_wait_for_votes()`;
}

/**
 * Closes and deletes no longer wait for the shared lock (the vote function of 004 still locks the row).
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`drop trigger polls_delete_waits_for_votes on polls`;
	await sql`drop trigger polls_close_unlinks_late_votes on polls`;
	await sql`drop function polls_unlink_late_votes()`;
	await sql`drop trigger polls_close_waits_for_votes on polls`;
	await sql`drop function polls_wait_for_votes()`;
}
