import { Result } from '@sapphire/result';
import type postgres from 'postgres';
import type { Executor, Sql } from '../database/client.js';
import { defaultLocale } from '../i18n/index.js';
import { anonymousVoterKey, newVoterSalt } from './anonymity.js';
import type { Ballot } from './ranked.js';
import type { PollRef } from './ref.js';
import type { PollLifeDraft } from './life-rules.js';
import { sendVote } from './vote-batches.js';
import { type PollDraft, type PollFacts, type ShowVoters, type VoteAction } from './rules.js';

export type CloseReason = 'command' | 'button' | 'deadline';

export interface PollRow extends PollFacts {
	readonly guildId: string;
	readonly number: number;
	readonly channelId: string;
	readonly messageId: string | null;
	readonly question: string;
	readonly optionCount: number;
	readonly maxChoices: number;
	/** Members with at least one vote, as of the last fold. */
	readonly voterCount: number;
	readonly createdAt: Date;
	readonly closesAt: Date | null;
	readonly closedBy: string | null;
	readonly closeReason: CloseReason | null;
	/** The Discord locale its public messages are written in. */
	readonly locale: string;
	/** When a scheduled poll is to be posted, while it is not yet; `null` once posted (or if never scheduled). */
	readonly scheduledFor: Date | null;
	/** When its question or options last changed; `null` if never. */
	readonly editedAt: Date | null;
	/** Members rank the options; counted by instant runoff (src/lib/polls/ranked.ts). */
	readonly ranked: boolean;
	/** Each vote counts with the member's role weight, taken when they voted. */
	readonly weighted: boolean;
	readonly showVoters: ShowVoters;
}

export interface PollOption {
	readonly index: number;
	readonly label: string;
	/** Members who picked it (a ranked poll: as their first choice), as of the last fold. */
	readonly votes: number;
	/** The same votes, each counted with its weight (as `votes` when absent: a poll that is not weighted). */
	readonly weightedVotes?: number;
}

/** Everything the poll message shows. */
export interface PollState {
	readonly poll: PollRow;
	readonly options: readonly PollOption[];
	/** A ranked poll's ballots, read with the counts (and only while they may be shown); `null` otherwise. */
	readonly ballots?: readonly Ballot[] | null;
}

export interface NewPoll {
	readonly guildId: string;
	readonly channelId: string;
	readonly creatorId: string;
	/** Its public messages' language; the default language when not given. */
	readonly locale?: string;
	readonly draft: PollDraft;
	/** When to post it and when to remind (issue 13); posted now, with no reminder, when not given. */
	readonly life?: PollLifeDraft;
}

/** Inserts a poll with the server's next number and its options, in one statement. */
export async function createPoll(sql: Executor, input: NewPoll): Promise<PollRow> {
	const { draft } = input;
	const life = input.life ?? { startsInMs: null, remindBeforeMs: null, remindRoleId: null };
	// The deadline counts from the start: now, or the scheduled start (and it moves with a late start, see
	// markStarted). Both are the database's times, as every comparison with them is.
	const startsAt = life.startsInMs === null ? sql`null::timestamptz` : sql`now() + ${interval(life.startsInMs)}::interval`;
	const closesAt = draft.durationMs === null ? sql`null::timestamptz` : sql`coalesce(${startsAt}, now()) + ${interval(draft.durationMs)}::interval`;
	const remindBefore = life.remindBeforeMs === null ? null : interval(life.remindBeforeMs);
	const salt = draft.anonymous ? newVoterSalt() : null;
	const [row] = await sql<PollRow[]>`
		with numbered as (
			insert into poll_counters (guild_id, last_number) values (${input.guildId}, 1)
			on conflict (guild_id) do update set last_number = poll_counters.last_number + 1
			returning last_number
		), created as (
			insert into polls (
				guild_id, poll_number, channel_id, creator_id, question, option_count, max_choices,
				anonymous, hide_results, role_id, voter_salt, closes_at, locale, starts_at, remind_before, remind_role_id,
				ranked, weighted, show_voters
			)
			select ${input.guildId}::bigint, last_number, ${input.channelId}::bigint, ${input.creatorId}::bigint, ${draft.question}::text,
				${draft.options.length}::smallint, ${draft.maxChoices}::smallint, ${draft.anonymous}::boolean, ${draft.hideResults}::boolean,
				${draft.roleId}::bigint, ${salt}::bytea, ${closesAt}, ${input.locale ?? defaultLocale}::text,
				${startsAt}, ${remindBefore}::interval, ${life.remindRoleId}::bigint,
				${draft.ranked}::boolean, ${draft.weighted}::boolean, ${draft.showVoters}::text
			from numbered
			returning *
		), options as (
			insert into poll_options (guild_id, poll_number, option_index, label)
			select ${input.guildId}::bigint, created.poll_number, (labels.position - 1)::smallint, labels.label
			from created, jsonb_array_elements_text(${JSON.stringify(draft.options)}::text::jsonb) with ordinality as labels (label, position)
		)
		select ${selectPoll(sql, 'created')} from created
	`;
	return row!;
}

