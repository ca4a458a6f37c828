import { Result } from '@sapphire/result';
import type postgres from 'postgres';
import type { Executor, Sql } from '../database/client.js';
import { checkTransition, targetStatus, type Decision, type GuildStatus, type TransitionRefusal } from './rules.js';

/** NOTIFY channel on which every status change is announced, with the guild id as payload. */
export const guildStatusChannel = 'guild_status';

export interface GuildFacts {
	readonly guildId: string;
	readonly name: string;
	readonly ownerId: string | null;
	readonly memberCount: number;
}

export interface GuildRow {
	readonly guildId: string;
	readonly name: string;
	readonly ownerId: string | null;
	readonly memberCount: number;
	readonly status: GuildStatus;
	readonly decidedBy: string | null;
	readonly decidedAt: Date | null;
	readonly reason: string | null;
	readonly joinedAt: Date;
	readonly leftAt: Date | null;
}

export interface SeenGuild {
	readonly guildId: string;
	readonly status: GuildStatus;
	/** True when this call created the row: the bot never met this server before. */
	readonly isNew: boolean;
	/** At least one owner was told about it (the approval DM went out). */
	readonly announced: boolean;
}

/**
 * Records that the bot is in these servers, in one statement: new ones start pending, known ones keep their state
 * and get their name and member count refreshed. Says which rows are new, so each server is announced once even
 * when two processes see it at the same time.
 */
export async function recordGuildsSeen(sql: Executor, guilds: readonly GuildFacts[]): Promise<SeenGuild[]> {
	if (guilds.length === 0) return [];
	const rows = await sql<{ guildId: string; status: GuildStatus; isNew: boolean; announced: boolean }[]>`
		insert into guilds (guild_id, name, owner_id, member_count)
		select "guildId", name, "ownerId", "memberCount"
		from jsonb_to_recordset(${sql.json(guilds as unknown as postgres.JSONValue)}) as seen ("guildId" bigint, name text, "ownerId" bigint, "memberCount" int)
		on conflict (guild_id) do update
			set name = excluded.name,
				owner_id = coalesce(excluded.owner_id, guilds.owner_id),
				member_count = excluded.member_count,
				left_at = null,
				updated_at = now()
		returning guild_id::text as "guildId", status, (xmax = 0) as "isNew", (announced_at is not null) as announced
	`;
	return rows.map((row) => ({ guildId: row.guildId, status: row.status, isNew: row.isNew, announced: row.announced }));
}

export async function markGuildLeft(sql: Executor, guildId: string) {
	await sql`update guilds set left_at = now(), updated_at = now() where guild_id = ${guildId}`;
}

/** Records that at least one owner got the approval DM for this server, so it is not sent again. */
export async function markOwnersNotified(sql: Executor, guildId: string) {
	await sql`update guilds set announced_at = now() where guild_id = ${guildId} and announced_at is null`;
}

export async function findGuild(sql: Executor, guildId: string): Promise<GuildRow | null> {
	const [row] = await sql<GuildRow[]>`select ${selectGuild(sql)} from guilds where guild_id = ${guildId}`;
	return row ?? null;
}

export async function findGuildStatus(sql: Executor, guildId: string): Promise<GuildStatus | null> {
	const [row] = await sql<{ status: GuildStatus }[]>`select status from guilds where guild_id = ${guildId}`;
	return row?.status ?? null;
}

export interface ListGuildsOptions {
	readonly status: GuildStatus | null;
	readonly limit: number;
	readonly offset: number;
}

export async function listGuilds(sql: Executor, options: ListGuildsOptions): Promise<{ rows: GuildRow[]; total: number }> {
	const filter = options.status === null ? sql`true` : sql`status = ${options.status}`;
	const [rows, [count]] = await Promise.all([
		sql<GuildRow[]>`
			select ${selectGuild(sql)} from guilds where ${filter}
			order by joined_at desc, guild_id desc limit ${options.limit} offset ${options.offset}
		`,
		sql<{ total: number }[]>`select count(*)::int as total from guilds where ${filter}`
	]);
	return { rows, total: count?.total ?? 0 };
}

export async function countGuildsByStatus(sql: Executor): Promise<Record<GuildStatus, number>> {
	const rows = await sql<{ status: GuildStatus; count: number }[]>`select status, count(*)::int as count from guilds group by status`;
	const counts: Record<GuildStatus, number> = { pending: 0, approved: 0, denied: 0 };
	for (const row of rows) counts[row.status] = row.count;
	return counts;
}

