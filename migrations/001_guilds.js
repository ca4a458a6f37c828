/**
 * Servers the bot has met, and their approval state.
 *
 * `guilds` holds the current state (one row per server); `guild_decisions` keeps every change, never overwritten.
 * Snowflakes are BIGINT. `guild_id` leads every primary key.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`create type guild_status as enum ('pending', 'approved', 'denied')`;
	await sql`
		create table guilds (
			guild_id bigint primary key,
			name text not null,
			owner_id bigint,
			member_count integer not null default 0,
			status guild_status not null default 'pending',
			decided_by bigint,
			decided_at timestamptz,
			reason text,
			joined_at timestamptz not null default now(),
			left_at timestamptz,
			announced_at timestamptz,
			updated_at timestamptz not null default now()
		)
	`;
	await sql`create index guilds_status_idx on guilds (status)`;
	await sql`
		create table guild_decisions (
			guild_id bigint not null references guilds (guild_id) on delete cascade,
			decision_id bigint generated always as identity,
			from_status guild_status,
			to_status guild_status not null,
			decided_by bigint,
			reason text,
			decided_at timestamptz not null default now(),
			primary key (guild_id, decision_id)
		)
	`;
	// The approval requests DM'd to each owner, so that every copy can be edited once a decision is made.
	await sql`
		create table guild_announcements (
			guild_id bigint not null references guilds (guild_id) on delete cascade,
			owner_id bigint not null,
			channel_id bigint not null,
			message_id bigint not null,
			sent_at timestamptz not null default now(),
			primary key (guild_id, owner_id)
		)
	`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop table guild_announcements`;
	await sql`drop table guild_decisions`;
	await sql`drop table guilds`;
	await sql`drop type guild_status`;
}
