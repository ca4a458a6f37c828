/**
 * `poll_cast_vote`: a vote in one statement, so one round trip to the database instead of five.
 *
 * Profiling the bot under a burst of votes showed the vote transaction (BEGIN, lock and read the poll, read the
 * member's votes, write, COMMIT) costing more than everything else a vote does: each round trip is a socket write and
 * a wake-up of the server process, and on two cores that is where the time went. The rules stay those of
 * the five-statement vote before it (and of `nextChoices` in src/lib/polls/rules.ts, which the tests hold this function to):
 * - the advisory lock per (poll, member) is taken first, with the same key as before, so a double click or two quick
 *   clicks are applied one after the other, also against a process still running the previous version;
 * - the poll row is then locked FOR KEY SHARE: votes never wait on each other, a close (FOR UPDATE) waits for the
 *   votes in flight and every later vote sees the poll closed;
 * - the member's votes are read by a statement of their own, after both locks: a VOLATILE function takes a fresh
 *   snapshot per statement, so it sees what the member's previous click committed (one statement reading after its
 *   own lock wait would not);
 * - counts change through appended deltas (see 002_polls.js), never a shared counter row.
 *
 * The function returns JSON: `outcome` (ok, notFound, closed, missingRole, badOption, or needsVoterKey when an
 * anonymous poll is voted in without the member's key: the salt comes back so the caller can compute it, and nothing
 * is recorded), and for ok the member's `choices`, whether anything `changed`, and the option `labels` when asked
 * (they never change, so the caller keeps them). Option indexes outside 0..32767 must be passed as -1 (any invalid
 * index is refused as badOption).
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`
		create function poll_cast_vote(
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
		begin
			select p.closed_at, p.role_id, p.option_count, p.max_choices, p.anonymous, p.voter_salt into v_poll
			from polls p
			cross join lateral (select pg_advisory_xact_lock(hashtextextended('poll-voter:' || p_guild_id || ':' || p_poll_number || ':' || p_user_id, 0))) as voter_lock
			where p.guild_id = p_guild_id and p.poll_number = p_poll_number
			for key share of p;
			if not found then
				return json_build_object('outcome', 'notFound');
			end if;
			if v_poll.closed_at is not null then
				return json_build_object('outcome', 'closed');
			end if;
			if v_poll.role_id is not null and not (v_poll.role_id = any(coalesce(p_member_role_ids, '{}'))) then
				return json_build_object('outcome', 'missingRole');
			end if;
			if (p_toggle is not null and (p_toggle < 0 or p_toggle >= v_poll.option_count))
				or (p_toggle is null and exists (select from unnest(p_options) as o where o < 0 or o >= v_poll.option_count)) then
				return json_build_object('outcome', 'badOption');
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

			v_now := clock_timestamp();
			select coalesce(array_agg(option_index order by option_index), '{}'), coalesce(array_agg(voted_at order by option_index), '{}')
			into v_before, v_times
			from poll_votes where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_voter;

			-- The member's choices after this click, as nextChoices in src/lib/polls/rules.ts decides them. A button
			-- (the common case) is worked out without a query.
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

			if p_with_labels then
				select array_agg(label order by option_index) into v_labels
				from poll_options where guild_id = p_guild_id and poll_number = p_poll_number;
			end if;
			if cardinality(v_removed) = 0 and cardinality(v_added) = 0 then
				return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', false, 'labels', to_json(v_labels));
			end if;

			v_voter_delta := case when cardinality(v_before) = 0 then 1 when cardinality(v_after) = 0 then -1 else 0 end;
			with removed as (
				delete from poll_votes
				where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_voter and option_index = any(v_removed)
				returning option_index
			), added as (
				insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at)
				select p_guild_id, p_poll_number, v_voter, o, clock_timestamp() from unnest(v_added) as o
				on conflict do nothing
				returning option_index
			)
			insert into poll_count_deltas (guild_id, poll_number, option_index, delta)
			select p_guild_id, p_poll_number, option_index, -1 from removed
			union all select p_guild_id, p_poll_number, option_index, 1 from added
			union all select p_guild_id, p_poll_number, -1, v_voter_delta where v_voter_delta <> 0;
			return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
		end
		$$
	`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop function poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)`;
}