/** Servers matching `query` by id prefix or name, for autocomplete. */
export async function searchGuilds(sql: Executor, query: string, limit = 25): Promise<GuildRow[]> {
	const pattern = `%${query.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
	const idPrefix = /^\d+$/.test(query) ? `${query}%` : null;
	return sql<GuildRow[]>`
		select ${selectGuild(sql)} from guilds
		where guild_id::text like ${idPrefix ?? ''} or name ilike ${pattern}
		order by (left_at is null) desc, joined_at desc limit ${limit}
	`;
}

/** Servers still pending that joined more than `days` ago and that the bot is still in. */
export async function findStalePending(sql: Executor, days: number): Promise<string[]> {
	const rows = await sql<{ guildId: string }[]>`
		select guild_id::text as "guildId" from guilds
		where status = 'pending' and left_at is null and joined_at < now() - make_interval(days => ${days})
	`;
	return rows.map((row) => row.guildId);
}

export type DecisionRefusal = TransitionRefusal | 'unknown';

export interface DecisionOutcome {
	readonly guild: GuildRow;
	readonly from: GuildStatus;
}

/**
 * Applies an owner's decision in one transaction: locks the server's row, checks the transition, updates it, adds
 * the audit row and notifies every process (the NOTIFY is delivered on commit).
 */
export async function decide(
	sql: Sql,
	input: { guildId: string; decision: Decision; decidedBy: string; reason: string | null }
): Promise<Result<DecisionOutcome, DecisionRefusal>> {
	return sql.begin(async (tx) => {
		const [current] = await tx<{ status: GuildStatus }[]>`select status from guilds where guild_id = ${input.guildId} for update`;
		if (!current) return Result.err('unknown' as const);
		const refusal = checkTransition(current.status, input.decision);
		if (refusal !== null) return Result.err(refusal);

		const to = targetStatus(input.decision);
		const [guild] = await tx<GuildRow[]>`
			update guilds
			set status = ${to}, decided_by = ${input.decidedBy}, decided_at = now(), reason = ${input.reason}, updated_at = now()
			where guild_id = ${input.guildId}
			returning ${selectGuild(tx)}
		`;
		await tx`
			insert into guild_decisions (guild_id, from_status, to_status, decided_by, reason)
			values (${input.guildId}, ${current.status}, ${to}, ${input.decidedBy}, ${input.reason})
		`;
		await tx`select pg_notify(${guildStatusChannel}, ${input.guildId})`;
		return Result.ok({ guild: guild!, from: current.status });
	});
}

export interface DecisionRecord {
	readonly fromStatus: GuildStatus | null;
	readonly toStatus: GuildStatus;
	readonly decidedBy: string | null;
	readonly reason: string | null;
	readonly decidedAt: Date;
}

export async function listDecisions(sql: Executor, guildId: string): Promise<DecisionRecord[]> {
	return sql<DecisionRecord[]>`
		select from_status as "fromStatus", to_status as "toStatus", decided_by::text as "decidedBy", reason, decided_at as "decidedAt"
		from guild_decisions where guild_id = ${guildId} order by decision_id
	`;
}

function selectGuild(sql: Executor) {
	return sql`
		guild_id::text as "guildId", name, owner_id::text as "ownerId", member_count as "memberCount", status,
		decided_by::text as "decidedBy", decided_at as "decidedAt", reason, joined_at as "joinedAt", left_at as "leftAt"
	`;
}

export interface Announcement {
	readonly ownerId: string;
	readonly channelId: string;
	readonly messageId: string;
}

export async function saveAnnouncement(sql: Executor, guildId: string, announcement: Announcement) {
	await sql`
		insert into guild_announcements (guild_id, owner_id, channel_id, message_id)
		values (${guildId}, ${announcement.ownerId}, ${announcement.channelId}, ${announcement.messageId})
		on conflict (guild_id, owner_id) do update
			set channel_id = excluded.channel_id, message_id = excluded.message_id, sent_at = now()
	`;
}

export async function listAnnouncements(sql: Executor, guildId: string): Promise<Announcement[]> {
	return sql<Announcement[]>`
		select owner_id::text as "ownerId", channel_id::text as "channelId", message_id::text as "messageId"
		from guild_announcements where guild_id = ${guildId}
	`;
}
