import { up as up004 } from './004_poll_vote_deadline.js';

/**
 * `poll_cast_vote` in one definition (it was 004's, redefined by 006 and 008 and patched textually by 011), with
 * everything the migrations before this one ask of a vote, made cheaper in the database. The vote path cost 0.61 ms
 * of PostgreSQL CPU per vote against the reference floor's 0.14 ms (`npm run bench -- --only floor`). A profile of
 * the backends (perf, under bench/vote-statement.ts's load) put most of a call in executor start-up per statement
 * and per plan node (aggregates with ORDER BY and their sorts, a lateral join, sub-plans for weights and labels that
 * are set up even when not run), the inserts (check constraints, ON CONFLICT's speculative insertion) and the
 * commit. The rows themselves weighed less than the statements writing them: a copy of the function without its
 * delta insert wrote 224 fewer WAL bytes per vote but used no measurably less CPU.
 *
 * What a vote does, in order, and why:
 * 1. Claims the interaction (`p_interaction_id`, migrations/009), unless it is past `p_not_after` (`late`: nothing
 *    is cast); a twin delivery of the same interaction finds the claim (`taken`) once the first commits, so a vote
 *    applies at most once per interaction. In the same statement, and only if claimed: the member's advisory lock
 *    (one member's clicks apply in turn), then the poll's close lock in shared mode (migrations/006: a close waits
 *    for the votes in flight, and a vote asking after a waiting close queues behind it). This was a CTE around the
 *    call, sent by src/lib/interaction-claims.ts; inside, it is one plain statement among the function's.
 * 2. Reads the poll and the member's choices (in option order, straight from the primary key) in one statement,
 *    after the locks: a VOLATILE function takes a new snapshot per statement, so it sees what the member's previous
 *    click and any close committed while this one waited. The refusals a button can meet are one CASE there. The
 *    member's weight (weighted polls), the labels (when asked), a ranked ballot's order, a selection's checks and a
 *    repeated click's time are each read by a statement of their own only when needed.
 * 3. Decides as `nextChoices` (src/lib/polls/rules.ts) does, without a query for a button; a ranked poll takes whole
 *    ballots only (each option once: `duplicateOption`), a weighted one the highest weight among the member's roles.
 * 4. Writes the vote and ONE delta row in one statement: `poll_count_deltas` now holds a vote's change to the
 *    counts as one row (the voters delta, and the options changed with their signed weights) where it held one row
 *    per option changed plus one for the voter count. A vote that only adds (a first vote, the common case) has no
 *    delete and reads nothing back.
 * 5. Answers JSON: `outcome` (ok, notFound, closed, missingRole, badOption, duplicateOption, taken, late, or
 *    needsVoterKey with the salt, recording nothing), and for ok the member's choices `before` and after
 *    (`choices`), whether anything `changed`, and the option `labels` when asked.
 *
 * Measured in alternating rounds against the function this replaces (008's with 011's patch, claim and fold
 * included): 0.48 -> 0.30-0.33 ms of PostgreSQL CPU and 1,026 -> 725 WAL bytes per vote (bench/vote-statement.ts);
 * on the whole vote path 0.61 -> 0.42-0.48 ms (bench/README.md, "What the profile found, and migrations/011").
 *
 * The interaction parameters come last with defaults, so a call with 004's nine arguments (a process older than
 * this migration, during a deploy overlap) still votes, without a claim, as it did. A fold by such a process reads
 * columns the deltas no longer have and fails (its edit is retried by the newer one); it cannot miscount.
 *
 * Existing deltas are kept, rewritten in the new shape (and back by `down`), so no vote is lost either way.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`drop function poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean)`;
	// `deltas` are signed weights: their sign is the change to `votes`, their sum the change to `weighted_votes`.
	await sql`
		alter table poll_count_deltas
			add column voters smallint not null default 0,
			add column options smallint[] not null default '{}',
			add column deltas smallint[] not null default '{}'
	`;
	await sql`
		update poll_count_deltas set
			voters = case when option_index = -1 then delta else 0 end,
			options = case when option_index = -1 then '{}' else array[option_index] end,
			deltas = case when option_index = -1 then '{}' else array[delta * weight] end
	`;
	await sql`
		alter table poll_count_deltas
			drop column option_index,
			drop column delta,
			drop column weight,
			alter column voters drop default,
			alter column options drop default,
			alter column deltas drop default
	`;
	await createCastVote(sql, 'create');
}

// The texts below are this migration's, as applied: a database migrated once keeps them, so they are never edited. A
// later change to what a vote does is a new migration with a body of its own (migrations/013 reuses them unchanged).

/**
 * The parameters of `poll_cast_vote` as this migration defines them; migrations/013 keeps them (a process older than
 * it still calls the function during a deploy overlap).
 */
