/**
 * Polls stored by a `/poll create` whose process stopped before their message was posted or recorded: the scheduler
 * looks for them every few seconds (src/lib/polls/life.ts), so they get an index of their own, nearly always empty,
 * instead of a scan of every poll.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`create index polls_unposted_idx on polls (created_at) where message_id is null and starts_at is null`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop index polls_unposted_idx`;
}
