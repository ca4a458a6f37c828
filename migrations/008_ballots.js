/**
 * Ranked ballots, weighted votes by role, and who-voted visibility.
 *
 * - `polls.ranked`: members rank options; `poll_votes.rank` (1 = first choice) orders a ballot, and the counted
 *   deltas follow first choices only (the instant-runoff rounds are counted from the ballots when read).
 * - `polls.weighted`: a vote counts with the highest weight among the member's roles (`role_weights`), taken when
 *   they vote and kept in `poll_votes.weight`, so a later role change never rewrites a past vote. Deltas carry the
 *   weight of the rows they add or remove; `poll_options.weighted_votes` is their folded sum beside the raw count.
 *   An anonymous poll keeps the weight under the voter key, never the member.
 * - `polls.show_voters`: `never`, `after_close` or `always`; never with an anonymous poll.
 * - `role_weights`: a server's rules; a role without a row weighs 1 (a weight of 1 is stored as no row).
 *
 * The vote rules for them (the weight lookup, the ranked ballot: the options in the order given, each once,
 * `duplicateOption` otherwise) are in `poll_cast_vote` as migrations/011_vote_statement.js defines it. Deltas written
 * by 004's function, which still runs until then, get weight 1 by default, which is what they were.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		alter table polls
			add column ranked boolean not null default false,
			add column weighted boolean not null default false,
			add column show_voters text not null default 'never' check (show_voters in ('never', 'after_close', 'always')),
			add check (not (ranked and max_choices > 1)),
			add check (not (anonymous and show_voters <> 'never'))
	`;
	await sql`alter table poll_options add column weighted_votes integer not null default 0`;
	await sql`
		alter table poll_votes
			add column rank smallint check (rank between 1 and 25),
			add column weight smallint not null default 1 check (weight between 1 and 100)
	`;
	await sql`alter table poll_count_deltas add column weight smallint not null default 1`;
	await sql`
		create table role_weights (
			guild_id bigint not null,
			role_id bigint not null,
			weight smallint not null check (weight between 2 and 100),
			primary key (guild_id, role_id)
		)
	`;
}

/**
 * The tables before this migration.
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`drop table role_weights`;
	await sql`alter table poll_count_deltas drop column weight`;
	await sql`alter table poll_votes drop column rank, drop column weight`;
	await sql`alter table poll_options drop column weighted_votes`;
	await sql`alter table polls drop column ranked, drop column weighted, drop column show_voters`;
}
