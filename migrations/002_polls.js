/**
 * Polls. `guild_id` leads every primary key: a poll number alone never names a poll, each server counts its own
 * #1, #2, ...
 *
 * - `poll_counters`: the last poll number given out in each server (bumped in the same transaction as the insert).
 * - `polls`: one row per poll. `voter_count` and `poll_options.votes` are the counts as of the last fold (see below).
 *   `voter_salt` is set only for an anonymous poll while it is open, and wiped when it closes.
 * - `poll_options`: the choices, numbered from 0 in the order given.
 * - `poll_votes`: one row per (member, option) picked. `voter` is the user id (decimal) in a named poll, and an
 *   HMAC of it under `voter_salt` in an anonymous poll. `voted_at` is wiped when an anonymous poll closes.
 * - `poll_count_deltas`: every vote appends +1/-1 rows here (`option_index` -1 for the number of voters) instead of
 *   updating a shared counter row, so concurrent votes never wait on each other; reading a poll's counts folds the
 *   pending deltas into `poll_options.votes`/`polls.voter_count` in one statement. Votes stay O(1) however large the
 *   poll grows, and no read counts all votes.
 *
 * Votes and deltas carry no foreign key: the vote transaction locks the poll row itself (FOR KEY SHARE), and a
 * foreign key would add a second row lock on every vote.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		create table poll_counters (
			guild_id bigint primary key,
			last_number integer not null
		)
	`;
	await sql`
		create table polls (
			guild_id bigint not null,
			poll_number integer not null,
			channel_id bigint not null,
			message_id bigint,
			creator_id bigint not null,
			question text not null check (char_length(question) between 1 and 300),
			option_count smallint not null check (option_count between 2 and 25),
			max_choices smallint not null check (max_choices between 1 and option_count),
			anonymous boolean not null,
			hide_results boolean not null,
			role_id bigint,
			voter_salt bytea,
			voter_count integer not null default 0,
			created_at timestamptz not null default now(),
			closes_at timestamptz,
			closed_at timestamptz,
			closed_by bigint,
			close_reason text check (close_reason in ('command', 'button', 'deadline')),
			primary key (guild_id, poll_number),
			check (anonymous or voter_salt is null),
			check ((closed_at is null) = (close_reason is null))
		)
	`;
	// The scheduler's question, "which open polls are due?", reads only this small index.
	await sql`create index polls_due_idx on polls (closes_at) where closed_at is null and closes_at is not null`;
	await sql`create index polls_open_idx on polls (guild_id, poll_number) where closed_at is null`;
	await sql`
		create table poll_options (
			guild_id bigint not null,
			poll_number integer not null,
			option_index smallint not null check (option_index between 0 and 24),
			label text not null check (char_length(label) between 1 and 80),
			votes integer not null default 0,
			primary key (guild_id, poll_number, option_index),
			foreign key (guild_id, poll_number) references polls (guild_id, poll_number) on delete cascade
		)
	`;
	await sql`
		create table poll_votes (
			guild_id bigint not null,
			poll_number integer not null,
			voter text not null,
			option_index smallint not null check (option_index between 0 and 24),
			voted_at timestamptz,
			primary key (guild_id, poll_number, voter, option_index)
		)
	`;
	await sql`
		create table poll_count_deltas (
			guild_id bigint not null,
			poll_number integer not null,
			delta_id bigint generated always as identity,
			option_index smallint not null check (option_index between -1 and 24),
			delta smallint not null,
			primary key (guild_id, poll_number, delta_id)
		)
	`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop table poll_count_deltas`;
	await sql`drop table poll_votes`;
	await sql`drop table poll_options`;
	await sql`drop table polls`;
	await sql`drop table poll_counters`;
}
