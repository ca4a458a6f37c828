/**
 * Whether a poll's close was announced: `announced_at` is set once the poll message shows the close and the closing
 * notice is posted. The process that closes a poll announces it at once; if it stopped in between (a crash, the
 * shutdown time limit), the scheduler of the poll's shard announces it later (`claimUnannounced`), so a closed poll
 * never keeps an "open" message with live buttons. `announce_attempted_at` is when a scheduler last took that task
 * on, so two schedulers do not post the notice twice while one is at it.
 *
 * Polls closed before this migration count as announced: nothing tells which were, and announcing them all again
 * would flood their channels.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`alter table polls add column announced_at timestamptz, add column announce_attempted_at timestamptz`;
	await sql`update polls set announced_at = closed_at where closed_at is not null`;
	// The scheduler's second question, "which closed polls were never announced?", reads only this small index.
	await sql`create index polls_unannounced_idx on polls (closed_at) where closed_at is not null and announced_at is null`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop index polls_unannounced_idx`;
	await sql`alter table polls drop column announce_attempted_at, drop column announced_at`;
}