export const castVoteParameters = `
			p_guild_id bigint,
			p_poll_number integer,
			p_user_id text,
			p_voter_key text,
			p_member_role_ids bigint[],
			p_toggle smallint,
			p_options smallint[],
			p_double_click interval,
			p_with_labels boolean,
			p_interaction_id bigint default null,
			p_not_after timestamptz default null
		`;

/** The variables of a vote's body ({@link castVoteBody}). */
export const castVoteDeclarations = `
			v_poll record;
			v_before smallint[];
			v_after smallint[];
			v_removed smallint[] := '{}';
			v_added smallint[] := '{}';
			v_voter_delta smallint;
			v_voted_at timestamptz;
			v_weight smallint := 1;
			v_labels text[];
`;

/**
 * Step 1 of a single vote: the claim of the interaction and the locks, in that order (migrations/013 takes them for
 * a whole batch of votes instead, in the same order).
 */
export const castVoteClaim = `
			-- stage: claim and locks
			if p_interaction_id is null then
				perform pg_advisory_xact_lock(hashtextextended('poll-voter:' || p_guild_id || ':' || p_poll_number || ':' || p_user_id, 0)),
					pg_advisory_xact_lock_shared(hashtextextended('poll-close:' || p_guild_id || ':' || p_poll_number, 0));
			elsif clock_timestamp() >= p_not_after then
				return json_build_object('outcome', 'late');
			else
				-- The locks are taken in the claim's RETURNING, so only by the statement that claims.
				with claim as (
					insert into interaction_claims (interaction_id) values (p_interaction_id) on conflict do nothing
					returning pg_advisory_xact_lock(hashtextextended('poll-voter:' || p_guild_id || ':' || p_poll_number || ':' || p_user_id, 0)),
						pg_advisory_xact_lock_shared(hashtextextended('poll-close:' || p_guild_id || ':' || p_poll_number, 0))
				)
				select true into v_claimed from claim;
				if not found then
					return json_build_object('outcome', 'taken');
				end if;
			end if;
`;

/**
 * Steps 2 to 5: what a vote does once its interaction is claimed and its locks are held. One text, so that the single
 * vote of this migration and the batches of migrations/013 follow the same rules.
 */