/** Records where the poll message is, once Discord has answered `/poll create`. */
export async function setPollMessage(sql: Executor, guildId: string, number: number, channelId: string, messageId: string) {
	await sql`
		update polls set channel_id = ${channelId}, message_id = ${messageId}
		where guild_id = ${guildId} and poll_number = ${number}
	`;
}

/**
 * Records the message a click on the poll came from, for a poll that has none recorded (its create stopped between
 * Discord's answer and {@link setPollMessage}); `false` when it has one, or is gone.
 */
export async function adoptPollMessage(sql: Executor, ref: PollRef, message: { channelId: string; messageId: string }): Promise<boolean> {
	const rows = await sql`
		update polls set channel_id = ${message.channelId}, message_id = ${message.messageId}
		where guild_id = ${ref.guildId} and poll_number = ${ref.number} and message_id is null and starts_at is null
	`;
	return rows.count > 0;
}

/**
 * Deletes the polls of these shards that never got a message: stored by a `/poll create` whose process stopped
 * before Discord had its answer (a SIGKILL, a lost machine), more than `olderThanMs` ago, still open, with no vote.
 * Once the interaction's 15 minutes are over nobody can post them any more, and nobody saw them. A poll whose message
 * went out but was not recorded is found by its first click ({@link adoptPollMessage}) and has votes from then on;
 * one nobody clicked in those 15 minutes goes too, and its buttons then answer that the poll is not there.
 *
 * As {@link claimDuePolls} does, the candidates' close locks are taken, in key order, before anything is deleted: a
 * vote in flight holds one (shared), so the delete waits for it, and a vote arriving after waits for the delete and
 * finds no poll. The votes are looked for again after the locks, in a statement of its own (a fresh snapshot): a
 * first vote that committed meanwhile keeps its poll.
 */
export async function deleteUnpostedPolls(sql: Sql, shards: ShardScope, olderThanMs: number, limit = 100): Promise<PollRef[]> {
	return sql.begin(async (tx): Promise<PollRef[]> => {
		const candidates = await tx<PollRef[]>`
			select guild_id::text as "guildId", poll_number as number from polls
			where message_id is null and starts_at is null and closed_at is null
				and created_at < clock_timestamp() - ${interval(olderThanMs)}::interval and ${onShards(tx, 'polls', shards)}
			order by guild_id, poll_number
			limit ${limit}
			for update skip locked
		`;
		if (candidates.length === 0) return [];
		const { guilds, numbers } = await takeCloseLocks(tx, candidates);
		return tx<PollRef[]>`
			delete from polls p using unnest(${guilds}::bigint[], ${numbers}::int[]) as d (guild_id, poll_number)
			where p.guild_id = d.guild_id and p.poll_number = d.poll_number
				and p.message_id is null and p.closed_at is null and p.voter_count = 0
				and not exists (select from poll_count_deltas c where c.guild_id = p.guild_id and c.poll_number = p.poll_number)
				and not exists (select from poll_votes v where v.guild_id = p.guild_id and v.poll_number = p.poll_number)
			returning p.guild_id::text as "guildId", p.poll_number as number
		`;
	});
}

/** Removes a poll whose message could not be posted, so a failed `/poll create` leaves nothing behind. */
export async function deletePoll(sql: Executor, guildId: string, number: number) {
	await sql`delete from polls where guild_id = ${guildId} and poll_number = ${number}`;
}

export async function findPoll(sql: Executor, guildId: string, number: number): Promise<Result<PollRow, 'notFound'>> {
	const [row] = await sql<PollRow[]>`select ${selectPoll(sql, 'polls')} from polls where guild_id = ${guildId} and poll_number = ${number}`;
	return row ? Result.ok(row) : Result.err('notFound');
}

export type VoteFailure = 'notFound' | 'closed' | 'missingRole' | 'badOption' | 'duplicateOption';

export interface VoteInput {
	readonly guildId: string;
	readonly number: number;
	readonly userId: string;
	readonly memberRoleIds: readonly string[];
	readonly action: VoteAction;
	/**
	 * The interaction that carries the vote: given, the vote is cast only by the statement that claims it (see
	 * src/lib/interaction-claims.ts), and `taken` comes back when another process already did.
	 */
	readonly interactionId?: string | undefined;
	/** With `interactionId`: the vote is cast only if its statement starts before this; `late` otherwise. */
	readonly notAfter?: Date | undefined;
}

export interface VoteOutcome {
	readonly guildId: string;
	readonly number: number;
	/** The poll's options, by index. */
	readonly labels: readonly string[];
	/** The member's choices before this vote, as option indexes (migrations/011). */
	readonly previousChoices: readonly number[];
	/** The member's choices now, as option indexes. */
	readonly choices: readonly number[];
	/** Whether anything changed (false for a double click or an unchanged selection). */
	readonly changed: boolean;
}

