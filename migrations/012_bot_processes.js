/**
 * The bot's live processes, each seen every few seconds, so they can share what Discord limits per bot rather than
 * per connection: today the poll-edit budget (POLL_EDIT_RATE), split evenly between the processes seen lately. Not
 * guild data: one row per process, a handful of rows.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		create table bot_processes (
			process_id text primary key,
			seen_at timestamptz not null default now()
		)
	`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop table bot_processes`;
}
