/**
 * A poll's whole life: posted later, a reminder before it closes, edited while open, reopened after closing.
 *
 * - `starts_at`: when a scheduled poll is to be posted; `null` for a poll posted when created (every poll before this
 *   migration). `started_at` is when its message went out, so "scheduled" is `starts_at is not null and started_at is
 *   null`. `start_attempted_at` is when a scheduler last took the start on, as `announce_attempted_at` for closes
 *   (005): two schedulers never post it together, and one that died after posting is retried later, where the retry
 *   first looks for the message already sent.
 * - `remind_before`: how long before `closes_at` the reminder is due; `remind_role_id` the one role it pings;
 *   `reminded_at` once it went out (a poll is reminded once); `remind_attempted_at` as `start_attempted_at`.
 * - `edited_at`: when the question or options last changed (the message then says so).
 *
 * Existing rows need nothing: with the new columns `null` they are started, have no reminder and were never edited.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		alter table polls
			add column starts_at timestamptz,
			add column started_at timestamptz,
			add column start_attempted_at timestamptz,
			add column remind_before interval,
			add column remind_role_id bigint,
			add column reminded_at timestamptz,
			add column remind_attempted_at timestamptz,
			add column edited_at timestamptz,
			add constraint polls_remind_needs_deadline check (remind_before is null or remind_before > interval '0'),
			add constraint polls_remind_role_needs_reminder check (remind_role_id is null or remind_before is not null)
	`;
	// The scheduler's questions "which scheduled polls are due?" and "which reminders are due?" read only these.
	await sql`create index polls_scheduled_idx on polls (starts_at) where started_at is null and starts_at is not null and closed_at is null`;
	await sql`create index polls_reminder_idx on polls (closes_at) where remind_before is not null and reminded_at is null and closed_at is null`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop index polls_reminder_idx`;
	await sql`drop index polls_scheduled_idx`;
	await sql`
		alter table polls
			drop constraint polls_remind_role_needs_reminder,
			drop constraint polls_remind_needs_deadline,
			drop column edited_at,
			drop column remind_attempted_at,
			drop column reminded_at,
			drop column remind_role_id,
			drop column remind_before,
			drop column start_attempted_at,
			drop column started_at,
			drop column starts_at
	`;
}