/**
 * What a vote may remember from earlier votes to stay one round trip (see src/lib/polls/vote-caches.ts); kept by the
 * caller, never here. Without it every vote reads the labels, and an anonymous poll's vote takes two statements.
 */
export interface VoteMemory {
	labelsOf(poll: PollRef): readonly string[] | undefined;
	rememberLabels(poll: PollRef, labels: readonly string[]): readonly string[];
	saltOf(poll: PollRef): Buffer | null;
	rememberSalt(poll: PollRef, salt: Buffer): void;
}

const noMemory: VoteMemory = { labelsOf: () => undefined, rememberLabels: (_poll, labels) => labels, saltOf: () => null, rememberSalt: () => {} };

/**
 * Records a vote exactly under any concurrency, in one statement with the other votes in flight on `sql`:
 * `poll_cast_votes` (migrations/013_vote_batches.js, with the rules of migrations/011_vote_statement.js, where the
 * locking is explained) claims the interaction (at most once per interaction id, nothing after `notAfter`), orders
 * the member's clicks on this poll, holds the poll's close lock shared (a close waits for votes in flight), reads the
 * member's votes, applies the vote rule and appends one count delta. The profile showed a vote's cost dominated by
 * what each statement pays, so votes share their statements (src/lib/polls/vote-batches.ts).
 *
 * An anonymous poll's voter key is an HMAC under the poll's salt, computed here from the salt `memory` holds; without
 * it, the statement hands the salt back and a second one votes.
 */
export async function castVote(
	sql: Executor,
	input: VoteInput,
	memory: VoteMemory = noMemory
): Promise<Result<VoteOutcome, VoteFailure | 'taken' | 'late'>> {
	const ref = { guildId: input.guildId, number: input.number };
	const toggle = input.action.kind === 'toggle' ? optionIndex(input.action.option) : null;
	const options = input.action.kind === 'replace' ? input.action.options.map(optionIndex) : [];
	// A role id that is not a bigint would fail the whole batch's statement, not only this vote.
	const roles = input.memberRoleIds.filter(isBigint);
	let salt = memory.saltOf(ref);
	for (let attempt = 0; attempt < 2; attempt++) {
		const labels = memory.labelsOf(ref);
		// Only the first attempt claims the interaction: a second one (with the voter key) runs in the process that won.
		const claim = attempt === 0 ? (input.interactionId ?? null) : null;
		const result = await sendVote(sql, {
			guild: input.guildId,
			poll: input.number,
			user: input.userId,
			key: salt === null ? null : anonymousVoterKey(salt, input.userId),
			roles,
			toggle,
			options,
			labels: labels === undefined,
			interaction: claim,
			notAfter: claim === null ? null : (input.notAfter ?? new Date(Date.now() + 60_000)).toISOString()
		});
		switch (result.outcome) {
			case 'ok': {
				const known = labels ?? memory.rememberLabels(ref, result.labels ?? []);
				return Result.ok({ ...ref, labels: known, previousChoices: result.before, choices: result.choices, changed: result.changed });
			}
			case 'needsVoterKey':
				salt = Buffer.from(result.salt, 'base64');
				memory.rememberSalt(ref, salt);
				continue;
			default:
				return Result.err(result.outcome);
		}
	}
	throw new Error(`poll ${input.guildId}#${input.number}: the vote statement asked twice for the voter key`);
}

/** Whether `id` is digits PostgreSQL's bigint holds (a snowflake always is). */
function isBigint(id: string): boolean {
	return /^\d{1,19}$/.test(id) && (id.length < 19 || id <= '9223372036854775807');
}

/** An option index as the vote statement takes it: anything that is not one becomes -1, refused as badOption. */
function optionIndex(option: number): number {
	return Number.isInteger(option) && option >= 0 && option <= 32_767 ? option : -1;
}

export type ChoicesFailure = 'notFound' | 'unlinkable';

/** What `userId` picked; `unlinkable` for an anonymous poll that closed (its votes can no longer be tied to anyone). */
export async function findChoices(
	sql: Executor,
	guildId: string,
	number: number,
	userId: string
): Promise<Result<{ poll: PollRow; labels: string[]; choices: number[] }, ChoicesFailure>> {
	const [found] = await sql<(PollRow & { salt: Buffer | null; labels: string[] })[]>`
		select ${selectPoll(sql, 'polls')}, voter_salt as salt,
			(select array_agg(label order by option_index) from poll_options o
				where o.guild_id = polls.guild_id and o.poll_number = polls.poll_number) as labels
		from polls where guild_id = ${guildId} and poll_number = ${number}
	`;
	if (!found) return Result.err('notFound');
	const { salt, labels, ...poll } = found;
	if (poll.anonymous && salt === null) return Result.err('unlinkable');
	const voter = voterKey(poll, salt, userId);
	const rows = await sql<{ option: number }[]>`
		select option_index as option from poll_votes
		where guild_id = ${guildId} and poll_number = ${number} and voter = ${voter}
		order by rank nulls last, option_index
	`;
	return Result.ok({ poll, labels, choices: rows.map((row) => row.option) });
}

