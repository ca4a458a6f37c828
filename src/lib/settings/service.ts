/**
 * A server's settings: who may change them and what each setting accepts. `/settings` only reads input and renders;
 * another setting is one more function here, one more column in `guild_settings` and one more subcommand.
 */
import { container } from '@sapphire/framework';
import { isOwner } from '../access.js';
import { Failure, message, refuse } from '../failures.js';
import { defaultLocale, shippedLocales } from '../i18n/index.js';
import { serverLocale, shippedLocale } from '../i18n/readers.js';
import { saveGuildLocale, saveOwnerLocale } from './repository.js';

/** The `/settings language` choice that means "follow the server's Discord language". */
export const automaticLanguage = 'automatic';

/** What `/settings language` offers: automatic first, then the shipped languages, the default one first. */
export function languageChoices(): string[] {
	const others = [...shippedLocales].filter((locale) => locale !== defaultLocale).sort();
	return [automaticLanguage, defaultLocale, ...others];
}

export interface SettingsActor {
	readonly guildId: string;
	/** Whether the member has Manage Server here, from the interaction's resolved permissions. */
	readonly manageGuild: boolean;
}

/** Discord hides `/settings` from members without Manage Server, but a server can override that: this is the rule. */
export function assertMayChangeSettings(actor: SettingsActor): void {
	if (!actor.manageGuild) refuse(Failure.SettingsForbidden, message('settings:mayNotChange'));
}

/** Sets the language of the server's public messages; returns the locale chosen, `null` for automatic. */
export async function setGuildLanguage(actor: SettingsActor, choice: string): Promise<string | null> {
	assertMayChangeSettings(actor);
	let locale: string | null;
	if (choice === automaticLanguage) locale = null;
	else if (shippedLocales.has(choice)) locale = choice;
	else refuse(Failure.InvalidInput, message('settings:unknownLanguage', { input: choice }));
	await saveGuildLocale(container.sql, actor.guildId, locale);
	container.guildSettings.set({ guildId: actor.guildId, locale });
	return locale;
}

export interface LanguageSetting {
	/** What the server chose; `null`: automatic. */
	readonly chosen: string | null;
	/** The language its public messages are written in now. */
	readonly effective: string;
}

export function guildLanguage(guildId: string, discordGuildLocale: string | null): LanguageSetting {
	return { chosen: container.guildSettings.locale(guildId), effective: serverLocale({ guildId, guildLocale: discordGuildLocale }) };
}

/** Each owner's language as this process last recorded it: only a change is written. */
const recordedOwnerLocales = new Map<string, string>();

/**
 * Records an owner's client language when it changes: approval DMs are sent unasked, with no interaction to take a
 * language from, so they use the owner's last-seen one. Only a change is written, once per process; a failed write
 * is logged and tried again on the owner's next interaction. Called for every interaction (every vote), so whoever
 * is not an owner is turned away first, with no promise made.
 */
export function rememberOwnerLocale(userId: string, clientLocale: string): void {
	if (!isOwner(userId)) return;
	const locale = shippedLocale(clientLocale);
	if (locale === null || recordedOwnerLocales.get(userId) === locale) return;
	recordedOwnerLocales.set(userId, locale);
	saveOwnerLocale(container.sql, userId, locale).catch((error: unknown) => {
		recordedOwnerLocales.delete(userId);
		container.logger.warn(`Could not record owner ${userId}'s language:`, error);
	});
}
