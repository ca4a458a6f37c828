/**
 * Which language each answer is written in. Ephemeral answers follow the member's client language when the bot ships
 * it, else the server's; public messages follow the server's: the one chosen with `/settings language`, else what
 * Discord says the server prefers when the bot ships it, else en-US. The choice lives here and nowhere else.
 */
import { container } from '@sapphire/framework';
import type { Interaction } from 'discord.js';
import { defaultLocale, shippedLocales, translator, type Translator } from './index.js';

/** `locale` if the bot ships it (Discord sends `es-419` or `en-GB` too: those fall back to their base language). */
export function shippedLocale(locale: string | null | undefined): string | null {
	if (!locale) return null;
	if (shippedLocales.has(locale)) return locale;
	const fallback = localeFallbacks[locale];
	return fallback !== undefined && shippedLocales.has(fallback) ? fallback : null;
}

/** As Discord's own client falls back: en-GB to en-US, es-419 to es-ES. */
const localeFallbacks: Readonly<Record<string, string>> = { 'en-GB': 'en-US', 'es-419': 'es-ES' };

export interface LocaleSources {
	/** The member's client language; `null` where there is no member (the scheduler). */
	readonly locale: string | null;
	readonly guildId: string | null;
	/** Discord's preferred language of the server (`guild_locale`). */
	readonly guildLocale: string | null;
}

/** The language of the server's public messages. */
export function serverLocale({ guildId, guildLocale }: Omit<LocaleSources, 'locale'>): string {
	// The settings cache exists once the bot runs; render functions in unit tests have none.
	const chosen = guildId === null ? null : (container.guildSettings?.locale(guildId) ?? null);
	return shippedLocale(chosen) ?? shippedLocale(guildLocale) ?? defaultLocale;
}

/** The language of an ephemeral answer. */
export function readerLocale(sources: LocaleSources): string {
	return shippedLocale(sources.locale) ?? serverLocale(sources);
}

/** The language of the server's public messages, for an interaction in it. */
export function guildLocaleOf(interaction: Pick<Interaction, 'guildId' | 'guildLocale'>): string {
	return serverLocale(interaction);
}

/** The language of an ephemeral answer to this interaction. */
export function readerLocaleOf(interaction: Pick<Interaction, 'locale' | 'guildId' | 'guildLocale'>): string {
	return readerLocale(interaction);
}

export function readerTranslator(interaction: Pick<Interaction, 'locale' | 'guildId' | 'guildLocale'>): Translator {
	return translator(readerLocaleOf(interaction));
}