/**
 * The poll and its exact counts: the folded counts plus the deltas votes appended since, read in one snapshot. Reading
 * folds nothing: a delta stays until the poll's message shows it ({@link foldShownDeltas}), so a delta left over is a
 * vote some message does not show yet, whatever stopped the edit (a SIGKILL, a lost database), and the scheduler
 * heals it (src/lib/polls/edits.ts). `deltaIds` are the deltas this state includes, `version` the versions of the
 * rows it was read from ({@link foldShownDeltas} tells whether they changed since).
 */
export async function readPollState(sql: Executor, guildId: string, number: number): Promise<Result<PollState & ShownRead, 'notFound'>> {
	// One statement, so one snapshot: the counts, the deltas, the voters and the ballots agree, whatever a fold
	// commits meanwhile. The ranked rounds need every ballot; a poll hiding its results does not until it closes.
	const [found] = await sql<(PollRow & ShownRead & { voterDelta: number; options: PollOption[]; ballots: Ballot[] | null })[]>`
		select ${selectPoll(sql, 'polls')}, ${rowVersions(sql, guildId, number)} as version, pending."deltaIds", pending."voterDelta",
			(
				select json_agg(json_build_object(
					'index', o.option_index, 'label', o.label,
					'votes', o.votes + coalesce(d.delta, 0), 'weightedVotes', o.weighted_votes + coalesce(d.weighted, 0)
				) order by o.option_index)
				from poll_options o
				left join (
					-- One row per vote: the options it changed, each with its signed weight (see migrations/011_vote_statement.js).
					select changed.option_index, sum(sign(changed.delta))::int as delta, sum(changed.delta)::int as weighted
					from poll_count_deltas d, unnest(d.options, d.deltas) as changed (option_index, delta)
					where d.guild_id = ${guildId} and d.poll_number = ${number}
					group by changed.option_index
				) d on d.option_index = o.option_index
				where o.guild_id = polls.guild_id and o.poll_number = polls.poll_number
			) as options,
			case when polls.ranked and (not polls.hide_results or polls.closed_at is not null) then (
				select coalesce(json_agg(json_build_object('ranking', b.ranking, 'weight', b.weight)), '[]')
				from (${ballotsOf(sql, guildId, number)}) b
			) end as ballots
		from polls, lateral (
			-- The deltas not folded yet, read once: which they are, and the voters they add.
			select coalesce(array_agg(d.delta_id::text), '{}') as "deltaIds", coalesce(sum(d.voters), 0)::int as "voterDelta"
			from poll_count_deltas d where d.guild_id = polls.guild_id and d.poll_number = polls.poll_number
		) as pending
		where polls.guild_id = ${guildId} and polls.poll_number = ${number}
	`;
	if (!found) return Result.err('notFound' as const);
	const { deltaIds, voterDelta, version, options, ballots, ...row } = found;
	return Result.ok({ poll: { ...row, voterCount: row.voterCount + voterDelta }, options, ballots, deltaIds, version });
}

/** What a message rendered from {@link readPollState} shows: the deltas it included and its rows' versions. */
export interface ShownRead {
	readonly deltaIds: readonly string[];
	readonly version: string;
}

/**
 * The versions of the rows a poll's message is rendered from: each row's `xmin`, the transaction that wrote the
 * version a statement sees. Every change a message shows rewrites one of them (an edit, a close, a fold: a fold
 * always rewrites the poll's row, see {@link foldShownDeltas}) or adds a delta; votes only add deltas.
 */
function rowVersions(sql: Executor, guildId: string, number: number) {
	return sql`(
		select p.xmin::text || ':' || (
			select coalesce(string_agg(o.xmin::text, ',' order by o.option_index), '') from poll_options o
			where o.guild_id = p.guild_id and o.poll_number = p.poll_number
		)
		from polls p where p.guild_id = ${guildId} and p.poll_number = ${number}
	)`;
}

/**
 * Folds the deltas a message now shows into the counts: exactly those ids (a delta committed after the read, even
 * with a smaller id, stays for the next edit). Each delta is deleted once, so folds racing on the same ids (two
 * processes of a deploy overlap) count it once.
 *
 * Returns whether the database, as this statement finds it, still is what was read: every delta read is folded
 * here, no other delta exists, and the rows are the versions read. Run once the message shows `read`, `true` means
 * the message is exact, whatever other edits landed before it. `false` means something changed since the read (a
 * vote, a fold by another process, an edit of the poll), and the message may be behind: in a deploy overlap an older
 * render can land after a newer one, with every delta folded and nothing left to heal it (the 30-minute soak found
 * it). Every fold that moves a delta rewrites the poll's row, even when the number of voters stays, so that another
 * process's fold changes a version whatever its deltas held.
 */
