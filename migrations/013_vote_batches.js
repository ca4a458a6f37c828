import { castVoteBody, castVoteClaim, castVoteDeclarations, castVoteParameters, createCastVote } from './011_vote_statement.js';

/**
 * Votes in batches: `poll_cast_votes` casts many votes in one statement, so in one transaction and one commit.
 *
 * Why: with 50 votes in flight, a vote's cost in PostgreSQL was mostly what every statement pays whatever it does
 * (the call, executor start-up, the commit and its WAL flush), not the vote's own reads and writes. Sent one per
 * statement from 10 connections, `poll_cast_vote` cost 0.34-0.37 ms of PostgreSQL CPU and 0.13-0.21 ms of the
 * client's per vote; sent 5 per statement from 2 connections, 0.19-0.20 and 0.06-0.07 ms; 25 per statement, 0.12-0.15
 * and 0.02-0.03 ms (same machine, alternating rounds of 4,000 votes). src/lib/polls/vote-batches.ts gathers the votes
 * a process has in flight into such batches.
 *
 * What a batch does, in order:
 * 1. Claims every interaction it carries in ONE insert, in interaction id order, nothing past its `notAfter`
 *    (`late`) and nothing claimed already (`taken`), as `poll_cast_vote` did for one.
 * 2. Takes the member locks of the claimed votes, then their polls' close locks in shared mode, each set once and in
 *    key order. Every transaction that takes more than one of these locks takes claims before member locks before
 *    close locks, each in ascending order (a single vote takes one of each, in that order; a close of one poll takes
 *    one close lock; the scheduler's close of several takes theirs in key order before its update, see
 *    `claimDuePolls`), so two of them can wait for each other only in one direction: no deadlock, whether the
 *    batches come from one process or from the twin processes of a deploy overlap, which claim the same
 *    interactions.
 * 3. Casts each claimed vote in the order given (a member's two clicks in one batch apply in turn: each statement of
 *    a VOLATILE function sees what the ones before it wrote), with migrations/011's body, now the function
 *    `poll_cast_vote_locked`. An interaction given twice in one batch (a gateway replay) is cast once; the other is
 *    `taken`. The batch reads the clock once: a vote is `late` when the statement started after its `notAfter`.
 * 4. Answers a JSON array: for each vote given, in the same order, what `poll_cast_vote` answers for one.
 *
 * A batch commits or fails as a whole: a vote is cast only if its whole batch commits, and one vote's error (an
 * anonymous poll without its salt, which the body raises) or wait (the 2.3 s statement timeout covers the batch)
 * fails all of them. The locks are held until then, which makes a member's next click (or a close) wait for the
 * batch, not only for the vote. Only the bot's pool sends batches: inside a transaction, a second batch would claim
 * while holding the first one's locks (src/lib/polls/vote-batches.ts casts such votes one by one).
 *
 * `poll_cast_vote` stays, with 011's parameters, as the claim and the locks around `poll_cast_vote_locked`: a process
 * older than this migration still votes through it during a deploy overlap, and the rules stay in one body.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	// Only for the two functions below: it takes no claim and no lock, and counts on its caller holding them.
	await sql.unsafe(`
		create function poll_cast_vote_locked(
			p_guild_id bigint,
			p_poll_number integer,
			p_user_id text,
			p_voter_key text,
			p_member_role_ids bigint[],
			p_toggle smallint,
			p_options smallint[],
			p_double_click interval,
			p_with_labels boolean
		) returns json
		language plpgsql
		as $$
		declare
${castVoteDeclarations}		begin
${castVoteBody}		end
		$$
	`);
	await sql.unsafe(`
		create or replace function poll_cast_vote(${castVoteParameters}) returns json
		language plpgsql
		as $$
		declare
			v_claimed boolean;
		begin
${castVoteClaim}			return poll_cast_vote_locked(p_guild_id, p_poll_number, p_user_id, p_voter_key, p_member_role_ids, p_toggle,
				p_options, p_double_click, p_with_labels);
		end
		$$
	`);
	// One vote of a batch, read once from the batch's JSON (each `->>` on a json value would parse it again).
	await sql`
		create type poll_vote_call as (
			guild_id bigint,
			poll_number integer,
			user_id text,
			voter_key text,
			role_ids bigint[],
			toggle smallint,
			options smallint[],
			with_labels boolean,
			interaction_id bigint,
			not_after timestamptz
		)
	`;
	// Each vote: {"guild", "poll", "user", "key" (anonymous polls' voter key or null), "roles" (the member's role ids),
	// "toggle" (a button's option, or null for a selection), "options" (a selection's), "labels" (whether to answer the
	// option labels), "interaction" and "notAfter" (both null for a vote that claims nothing)}.
	await sql`
		create function poll_cast_votes(p_votes json, p_double_click interval) returns json
		language plpgsql
		as $$
		declare
			v_votes poll_vote_call[];
			v_vote poll_vote_call;
			v_late bigint[];
			v_claimed bigint[];
			v_results json[] := '{}';
			-- One reading of the clock for the whole batch: two copies of one interaction (a replay) are both in time or
			-- both late. A vote without a not-after time is in time, as in poll_cast_vote.
			v_started timestamptz := clock_timestamp();
		begin
			select coalesce(array_agg(row(v.guild, v.poll, v.voter, v.key, v.roles, v.toggle, v.options, v.labels, v.interaction,
				v.not_after)::poll_vote_call order by v.position), '{}')
			into v_votes
			from rows from (
				json_to_recordset(p_votes) as (guild bigint, poll integer, "user" text, key text, roles bigint[], toggle smallint,
					options smallint[], labels boolean, interaction bigint, "notAfter" timestamptz)
			) with ordinality as v (guild, poll, voter, key, roles, toggle, options, labels, interaction, not_after, position);
			-- stage: claims
			with wanted as (
				select v.interaction_id, coalesce(v_started < v.not_after, true) as in_time
				from unnest(v_votes) as v
				where v.interaction_id is not null
			), claimed as (
				insert into interaction_claims (interaction_id)
				select interaction_id from wanted where in_time order by interaction_id
				on conflict do nothing
				returning interaction_id
			)
			select array(select interaction_id from wanted where not in_time), array(select interaction_id from claimed)
			into v_late, v_claimed;
			-- stage: locks
			-- Member locks (kind 1) before close locks (kind 2), each in key order, in one statement.
			perform case when locks.kind = 1 then pg_advisory_xact_lock(locks.key) else pg_advisory_xact_lock_shared(locks.key) end
			from (
				select distinct 1 as kind, hashtextextended('poll-voter:' || v.guild_id || ':' || v.poll_number || ':' || v.user_id, 0) as key
				from unnest(v_votes) as v
				where v.interaction_id is null or v.interaction_id = any(v_claimed)
				union
				select 2, hashtextextended('poll-close:' || v.guild_id || ':' || v.poll_number, 0)
				from unnest(v_votes) as v
				where v.interaction_id is null or v.interaction_id = any(v_claimed)
				order by kind, key
			) as locks;
			-- stage: votes
			foreach v_vote in array v_votes loop
				if v_vote.interaction_id is not null then
					if v_vote.interaction_id = any(v_late) then
						v_results := v_results || json_build_object('outcome', 'late');
						continue;
					elsif not (v_vote.interaction_id = any(v_claimed)) then
						v_results := v_results || json_build_object('outcome', 'taken');
						continue;
					end if;
					v_claimed := array_remove(v_claimed, v_vote.interaction_id);
				end if;
				v_results := v_results || poll_cast_vote_locked(v_vote.guild_id, v_vote.poll_number, v_vote.user_id, v_vote.voter_key,
					v_vote.role_ids, v_vote.toggle, v_vote.options, p_double_click, v_vote.with_labels);
			end loop;
			return array_to_json(v_results);
		end
		$$
	`;
}

/**
 * Back to migrations/011's single function (a vote per statement); nothing is stored differently.
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`drop function poll_cast_votes(json, interval)`;
	await sql`drop type poll_vote_call`;
	await createCastVote(sql, 'create or replace');
	await sql`
		drop function poll_cast_vote_locked(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)
	`;
}
