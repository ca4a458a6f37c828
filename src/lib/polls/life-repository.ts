/**
 * SQL for a poll's life after creation (issue 13): edits and reopening, which take the poll row FOR UPDATE and then
 * its close lock (votes hold it shared, migrations/006, so a vote is counted against the options it saw, before or
 * after the edit, never both), and the claims of scheduled starts and reminders, each taken by one process at a time and recorded as done
 * only once its message went out.
 */
import { Result } from '@sapphire/result';
import type postgres from 'postgres';
import type { Executor, Sql } from '../database/client.js';
import type { EditablePoll, PollEdit, Refusal } from './life-rules.js';
import type { PollRef } from './ref.js';
import { interval, onShards, selectPoll, type PollRow, type ShardScope } from './repository.js';

/** How long a claimed start or reminder is left to the process that claimed it before another one tries again. */
export const LifeTiming = { retrySeconds: 60 } as const;

/**
 * Locks the poll row FOR UPDATE (against other edits, closes and reopenings), then its close lock, waiting for the
 * votes in flight (which hold it shared) as a close does, and reads the poll in a statement of its own: in READ
 * COMMITTED a statement keeps the snapshot it started with, so reading in the locking statement would miss the
 * votes it waited for. The row first, then the lock: the scheduler's close of several polls takes them in that order.
 */
async function lockPoll(tx: postgres.TransactionSql, ref: PollRef) {
	const [found] = await tx`select from polls where guild_id = ${ref.guildId} and poll_number = ${ref.number} for update`;
	if (!found) return null;
	await tx`select pg_advisory_xact_lock(hashtextextended('poll-close:' || ${ref.guildId}::bigint || ':' || ${ref.number}::int, 0))`;
	const [row] = await tx<(PollRow & { due: boolean; labels: string[]; hasVotes: boolean; announced: boolean })[]>`
		select ${selectPoll(tx, 'polls')},
			(closes_at is not null and closes_at <= clock_timestamp()) as due,
			announced_at is not null as announced,
			(select array_agg(label order by option_index) from poll_options o
				where o.guild_id = polls.guild_id and o.poll_number = polls.poll_number) as labels,
			exists (select from poll_votes v where v.guild_id = polls.guild_id and v.poll_number = polls.poll_number) as "hasVotes"
		from polls where guild_id = ${ref.guildId} and poll_number = ${ref.number}
	`;
	return row ?? null;
}

export type EditFailure = 'notFound' | 'closed';

/**
 * Applies the edit `plan` decides for the poll as it is once locked, in one transaction: the question, the options
 * (existing indexes keep their labels when options are added, so ballots stay exact), the deadline. A poll past its
 * deadline is closed for this, claimed or not.
 */
export async function editPoll(
	sql: Sql,
	ref: PollRef,
	plan: (poll: EditablePoll) => Result<PollEdit, Refusal>
): Promise<Result<PollRow, EditFailure | Refusal>> {
	return sql.begin(async (tx) => {
		const locked = await lockPoll(tx, ref);
		if (!locked) return Result.err<EditFailure>('notFound');
		if (locked.closedAt !== null || locked.due) return Result.err<EditFailure>('closed');
		const planned = plan({ number: locked.number, labels: locked.labels, hasVotes: locked.hasVotes, maxChoices: locked.maxChoices });
		if (planned.isErr()) return Result.err(planned.unwrapErr());
		const edit = planned.unwrap();
		if (edit.labels !== null) {
			await tx`
				insert into poll_options (guild_id, poll_number, option_index, label)
				select ${ref.guildId}::bigint, ${ref.number}::int, (labels.position - 1)::smallint, labels.label
				from jsonb_array_elements_text(${JSON.stringify(edit.labels)}::text::jsonb) with ordinality as labels (label, position)
				on conflict (guild_id, poll_number, option_index) do update set label = excluded.label
			`;
			await tx`delete from poll_options where guild_id = ${ref.guildId} and poll_number = ${ref.number} and option_index >= ${edit.labels.length}`;
		}
		const closesAt =
			edit.deadline.kind === 'keep'
				? tx`closes_at`
				: edit.deadline.kind === 'none'
					? tx`null`
					: tx`coalesce(case when started_at is null then starts_at end, clock_timestamp()) + ${interval(edit.deadline.ms)}::interval`;
		const changesText = edit.question !== null || edit.labels !== null;
		const [row] = await tx<PollRow[]>`
			update polls set
				question = ${edit.question ?? locked.question}::text,
				option_count = ${edit.labels?.length ?? locked.optionCount}::smallint,
				closes_at = ${closesAt},
				edited_at = ${changesText ? tx`clock_timestamp()` : tx`edited_at`}
			where guild_id = ${ref.guildId} and poll_number = ${ref.number}
			returning ${selectPoll(tx, 'polls')}
		`;
		return Result.ok(row!);
	});
}