export async function foldShownDeltas(sql: Executor, guildId: string, number: number, read: ShownRead): Promise<boolean> {
	const ids = `{${read.deltaIds.join(',')}}`;
	const [result] = await sql<{ current: boolean }[]>`
		with moved as (
			delete from poll_count_deltas
			where guild_id = ${guildId} and poll_number = ${number} and delta_id = any(${ids}::bigint[])
			returning voters, options, deltas
		), sums as (
			select changed.option_index, sum(sign(changed.delta))::int as delta, sum(changed.delta)::int as weighted
			from moved, unnest(moved.options, moved.deltas) as changed (option_index, delta)
			group by changed.option_index
		), voters as (
			select count(*)::int as moved, coalesce(sum(voters), 0)::int as delta from moved
		), poll as (
			update polls set voter_count = polls.voter_count + voters.delta
			from voters
			where polls.guild_id = ${guildId} and polls.poll_number = ${number} and voters.moved > 0
			returning 1
		), options as (
			-- Joined with the poll's update, the options are updated (and locked) only once the poll's row is: the row
			-- first, as an edit of the poll and a close take them, where the order of a statement's parts would be
			-- PostgreSQL's to choose (it runs the last-listed first, today).
			update poll_options set votes = poll_options.votes + sums.delta, weighted_votes = poll_options.weighted_votes + sums.weighted
			from sums, poll
			where poll_options.guild_id = ${guildId} and poll_options.poll_number = ${number}
				and poll_options.option_index = sums.option_index
		)
		-- Every part of one statement sees the rows as they were before it: the versions and deltas read here are
		-- those this fold found, not those it writes.
		select voters.moved = ${read.deltaIds.length}
			and ${rowVersions(sql, guildId, number)} = ${read.version}
			and not exists (
				select from poll_count_deltas d
				where d.guild_id = ${guildId} and d.poll_number = ${number} and d.delta_id <> all(${ids}::bigint[])
			) as current
		from voters
	`;
	return result?.current ?? false;
}

/**
 * Records that the poll's message is behind the database although every delta is folded (an older edit landed
 * last, seen by a process shutting down): an empty delta, which no message shows until an edit folds it, so the
 * scheduler's healing edits the message again ({@link findUnshownPolls}).
 */
export async function markUnshown(sql: Executor, guildId: string, number: number): Promise<void> {
	await sql`insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas) values (${guildId}, ${number}, 0, '{}', '{}')`;
}

/**
 * Polls of these shards with deltas no message shows yet: `since` is the oldest such delta, which only a fold can
 * take away. A poll whose oldest pending delta is the same at two looks some seconds apart lost its edit.
 */
export async function findUnshownPolls(
	sql: Executor,
	shards: ShardScope,
	limit = 500
): Promise<{ guildId: string; number: number; since: string }[]> {
	return sql<{ guildId: string; number: number; since: string }[]>`
		select guild_id::text as "guildId", poll_number as number, min(delta_id)::text as since
		from poll_count_deltas
		where ${onShards(sql, 'poll_count_deltas', shards)}
		group by guild_id, poll_number
		limit ${limit}
	`;
}

export type CloseFailure = 'notFound' | 'closed';

/**
 * Closes a poll exactly once: the row is taken FOR UPDATE (waiting for votes in flight) and changed only if still
 * open (and, with `onlyIfDue`, past its deadline). An anonymous poll's salt and vote times are wiped in the same
 * statement, so its votes can no longer be linked to anyone.
 */
export async function closePoll(
	sql: Executor,
	guildId: string,
	number: number,
	by: { reason: CloseReason; userId: string | null },
	{ onlyIfDue = false }: { onlyIfDue?: boolean } = {}
): Promise<Result<PollRow, CloseFailure>> {
	const due = onlyIfDue ? sql`and closes_at is not null and closes_at <= clock_timestamp()` : sql``;
	const [row] = await closeSelected(
		sql,
		sql`select guild_id, poll_number from polls where guild_id = ${guildId} and poll_number = ${number} and closed_at is null ${due} for update`,
		by
	);
	if (row) return Result.ok(row);
	const existing = await findPoll(sql, guildId, number);
	return Result.err(existing.isOk() ? 'closed' : 'notFound');
}

/**
 * Closes the poll if its deadline has passed and nobody closed it yet (a vote was just refused for that reason, and
 * the scheduler has not got to it); `null` when there was nothing to close. Exactly once, as {@link closePoll}.
 */
export async function closeIfDue(sql: Executor, guildId: string, number: number): Promise<PollRow | null> {
	const closed = await closePoll(sql, guildId, number, { reason: 'deadline', userId: null }, { onlyIfDue: true });
	return closed.unwrapOr(null);
}

