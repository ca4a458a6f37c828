/**
 * Which language each answer is written in. Ephemeral answers follow the member's client language when the bot ships
 * it, else the server's; public messages follow the server's. The choice lives here and nowhere else.
 */
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

/** The language of the server's public messages: what Discord says the server prefers, when shipped. */
export function guildLocaleOf(interaction: Pick<Interaction, 'guildLocale'>): string {
	return shippedLocale(interaction.guildLocale) ?? defaultLocale;
}

/** The language of an ephemeral answer to this interaction. */
export function readerLocaleOf(interaction: Pick<Interaction, 'locale' | 'guildLocale'>): string {
	return shippedLocale(interaction.locale) ?? guildLocaleOf(interaction);
}

export function readerTranslator(interaction: Pick<Interaction, 'locale' | 'guildLocale'>): Translator {
	return translator(readerLocaleOf(interaction));
}
