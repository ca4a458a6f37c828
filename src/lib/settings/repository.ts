import type { Executor } from '../database/client.js';

/** Every change to a server's settings is announced here with the server's id, so each process reloads that row. */
export const guildSettingsChannel = 'guild_settings';

export interface GuildSettings {
	readonly guildId: string;
	/** The language of the server's public messages; `null` follows the server's Discord language. */
	readonly locale: string | null;
}

/** Only servers that chose something: a server without a row has every default. */
export async function listGuildSettings(sql: Executor): Promise<GuildSettings[]> {
	return sql<GuildSettings[]>`select guild_id::text as "guildId", locale from guild_settings`;
}

export async function findGuildSettings(sql: Executor, guildId: string): Promise<GuildSettings | null> {
	const [row] = await sql<GuildSettings[]>`select guild_id::text as "guildId", locale from guild_settings where guild_id = ${guildId}`;
	return row ?? null;
}

/** Sets the server's language (`null`: automatic) and tells every process, in one transaction. */
export async function saveGuildLocale(sql: Executor, guildId: string, locale: string | null): Promise<void> {
	await sql`
		with saved as (
			insert into guild_settings (guild_id, locale) values (${guildId}, ${locale})
			on conflict (guild_id) do update set locale = excluded.locale
			returning guild_id
		)
		select pg_notify(${guildSettingsChannel}, ${guildId}) from saved
	`;
}

/** The owner's client language as last seen. */
export async function findOwnerLocale(sql: Executor, userId: string): Promise<string | null> {
	const [row] = await sql<{ locale: string }[]>`select locale from owner_locales where user_id = ${userId}`;
	return row?.locale ?? null;
}

export async function saveOwnerLocale(sql: Executor, userId: string, locale: string): Promise<void> {
	await sql`
		insert into owner_locales (user_id, locale) values (${userId}, ${locale})
		on conflict (user_id) do update set locale = excluded.locale, seen_at = now()
	`;
}