/**
 * The shards a process is connected to, out of how many: a server is on shard `(guild_id >> 22) % count`. A process
 * closes and announces only the polls of its own servers, so that the one process that edits a poll's message
 * (votes arrive on the server's shard) is also the one that closes it: no other process can PATCH a stale "closed"
 * or "open" state after it.
 */
export interface ShardScope {
	readonly count: number;
	readonly ids: readonly number[];
}

/** The SQL condition "this poll's server is on one of `shards`". */
export function onShards(sql: Executor, table: string, shards: ShardScope) {
	const ids = `{${shards.ids.map((id) => Math.trunc(id)).join(',')}}`;
	return sql`((${sql(table)}.guild_id >> 22) % ${shards.count}::int) = any(${ids}::int[])`;
}

/**
 * Closes every open poll of `shards`' servers whose deadline has passed, up to `limit`, exactly once across
 * processes: the rows are locked FOR UPDATE in deadline order and changed only if still open, so a second process
 * waiting on the same row finds it closed and skips it. Returns the polls this call closed.
 *
 * Their close locks are taken before the update, in key order: the update's trigger (migrations/006) would take them
 * one row at a time in deadline order, while a batch of votes (migrations/013) holds several polls' close locks
 * shared, taken in key order, and the two could each wait for the other.
 */
export async function claimDuePolls(sql: Sql, shards: ShardScope, limit = 20): Promise<PollRow[]> {
	const closed = await sql.begin(async (tx): Promise<PollRow[]> => {
		const due = await tx<{ guildId: string; number: number }[]>`
			select guild_id as "guildId", poll_number as number from polls
			where closed_at is null and closes_at <= now() and (starts_at is null or started_at is not null) and ${onShards(tx, 'polls', shards)}
			order by closes_at, guild_id, poll_number
			limit ${limit}
			for update
		`;
		if (due.length === 0) return [];
		const { guilds, numbers } = await takeCloseLocks(tx, due);
		return closeSelected(
			tx,
			tx`
				select p.guild_id, p.poll_number from polls p, unnest(${guilds}::bigint[], ${numbers}::int[]) as d (guild_id, poll_number)
				where p.guild_id = d.guild_id and p.poll_number = d.poll_number
			`,
			{ reason: 'deadline', userId: null }
		);
	});
	return closed as PollRow[];
}

/**
 * Takes the close locks of `polls` (migrations/006: a vote holds its poll's shared while it runs) in key order, the
 * order every transaction takes them in, so that none waits for another that waits for it. Returns the polls as
 * the arrays statements take.
 */
async function takeCloseLocks(tx: Executor, polls: readonly PollRef[]) {
	const guilds = `{${polls.map((poll) => poll.guildId).join(',')}}`;
	const numbers = `{${polls.map((poll) => poll.number).join(',')}}`;
	await tx`
		select pg_advisory_xact_lock(locks.key) from (
			select distinct hashtextextended('poll-close:' || d.guild_id || ':' || d.poll_number, 0) as key
			from unnest(${guilds}::bigint[], ${numbers}::int[]) as d (guild_id, poll_number)
			order by key
		) as locks
	`;
	return { guilds, numbers };
}

/**
 * Closes the polls `target` selects and locks (`guild_id, poll_number ... for update`), each only if it is still
 * open, in one statement that also wipes an anonymous poll's salt and vote times. Returns the polls it closed.
 */
async function closeSelected(sql: Executor, target: postgres.PendingQuery<postgres.Row[]>, by: { reason: CloseReason; userId: string | null }) {
	const closed = await sql<PollRow[]>`
		with target as (${target}), closed as (
			update polls set closed_at = clock_timestamp(), closed_by = ${by.userId}::bigint, close_reason = ${by.reason}::text, voter_salt = null
			from target
			where polls.guild_id = target.guild_id and polls.poll_number = target.poll_number and polls.closed_at is null
			returning polls.*
		), unlinked as (
			update poll_votes set voted_at = null
			from closed
			where closed.anonymous and poll_votes.guild_id = closed.guild_id and poll_votes.poll_number = closed.poll_number
		)
		select ${selectPoll(sql, 'closed')} from closed
	`;
	return closed;
}

/** Records that the poll's close was announced (message edited, notice posted), so nobody announces it again. */
export async function markCloseAnnounced(sql: Executor, guildId: string, number: number): Promise<void> {
	await sql`
		update polls set announced_at = clock_timestamp()
		where guild_id = ${guildId} and poll_number = ${number} and closed_at is not null and announced_at is null
	`;
}

/** How long the process that closed a poll has to announce it before a scheduler does, and between two attempts. */
export const AnnounceTiming = { graceSeconds: 10, retrySeconds: 60 } as const;