export const castVoteBody = `
			-- stage: read
			-- The refusals a button can meet are decided here, in the statement's one expression, rather than one
			-- plpgsql condition each. Past its deadline a poll takes no vote, whether or not a scheduler has claimed it
			-- yet; clock_timestamp(), not now(): the statement may have waited on the locks. The member's choices come in option order straight from the primary key (a
			-- ranked ballot is read again below, in rank order). Each statement is a full executor start: what a vote
			-- rarely needs (weights, labels, a selection's checks) is read only when it does.
			select p.anonymous, p.voter_salt, p.ranked, p.weighted, p.max_choices, p.option_count,
				case when p.anonymous then p_voter_key else p_user_id end as voter,
				case
					when p.closed_at is not null or (p.closes_at is not null and p.closes_at <= clock_timestamp()) then 'closed'
					when p.role_id is not null and not (p.role_id = any(coalesce(p_member_role_ids, '{}'))) then 'missingRole'
					when p_toggle is not null and (p.ranked or p_toggle < 0 or p_toggle >= p.option_count) then 'badOption'
				end as refusal,
				array(
					select v.option_index from poll_votes v
					where v.guild_id = p_guild_id and v.poll_number = p_poll_number
						and v.voter = case when p.anonymous then p_voter_key else p_user_id end
					order by v.option_index
				) as options
			into v_poll
			from polls p
			where p.guild_id = p_guild_id and p.poll_number = p_poll_number;
			-- stage: decide
			if not found then
				return json_build_object('outcome', 'notFound');
			elsif v_poll.refusal is not null then
				return json_build_object('outcome', v_poll.refusal);
			end if;
			-- A selection's own checks: a button's were made in the read.
			if p_toggle is null then
				if exists (select from unnest(p_options) as o where o < 0 or o >= v_poll.option_count) then
					return json_build_object('outcome', 'badOption');
				elsif v_poll.ranked and cardinality(p_options) <> (select count(distinct o) from unnest(p_options) as o) then
					return json_build_object('outcome', 'duplicateOption');
				end if;
			end if;
			if v_poll.anonymous then
				if v_poll.voter_salt is null then
					raise exception 'anonymous poll %#% has no salt', p_guild_id, p_poll_number;
				elsif p_voter_key is null then
					return json_build_object('outcome', 'needsVoterKey', 'salt', encode(v_poll.voter_salt, 'base64'));
				end if;
			end if;
			if v_poll.weighted then
				select coalesce(max(w.weight), 1) into v_weight
				from role_weights w where w.guild_id = p_guild_id and w.role_id = any(coalesce(p_member_role_ids, '{}'));
			end if;
			if p_with_labels then
				select array_agg(o.label order by o.option_index) into v_labels
				from poll_options o where o.guild_id = p_guild_id and o.poll_number = p_poll_number;
			end if;

			if v_poll.ranked then
				select coalesce(array_agg(v.option_index order by v.rank), '{}') into v_before
				from poll_votes v where v.guild_id = p_guild_id and v.poll_number = p_poll_number and v.voter = v_poll.voter;
				v_after := p_options;
				if v_after = v_before then
					return json_build_object('outcome', 'ok', 'before', to_json(v_before), 'choices', to_json(v_after), 'changed', false, 'labels', to_json(v_labels));
				end if;
				v_voter_delta := case when cardinality(v_before) = 0 then 1 when cardinality(v_after) = 0 then -1 else 0 end;
				-- The whole ballot is replaced; only first choices are counted (the rounds come from the ballots).
				with removed as (
					delete from poll_votes
					where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_poll.voter
					returning option_index, rank, weight
				), added as (
					insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, rank, weight)
					select p_guild_id, p_poll_number, v_poll.voter, o, clock_timestamp(), position, v_weight
					from unnest(v_after) with ordinality as ranked (o, position)
					returning option_index, rank, weight
				), counted as (
					select option_index, -weight as delta from removed where rank = 1
					union all select option_index, weight from added where rank = 1
				)
				insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas)
				select p_guild_id, p_poll_number, v_voter_delta, coalesce(array_agg(option_index), '{}'), coalesce(array_agg(delta), '{}')
				from counted;
				return json_build_object('outcome', 'ok', 'before', to_json(v_before), 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
			end if;

			-- The member's choices after this click, as nextChoices in src/lib/polls/rules.ts decides them.
			v_before := v_poll.options;
			if p_toggle is null then
				v_after := array(select distinct o from unnest(p_options) as o order by o limit v_poll.max_choices);
				v_removed := array(select unnest(v_before) except select unnest(v_after));
				v_added := array(select unnest(v_after) except select unnest(v_before));
			elsif p_toggle = any(v_before) then
				-- A click on a choice already made: a double click leaves it, unless it was made long enough ago.
				select v.voted_at into v_voted_at from poll_votes v
				where v.guild_id = p_guild_id and v.poll_number = p_poll_number and v.voter = v_poll.voter and v.option_index = p_toggle;
				if v_voted_at is not null and clock_timestamp() - v_voted_at < p_double_click then
					v_after := v_before;
				else
					v_after := array_remove(v_before, p_toggle);
					v_removed := array[p_toggle];
				end if;
			elsif v_poll.max_choices = 1 then
				v_after := array[p_toggle];
				v_removed := v_before;
				v_added := v_after;
			elsif cardinality(v_before) < v_poll.max_choices then
				v_after := array(select o from unnest(v_before || p_toggle) as o order by o);
				v_added := array[p_toggle];
			else
				v_after := v_before;
			end if;

			if cardinality(v_removed) = 0 and cardinality(v_added) = 0 then
				return json_build_object('outcome', 'ok', 'before', to_json(v_before), 'choices', to_json(v_after), 'changed', false, 'labels', to_json(v_labels));
			end if;

			v_voter_delta := case when cardinality(v_before) = 0 then 1 when cardinality(v_after) = 0 then -1 else 0 end;
			-- stage: write
			-- A removed vote takes back the weight it was cast with; an added one carries the member's weight now.
			-- The rows added cannot exist already (the member's lock is held and their choices were read after it), so
			-- the insert takes no ON CONFLICT: were that ever wrong, the vote would fail rather than miscount. A vote
			-- that only adds (a first vote, the common case) then knows its delta without reading anything back.
			if cardinality(v_removed) = 0 then
				with added as (
					insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, weight)
					select p_guild_id, p_poll_number, v_poll.voter, o, clock_timestamp(), v_weight from unnest(v_added) as o
				)
				insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas)
				values (p_guild_id, p_poll_number, v_voter_delta, v_added, array_fill(v_weight, array[cardinality(v_added)]));
			else
				with removed as (
					delete from poll_votes
					where guild_id = p_guild_id and poll_number = p_poll_number and voter = v_poll.voter and option_index = any(v_removed)
					returning option_index, weight
				), added as (
					insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, weight)
					select p_guild_id, p_poll_number, v_poll.voter, o, clock_timestamp(), v_weight from unnest(v_added) as o
				), counted as (
					select option_index, -weight as delta from removed
					union all select o, v_weight from unnest(v_added) as o
				)
				insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas)
				select p_guild_id, p_poll_number, v_voter_delta, array_agg(option_index), array_agg(delta) from counted;
			end if;
			-- stage: answer
			return json_build_object('outcome', 'ok', 'before', to_json(v_before), 'choices', to_json(v_after), 'changed', true, 'labels', to_json(v_labels));
`;

