import { up as up004 } from './004_poll_vote_deadline.js';

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
 * `poll_cast_vote` keeps 004's signature, locking and rules (see 003 for the locking) and adds: the weight lookup
 * (same statement, so a vote stays one round trip and exact under concurrency), the ranked ballot (the options in
 * the order given, each once: `duplicateOption` otherwise), and the weight on every delta. Deltas written by a
 * process still running 004's function get weight 1 by default, which is what they were.
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
	await sql`
		create or replace function poll_cast_vote(
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
			v_poll record;
			v_voter text;
			v_now timestamptz;
			v_before smallint[];
			v_times timestamptz[];
			v_after smallint[];
			v_removed smallint[];
			v_added smallint[];
			v_voter_delta integer;
			v_voted_at timestamptz;
			v_labels text[];
			v_weight smallint;
		begin
			-- The member's lock, then the poll's close lock in shared mode, as in migration 006 (where the reasoning is):
			-- a close waits for the votes in flight, and a vote that comes after a waiting close queues behind it. The
			-- poll is read by the next statement, whose snapshot sees a close that committed during the wait.
			perform pg_advisory_xact_lock(hashtextextended('poll-voter:' || p_guild_id || ':' || p_poll_number || ':' || p_user_id, 0)),
				pg_advisory_xact_lock_shared(hashtextextended('poll-close:' || p_guild_id || ':' || p_poll_number, 0));
			select p.closed_at, p.closes_at, p.role_id, p.option_count, p.max_choices, p.anonymous, p.voter_salt, p.ranked, p.weighted
			into v_poll
			from polls p
			where p.guild_id = p_guild_id and p.poll_number = p_poll_number;
			if not found then
				return json_build_object('outcome', 'notFound');
			end if;
			if v_poll.closed_at is not null or (v_poll.closes_at is not null and v_poll.closes_at <= clock_timestamp()) then
				return json_build_object('outcome', 'closed');
			end if;
			if v_poll.role_id is not null and not (v_poll.role_id = any(coalesce(p_member_role_ids, '{}'))) then
				return json_build_object('outcome', 'missingRole');
			end if;
			-- A ranked poll takes whole ballots only: a toggle (an option button) is not a ballot.
			if (p_toggle is not null and (v_poll.ranked or p_toggle < 0 or p_toggle >= v_poll.option_count))
				or (p_toggle is null and exists (select from unnest(p_options) as o where o < 0 or o >= v_poll.option_count)) then
				return json_build_object('outcome', 'badOption');
			end if;
			if v_poll.ranked and cardinality(p_options) <> (select count(distinct o) from unnest(p_options) as o) then
				return json_build_object('outcome', 'duplicateOption');
			end if;
			if v_poll.anonymous then
				if v_poll.voter_salt is null then
					raise exception 'anonymous poll %#% has no salt', p_guild_id, p_poll_number;
				end if;
				if p_voter_key is null then
					return json_build_object('outcome', 'needsVoterKey', 'salt', encode(v_poll.voter_salt, 'base64'));
				end if;
				v_voter := p_voter_key;
			else
				v_voter := p_user_id;
			end if;
			v_weight := 1;
			if v_poll.weighted then
				select coalesce(max(w.weight), 1) into v_weight
				from role_weights w where w.guild_id = p_guild_id and w.role_id = any(coalesce(p_member_role_ids, '{}'));
			end if;

			v_now := clock_timestamp();
			-- A ranked ballot in rank order; other polls' choices in option order.
			select coalesce(array_agg(option_index order by rank nulls last, option_index), '{}'),
				coalesce(array_agg(voted_at order by rank nulls last, option_index), '{}')
			into v_before, v_times
			from poll_votes where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_voter;

			if p_with_labels then
				select array_agg(label order by option_index) into v_labels
				from poll_options where guild_id = p_guild_id and poll_number = p_poll_number;
			end if;

			if v_poll.ranked then
				v_after := p_options;
				if v_after = v_before then
					return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', false, 'labels', to_json(v_labels));
				end if;
				-- The whole ballot is replaced; only first choices are counted as deltas (the rounds come from the ballots).
				v_voter_delta := case when cardinality(v_before) = 0 then 1 when cardinality(v_after) = 0 then -1 else 0 end;
				with removed as (
					delete from poll_votes
					where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_voter
					returning option_index, rank, weight
				), added as (
					insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, rank, weight)
					select p_guild_id, p_poll_number, v_voter, o, clock_timestamp(), position, v_weight
					from unnest(v_after) with ordinality as ranked (o, position)
					returning option_index, rank, weight
				)
				insert into poll_count_deltas (guild_id, poll_number, option_index, delta, weight)
				select p_guild_id, p_poll_number, option_index, -1, weight from removed where rank = 1
				union all select p_guild_id, p_poll_number, option_index, 1, weight from added where rank = 1
				union all select p_guild_id, p_poll_number, -1, v_voter_delta, 1 where v_voter_delta <> 0;
				return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
			end if;

			-- The member's choices after this click, as nextChoices in src/lib/polls/rules.ts decides them.
			v_removed := '{}';
			v_added := '{}';
			if p_toggle is null then
				v_after := array(select distinct o from unnest(p_options) as o order by o limit v_poll.max_choices);
				v_removed := array(select unnest(v_before) except select unnest(v_after));
				v_added := array(select unnest(v_after) except select unnest(v_before));
			elsif p_toggle = any(v_before) then
				v_voted_at := v_times[array_position(v_before, p_toggle)];
				if v_voted_at is not null and v_now - v_voted_at < p_double_click then
					v_after := v_before;
				else
					v_after := array_remove(v_before, p_toggle);
					v_removed := array[p_toggle];
				end if;
			elsif v_poll.max_choices = 1 then
				v_after := array[p_toggle];
				v_removed := v_before;
				v_added := array[p_toggle];
			elsif cardinality(v_before) < v_poll.max_choices then
				v_after := array(select o from unnest(v_before || p_toggle) as o order by o);
				v_added := array[p_toggle];
			else
				v_after := v_before;
			end if;

			if cardinality(v_removed) = 0 and cardinality(v_added) = 0 then
				return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', false, 'labels', to_json(v_labels));
			end if;

			v_voter_delta := case when cardinality(v_before) = 0 then 1 when cardinality(v_after) = 0 then -1 else 0 end;
			-- A removed vote takes back the weight it was cast with; an added one carries the member's weight now.
			with removed as (
				delete from poll_votes
				where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_voter and option_index = any(v_removed)
				returning option_index, weight
			), added as (
				insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, weight)
				select p_guild_id, p_poll_number, v_voter, o, clock_timestamp(), v_weight from unnest(v_added) as o
				on conflict do nothing
				returning option_index, weight
			)
			insert into poll_count_deltas (guild_id, poll_number, option_index, delta, weight)
			select p_guild_id, p_poll_number, option_index, -1, weight from removed
			union all select p_guild_id, p_poll_number, option_index, 1, weight from added
			union all select p_guild_id, p_poll_number, -1, v_voter_delta, 1 where v_voter_delta <> 0;
			return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
		end
		$$
	`;
}

/**
 * Back to 004's function and the tables before this migration.
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`drop function poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)`;
	await up004(sql);
	await sql`drop table role_weights`;
	await sql`alter table poll_count_deltas drop column weight`;
	await sql`alter table poll_votes drop column rank, drop column weight`;
	await sql`alter table poll_options drop column weighted_votes`;
	await sql`alter table polls drop column ranked, drop column weighted, drop column show_voters`;
}