/**
 * Polls of `shards`' servers closed more than {@link AnnounceTiming.graceSeconds} ago and never announced (the process
 * that closed them stopped first), up to `limit`, each taken by one caller at a time: the attempt is stamped in the
 * same statement (rows another caller is stamping are skipped), and a poll is offered again only
 * {@link AnnounceTiming.retrySeconds} after its last attempt.
 */
export async function claimUnannounced(sql: Executor, shards: ShardScope, limit = 20): Promise<PollRow[]> {
	return sql<PollRow[]>`
		with pending as (
			select guild_id, poll_number from polls
			where closed_at is not null and announced_at is null
				and closed_at < now() - make_interval(secs => ${AnnounceTiming.graceSeconds})
				and (announce_attempted_at is null or announce_attempted_at < now() - make_interval(secs => ${AnnounceTiming.retrySeconds}))
				and ${onShards(sql, 'polls', shards)}
			order by closed_at, guild_id, poll_number
			limit ${limit}
			for update skip locked
		), taken as (
			update polls set announce_attempted_at = clock_timestamp()
			from pending
			where polls.guild_id = pending.guild_id and polls.poll_number = pending.poll_number
			returning polls.*
		)
		select ${selectPoll(sql, 'taken')} from taken
	`;
}

/**
 * The sections of `/poll list`, in the order it shows them; a poll is in exactly one (a scheduled poll cancelled
 * before it started is closed). A new state of poll is one more entry here and in {@link listSectionRank}.
 */
export const PollListSections = ['open', 'scheduled', 'closed'] as const;
export type PollListSection = (typeof PollListSections)[number];

/** Each poll's section as SQL, by its position in {@link PollListSections}. */
function listSectionRank(sql: Executor) {
	return sql`(case when polls.closed_at is not null then 2 when polls.starts_at is not null and polls.started_at is null then 1 else 0 end)`;
}

export interface PollListPage {
	/** The page's polls, each with its section: open ones newest first, then closed ones most recently closed first. */
	readonly polls: readonly (PollRow & { readonly section: PollListSection })[];
	/** How many polls each section holds in all (not only on this page). */
	readonly counts: Readonly<Record<PollListSection, number>>;
}

/** One page of this server's polls, section after section, as `/poll list` shows them. */
export async function listPollPage(sql: Executor, guildId: string, { limit, offset }: { limit: number; offset: number }): Promise<PollListPage> {
	const rank = listSectionRank(sql);
	const [polls, ranks] = await Promise.all([
		sql<(PollRow & { rank: number })[]>`
			select ${selectPoll(sql, 'polls')}, ${rank} as rank from polls
			where guild_id = ${guildId}
			order by ${rank}, polls.closed_at desc nulls first, polls.poll_number desc
			limit ${limit} offset ${offset}
		`,
		sql<{ rank: number; count: number }[]>`
			select ${rank} as rank, count(*)::int as count from polls where guild_id = ${guildId} group by 1
		`
	]);
	const counts = Object.fromEntries(PollListSections.map((section) => [section, 0])) as Record<PollListSection, number>;
	for (const row of ranks) counts[PollListSections[row.rank]!] = row.count;
	return { polls: polls.map(({ rank, ...poll }) => ({ ...poll, section: PollListSections[rank]! })), counts };
}

/** Which polls a search offers: those a subcommand applies to (open ones include the scheduled). */
export type PollStateFilter = 'any' | 'open' | 'closed';

