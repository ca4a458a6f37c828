import { up as up004 } from './004_poll_vote_deadline.js';

/**
 * Votes stop writing to the poll row: `poll_cast_vote` takes a shared advisory lock per poll instead of locking the
 * row FOR KEY SHARE, and closing or deleting a poll takes the same lock exclusively (a trigger on `polls`).
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
 * - nothing else changes: the deadline check, the choices, the deltas.
 *
 * And fewer statements per vote, each of which costs a full executor run inside plpgsql (auto_explain of one vote:
 * its statements did under a third of the function's time): the poll and the member's votes are read together, a
 * button's option check is a plain expression, and a first vote, which removes nothing, skips the delete.
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
		begin
			-- The member's lock first (as before), then the poll's in shared mode; the poll is read by the next
			-- statement, whose fresh snapshot sees any close that committed while this one waited.
			perform pg_advisory_xact_lock(hashtextextended('poll-voter:' || p_guild_id || ':' || p_poll_number || ':' || p_user_id, 0)),
				pg_advisory_xact_lock_shared(hashtextextended('poll-close:' || p_guild_id || ':' || p_poll_number, 0));
			-- The poll and the member's votes in that one statement (after both locks, so it sees what the member's
			-- previous click committed): each statement of a plpgsql function is a full executor run, and those runs,
			-- not the work in them, were most of a vote's cost in the database.
			select p.closed_at, p.closes_at, p.role_id, p.option_count, p.max_choices, p.anonymous, p.voter_salt,
				coalesce(mine.options, '{}') as options, coalesce(mine.times, '{}') as times
			into v_poll
			from polls p
			cross join lateral (
				select array_agg(v.option_index order by v.option_index) as options, array_agg(v.voted_at order by v.option_index) as times
				from poll_votes v
				where v.guild_id = p.guild_id and v.poll_number = p.poll_number
					and v.voter = case when p.anonymous then p_voter_key else p_user_id end
			) as mine
			where p.guild_id = p_guild_id and p.poll_number = p_poll_number;
			if not found then
				return json_build_object('outcome', 'notFound');
			end if;
			-- Past its deadline a poll takes no vote, whether or not a scheduler has claimed it yet. clock_timestamp(),
			-- not now(): the statement may have waited on the locks above.
			if v_poll.closed_at is not null or (v_poll.closes_at is not null and v_poll.closes_at <= clock_timestamp()) then
				return json_build_object('outcome', 'closed');
			end if;
			if v_poll.role_id is not null and not (v_poll.role_id = any(coalesce(p_member_role_ids, '{}'))) then
				return json_build_object('outcome', 'missingRole');
			end if;
			-- A button's check stays a plain expression; only a selection needs a query.
			if p_toggle is not null then
				if p_toggle < 0 or p_toggle >= v_poll.option_count then
					return json_build_object('outcome', 'badOption');
				end if;
			elsif exists (select from unnest(p_options) as o where o < 0 or o >= v_poll.option_count) then
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
			v_before := v_poll.options;
			v_times := v_poll.times;

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
			-- A first vote (the common case) removes nothing: one statement without the delete, which would still
			-- probe the member's votes.
			if cardinality(v_removed) = 0 then
				with added as (
					insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at)
					select p_guild_id, p_poll_number, v_voter, o, clock_timestamp() from unnest(v_added) as o
					on conflict do nothing
					returning option_index
				)
				insert into poll_count_deltas (guild_id, poll_number, option_index, delta)
				select p_guild_id, p_poll_number, option_index, 1 from added
				union all select p_guild_id, p_poll_number, -1, v_voter_delta where v_voter_delta <> 0;
			else
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
			end if;
			return json_build_object('outcome', 'ok', 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
		end
		$$
	`;
}

/**
 * Back to 004's function and the row lock.
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`drop trigger polls_delete_waits_for_votes on polls`;
	await sql`drop trigger polls_close_unlinks_late_votes on polls`;
	await sql`drop function polls_unlink_late_votes()`;
	await sql`drop trigger polls_close_waits_for_votes on polls`;
	await sql`drop function polls_wait_for_votes()`;
	await sql`drop function poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)`;
	await up004(sql);
}