/**
 * `poll_cast_vote` as this migration defines it, in one function: claim and locks, then the body.
 *
 * @param {import('postgres').Sql} sql
 * @param {'create' | 'create or replace'} verb
 */
export async function createCastVote(sql, verb) {
	await sql.unsafe(`
		${verb} function poll_cast_vote(${castVoteParameters}) returns json
		language plpgsql
		as $$
		declare
${castVoteDeclarations}			v_claimed boolean;
		begin
${castVoteClaim}${castVoteBody}		end
		$$
	`);
}

/**
 * Back to 004's function (the one the migrations before this left in place) and one delta row per option changed
 * and per voter-count change.
 *
 * @param {import('postgres').Sql} sql
 */
export async function down(sql) {
	await sql`
		drop function poll_cast_vote(bigint, integer, text, text, bigint[], smallint, smallint[], interval, boolean, bigint, timestamptz)
	`;
	await up004(sql);
	await sql`
		alter table poll_count_deltas
			add column option_index smallint check (option_index between -1 and 24),
			add column delta smallint,
			add column weight smallint not null default 1
	`;
	await sql`
		insert into poll_count_deltas (guild_id, poll_number, option_index, delta, weight, voters, options, deltas)
		select d.guild_id, d.poll_number, changed.option_index, sign(changed.delta)::smallint, abs(changed.delta), 0::smallint,
			'{}'::smallint[], '{}'::smallint[]
		from poll_count_deltas d, unnest(d.options, d.deltas) as changed (option_index, delta)
		union all
		select d.guild_id, d.poll_number, -1::smallint, d.voters, 1::smallint, 0::smallint, '{}'::smallint[], '{}'::smallint[]
		from poll_count_deltas d where d.voters <> 0
	`;
	await sql`delete from poll_count_deltas where option_index is null`;
	await sql`
		alter table poll_count_deltas
			alter column option_index set not null,
			alter column delta set not null,
			drop column voters,
			drop column options,
			drop column deltas
	`;
}