export type ReopenFailure = 'notFound' | 'open' | 'anonymous' | 'announcing' | 'neverPosted';

/**
 * Opens a closed poll again with its votes, open until closed or for `durationMs` from now. Refused for an anonymous
 * poll (its salt was wiped at close: its voters could vote again unrecognised), a poll cancelled before it was ever
 * posted, and a poll whose close is still being announced (that notice would follow the reopening).
 */
export async function reopenPoll(sql: Sql, ref: PollRef, durationMs: number | null): Promise<Result<PollRow, ReopenFailure>> {
	return sql.begin(async (tx) => {
		const locked = await lockPoll(tx, ref);
		if (!locked) return Result.err<ReopenFailure>('notFound');
		if (locked.closedAt === null) return Result.err<ReopenFailure>('open');
		if (locked.anonymous) return Result.err<ReopenFailure>('anonymous');
		if (locked.messageId === null) return Result.err<ReopenFailure>('neverPosted');
		if (!locked.announced) return Result.err<ReopenFailure>('announcing');
		const closesAt = durationMs === null ? null : interval(durationMs);
		const [row] = await tx<PollRow[]>`
			update polls set closed_at = null, closed_by = null, close_reason = null, announced_at = null, announce_attempted_at = null,
				closes_at = clock_timestamp() + ${closesAt}::interval
			where guild_id = ${ref.guildId} and poll_number = ${ref.number}
			returning ${selectPoll(tx, 'polls')}
		`;
		return Result.ok(row!);
	});
}

/**
 * Cancels a poll not posted yet: it is closed and counts as announced (nothing was ever shown, so nothing is
 * announced). `null` when it is not scheduled any more (posted meanwhile, or closed).
 */
export async function cancelScheduled(sql: Executor, ref: PollRef, userId: string | null): Promise<PollRow | null> {
	const [row] = await sql<PollRow[]>`
		update polls set closed_at = clock_timestamp(), closed_by = ${userId}::bigint, close_reason = 'command', voter_salt = null,
			announced_at = clock_timestamp()
		where guild_id = ${ref.guildId} and poll_number = ${ref.number} and starts_at is not null and started_at is null and closed_at is null
		returning ${selectPoll(sql, 'polls')}
	`;
	return row ?? null;
}

/** A claimed start or reminder: the poll, and when a previous attempt was taken on (its message may be out already). */
export interface Claimed {
	readonly poll: PollRow;
	readonly previousAttempt: Date | null;
	/**
	 * The claim's own time, exactly as stored, so that only this claim is given back: text, since a `Date` drops the
	 * microseconds (and so does postgres.js for a parameter typed timestamptz: it is compared as `::text::timestamptz`).
	 */
	readonly claimedAt: string;
}

export interface ClaimedStart extends Claimed {
	/** When it was to start before this claim moved its start (and deadline) to now. */
	readonly plannedStart: Date;
	/** When it was due, if it is posted later than {@link lateStartMs} after that; `null` when on time. */
	readonly lateSince: Date | null;
}

/**
 * Scheduled polls of `shards`' servers that are due, each taken by one caller at a time (rows another caller holds
 * are skipped, and one claimed less than {@link LifeTiming.retrySeconds} ago is left to its claimer). The claim moves
 * the start to now and the deadline with it, so the duration counts from the actual start; a retry moves them again,
 * which a duration measured between them keeps.
 */
export async function claimDueStarts(sql: Executor, shards: ShardScope, lateMs: number, limit = 20): Promise<ClaimedStart[]> {
	const rows = await sql<(PollRow & { previousAttempt: Date | null; claimedAt: string; plannedStart: Date; lateSince: Date | null })[]>`
		with due as (
			select guild_id, poll_number, starts_at, start_attempted_at from polls
			where starts_at is not null and started_at is null and closed_at is null and starts_at <= now()
				and (start_attempted_at is null or start_attempted_at < now() - make_interval(secs => ${LifeTiming.retrySeconds}))
				and ${onShards(sql, 'polls', shards)}
			order by starts_at, guild_id, poll_number
			limit ${limit}
			for update skip locked
		), taken as (
			update polls set start_attempted_at = clock_timestamp(), starts_at = clock_timestamp(),
				closes_at = clock_timestamp() + (polls.closes_at - polls.starts_at)
			from due
			where polls.guild_id = due.guild_id and polls.poll_number = due.poll_number
			returning polls.*, due.start_attempted_at as previous, due.starts_at as planned
		)
		select ${selectPoll(sql, 'taken')}, previous as "previousAttempt", start_attempted_at::text as "claimedAt", planned as "plannedStart",
			case when clock_timestamp() - planned > ${interval(lateMs)}::interval then planned end as "lateSince"
		from taken
	`;
	return rows.map(({ previousAttempt, claimedAt, plannedStart, lateSince, ...poll }) => ({
		poll: { ...poll, scheduledFor: null },
		previousAttempt,
		claimedAt,
		plannedStart,
		lateSince
	}));
}

