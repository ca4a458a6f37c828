/**
 * Settings a server's managers choose with `/settings`, one row per server and one column per setting (later issues
 * add columns). `locale` is the language of the server's public messages; null means "automatic": follow the
 * server's Discord language. A server without a row has every setting at its default.
 *
 * `owner_locales` is each owner's client language as last seen in an interaction: approval DMs are sent unasked,
 * with no interaction to take a language from.
 *
 * @param {import('postgres').Sql} sql
 */
export async function up(sql) {
	await sql`create table guild_settings (guild_id bigint primary key, locale text)`;
	await sql`create table owner_locales (user_id bigint primary key, locale text not null, seen_at timestamptz not null default now())`;
}

/** @param {import('postgres').Sql} sql */
export async function down(sql) {
	await sql`drop table owner_locales`;
	await sql`drop table guild_settings`;
}