/** This server's polls matching what the member typed (number or words of the question), newest first. */
export async function searchPolls(sql: Executor, guildId: string, query: string, limit = 25, state: PollStateFilter = 'any'): Promise<PollRow[]> {
	const typed = query.trim();
	const number = /^#?\s*(\d+)$/.exec(typed)?.[1] ?? null;
	const pattern = `%${typed.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
	const matches =
		typed.length === 0
			? sql`true`
			: number === null
				? sql`question ilike ${pattern}`
				: sql`(poll_number::text like ${`${number}%`} or question ilike ${pattern})`;
	return sql<PollRow[]>`
		select ${selectPoll(sql, 'polls')} from polls
		where guild_id = ${guildId} and ${matches}
			and ${state === 'any' ? sql`true` : state === 'open' ? sql`closed_at is null` : sql`closed_at is not null`}
		order by (closed_at is null) desc, poll_number desc limit ${limit}
	`;
}

export interface VoteRecord {
	readonly userId: string;
	readonly option: number;
	readonly votedAt: Date | null;
	/** The option's rank on a ranked ballot (1 = first choice); `null` in other polls. */
	readonly rank?: number | null;
}

/** A ranked poll's ballots, one per voter (named or not), each with the weight it was cast with. */
export async function readBallots(sql: Executor, guildId: string, number: number): Promise<Ballot[]> {
	return [...(await sql<Ballot[]>`${ballotsOf(sql, guildId, number)}`)];
}

/** Each member's ballot in a ranked poll: their options, first choice first, and the weight it was cast with. */
function ballotsOf(sql: Executor, guildId: string, number: number) {
	return sql`
		select array_agg(option_index order by rank) as ranking, max(weight)::int as weight from poll_votes
		where guild_id = ${guildId} and poll_number = ${number}
		group by voter
	`;
}

/**
 * Who voted for what, in a poll that is not anonymous (an anonymous poll returns nothing): at most `limit` votes, in
 * primary key order (member, then option), so that a poll of any size is read along its index and stops early.
 */
export async function listVotes(sql: Executor, guildId: string, number: number, limit: number, offset = 0): Promise<VoteRecord[]> {
	return sql<VoteRecord[]>`
		select v.voter as "userId", v.option_index as option, v.voted_at as "votedAt", v.rank
		from poll_votes v join polls p using (guild_id, poll_number)
		where v.guild_id = ${guildId} and v.poll_number = ${number} and not p.anonymous
		order by v.guild_id, v.poll_number, v.voter, v.option_index
		limit ${limit} offset ${offset}
	`;
}

/**
 * One page of the members of a named poll (never an anonymous one) with their choices, in rank or option order,
 * ordered by user id; and how many members voted.
 */
export async function listVoterChoices(
	sql: Executor,
	guildId: string,
	number: number,
	limit: number,
	offset: number
): Promise<{ voters: { userId: string; choices: number[] }[]; total: number }> {
	const [voters, [count]] = await Promise.all([
		sql<{ userId: string; choices: number[] }[]>`
			select v.voter as "userId", array_agg(v.option_index order by v.rank nulls last, v.option_index) as choices
			from poll_votes v join polls p using (guild_id, poll_number)
			where v.guild_id = ${guildId} and v.poll_number = ${number} and not p.anonymous
			group by v.voter order by v.voter limit ${limit} offset ${offset}
		`,
		sql<{ total: number }[]>`
			select count(distinct voter)::int as total from poll_votes where guild_id = ${guildId} and poll_number = ${number}
		`
	]);
	return { voters: [...voters], total: count?.total ?? 0 };
}

/** A server's role weights, highest first. */
export async function listRoleWeights(sql: Executor, guildId: string): Promise<{ roleId: string; weight: number }[]> {
	return sql<{ roleId: string; weight: number }[]>`
		select role_id::text as "roleId", weight from role_weights where guild_id = ${guildId} order by weight desc, role_id
	`;
}

/** Sets a role's weight in one upsert; weight 1 (what a role without a rule weighs) deletes the rule. */
export async function setRoleWeight(sql: Executor, guildId: string, roleId: string, weight: number): Promise<void> {
	if (weight === 1) {
		await sql`delete from role_weights where guild_id = ${guildId} and role_id = ${roleId}`;
		return;
	}
	await sql`
		insert into role_weights (guild_id, role_id, weight) values (${guildId}, ${roleId}, ${weight})
		on conflict (guild_id, role_id) do update set weight = excluded.weight
	`;
}

function voterKey(poll: PollRow, salt: Buffer | null, userId: string): string {
	if (!poll.anonymous) return userId;
	if (salt === null) throw new Error(`anonymous poll ${poll.guildId}#${poll.number} has no salt`);
	return anonymousVoterKey(salt, userId);
}

/** A duration as PostgreSQL's interval text, to be cast in the query. */
export function interval(ms: number): string {
	return `${Math.trunc(ms)} milliseconds`;
}

export function selectPoll(sql: Executor, table: string) {
	const t = sql(table);
	return sql`
		${t}.guild_id::text as "guildId", ${t}.poll_number as number, ${t}.channel_id::text as "channelId",
		${t}.message_id::text as "messageId", ${t}.creator_id::text as "creatorId", ${t}.question,
		${t}.option_count as "optionCount", ${t}.max_choices as "maxChoices", ${t}.anonymous, ${t}.hide_results as "hideResults",
		${t}.role_id::text as "roleId", ${t}.voter_count as "voterCount", ${t}.created_at as "createdAt",
		${t}.closes_at as "closesAt", ${t}.closed_at as "closedAt", ${t}.closed_by::text as "closedBy",
		${t}.close_reason as "closeReason", ${t}.locale, ${t}.ranked, ${t}.weighted, ${t}.show_voters as "showVoters",
		case when ${t}.started_at is null then ${t}.starts_at end as "scheduledFor", ${t}.edited_at as "editedAt"
	`;
}

/** For `/admin stats`: polls open and in all, and votes, across every server. */
export async function countPolls(sql: Executor): Promise<{ open: number; total: number; votes: number }> {
	const [row] = await sql<{ open: number; total: number; votes: number }[]>`
		select
			(select count(*)::int from polls where closed_at is null) as open,
			(select count(*)::int from polls) as total,
			(select count(*)::int from poll_votes) as votes
	`;
	return row ?? { open: 0, total: 0, votes: 0 };
}