/**
 * Records that the scheduled poll's message went out. `null` when it was cancelled meanwhile (the message is then
 * the caller's to take back).
 */
export async function markStarted(sql: Executor, ref: PollRef, messageId: string): Promise<PollRow | null> {
	const [row] = await sql<PollRow[]>`
		update polls set started_at = clock_timestamp(), message_id = ${messageId}::bigint
		where guild_id = ${ref.guildId} and poll_number = ${ref.number} and started_at is null and closed_at is null
		returning ${selectPoll(sql, 'polls')}
	`;
	return row ?? null;
}

export interface ClaimedReminder extends Claimed {
	readonly remindRoleId: string | null;
}

/**
 * Open, posted polls of `shards`' servers whose reminder is due and was never sent, before their deadline (a
 * reminder after the close would say nothing true), each taken by one caller at a time as {@link claimDueStarts}.
 */
export async function claimDueReminders(sql: Executor, shards: ShardScope, limit = 20): Promise<ClaimedReminder[]> {
	const rows = await sql<(PollRow & { previousAttempt: Date | null; claimedAt: string; remindRoleId: string | null })[]>`
		with due as (
			select guild_id, poll_number, remind_attempted_at from polls
			where remind_before is not null and reminded_at is null and closed_at is null and message_id is not null
				and (starts_at is null or started_at is not null)
				and closes_at - remind_before <= now() and closes_at > now()
				and (remind_attempted_at is null or remind_attempted_at < now() - make_interval(secs => ${LifeTiming.retrySeconds}))
				and ${onShards(sql, 'polls', shards)}
			order by closes_at, guild_id, poll_number
			limit ${limit}
			for update skip locked
		), taken as (
			update polls set remind_attempted_at = clock_timestamp()
			from due
			where polls.guild_id = due.guild_id and polls.poll_number = due.poll_number
			returning polls.*, due.remind_attempted_at as previous
		)
		select ${selectPoll(sql, 'taken')}, previous as "previousAttempt", remind_attempted_at::text as "claimedAt",
			remind_role_id::text as "remindRoleId"
		from taken
	`;
	return rows.map(({ previousAttempt, claimedAt, remindRoleId, ...poll }) => ({ poll, previousAttempt, claimedAt, remindRoleId }));
}

/**
 * Gives back claims this process took and will not carry out (it is shutting down): each is left as it was before
 * the claim (a start keeps its planned time, so a late one still says so), so the next process takes it at once
 * instead of after {@link LifeTiming.retrySeconds}, and still learns of any earlier attempt. A claim carried out
 * meanwhile, or taken again by another process since (its time is no longer ours), is left alone.
 */
export async function releaseStarts(sql: Executor, claims: readonly ClaimedStart[]): Promise<void> {
	for (const { poll, previousAttempt, claimedAt, plannedStart } of claims) {
		await sql`
			update polls set start_attempted_at = ${previousAttempt}, starts_at = ${plannedStart},
				closes_at = ${plannedStart}::timestamptz + (closes_at - starts_at)
			where guild_id = ${poll.guildId} and poll_number = ${poll.number} and started_at is null
				and start_attempted_at = ${claimedAt}::text::timestamptz
		`;
	}
}

/** {@link releaseStarts} for reminders. */
export async function releaseReminders(sql: Executor, claims: readonly ClaimedReminder[]): Promise<void> {
	for (const { poll, previousAttempt, claimedAt } of claims) {
		await sql`
			update polls set remind_attempted_at = ${previousAttempt}
			where guild_id = ${poll.guildId} and poll_number = ${poll.number} and reminded_at is null
				and remind_attempted_at = ${claimedAt}::text::timestamptz
		`;
	}
}

/** Records that the reminder went out: a poll is reminded once. */
export async function markReminded(sql: Executor, ref: PollRef): Promise<void> {
	await sql`update polls set reminded_at = clock_timestamp() where guild_id = ${ref.guildId} and poll_number = ${ref.number} and reminded_at is null`;
}
