/**
 * How @sapphire/plugin-i18next is set up: it re-initialises the process's one i18next instance with our options and
 * the resources already in memory (so its backend reads no file), and it decides languages with our rule, so
 * `fetchT(interaction)` and `readerTranslator(interaction)` always agree.
 */
import type { InternationalizationOptions } from '@sapphire/plugin-i18next';
import { defaultLocale, i18nextOptions, languagesDirectory } from './index.js';
import { readerLocale } from './readers.js';

export const i18nPluginOptions: InternationalizationOptions = {
	defaultName: defaultLocale,
	defaultLanguageDirectory: languagesDirectory,
	i18next: i18nextOptions,
	fetchLanguage: (context) =>
		readerLocale({
			locale: context.interactionLocale ?? null,
			guildId: context.guild?.id ?? null,
			guildLocale: context.interactionGuildLocale ?? context.guild?.preferredLocale ?? null
		})
};
