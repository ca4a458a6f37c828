/**
 * Every word the bot says, by key: the message tree is `src/languages/<Discord locale>/<namespace>.json`, copied into
 * `dist/languages` by the build. Placeholders and plurals are i18next's (`{{count}}` with `_one`/`_other`). Keys are
 * typed from the en-US files (see `i18next.d.ts`), so a key that does not exist does not compile.
 */
import i18next, { type InitOptions, type ParseKeys } from 'i18next';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const defaultLocale = 'en-US';
export const namespaces = ['common', 'polls', 'approval', 'admin', 'commands', 'life', 'settings', 'ballots', 'faults'] as const;
export type Namespace = (typeof namespaces)[number];

/** Beside the compiled code: `dist/lib/i18n` → `dist/languages`, and `src/lib/i18n` → `src/languages` in tests. */
export const languagesDirectory = fileURLToPath(new URL('../../languages/', import.meta.url));

export type Resources = Record<string, Partial<Record<Namespace, Record<string, unknown>>>>;

/** Reads every language folder and namespace file. */
export function loadResources(directory = languagesDirectory): Resources {
	const resources: Resources = {};
	for (const locale of readdirSync(directory)) {
		const files = readdirSync(`${directory}/${locale}`).filter((file) => file.endsWith('.json'));
		resources[locale] = Object.fromEntries(
			files.map((file) => [file.slice(0, -'.json'.length), JSON.parse(readFileSync(`${directory}/${locale}/${file}`, 'utf8')) as unknown])
		);
	}
	return resources;
}

/** The tree as loaded at start-up, for code that walks it (command registration). */
export const loadedResources: Resources = loadResources();
const resources = loadedResources;

/** The languages the bot speaks: one folder each. */
export const shippedLocales: ReadonlySet<string> = new Set(Object.keys(resources));

/**
 * The options of the process's one i18next instance, the global `i18next` that @sapphire/plugin-i18next drives too:
 * initialised here, synchronously and from memory, so render functions, unit tests and the deadline scheduler have
 * words without a client; then the plugin initialises the same instance again with these same options and resources
 * at login (see `i18nPluginOptions`), so that `fetchT`, `resolveKey` and `applyLocalizedBuilder` read the same tree.
 */
export const i18nextOptions: InitOptions = {
	resources,
	lng: defaultLocale,
	fallbackLng: defaultLocale,
	ns: [...namespaces],
	defaultNS: 'common',
	// Discord renders the text as markdown, not HTML: escaping is the renderer's job (escapeMarkdown), not i18next's.
	interpolation: { escapeValue: false },
	initAsync: false,
	returnNull: false,
	// i18next prints a notice on start-up otherwise: the bot's output is its log, one line per event.
	showSupportNotice: false
};

/**
 * i18next canonicalises a language code on every `t` (through `Intl.getCanonicalLocales`, twice for `en-US` and its
 * fallback): a third of a translation's cost, paid on every vote's answer. The codes are few and the answer never
 * changes, so each instance's formatter remembers them, installed again whenever the instance is initialised (the
 * plugin does so at login, with new services).
 */
function rememberLanguageCodes() {
	const utils = i18next.services.languageUtils as { formatLanguageCode(code: string): string } | undefined;
	if (utils === undefined) return;
	const format = utils.formatLanguageCode.bind(utils);
	const known = new Map<string, string>();
	utils.formatLanguageCode = (code) => {
		let formatted = known.get(code);
		if (formatted === undefined) {
			formatted = format(code);
			// Bounded: codes come from Discord's locales and our folders, but a cache must not grow on input.
			if (typeof code === 'string' && known.size < 200) known.set(code, formatted);
		}
		return formatted;
	};
}
i18next.on('initialized', rememberLanguageCodes);

if (!i18next.isInitialized) await i18next.init(i18nextOptions);

/** Every key of the message tree, as `namespace:path.to.key`. */
export type MessageKey = ParseKeys<Namespace[]>;

/** A `t` bound to one language: the text of `key` with its `{{placeholders}}` filled from `values`. */
export type Translator = (key: MessageKey, values?: Readonly<Record<string, unknown>>) => string;

const translators = new Map<string, Translator>();

export function translator(locale: string = defaultLocale): Translator {
	let t = translators.get(locale);
	if (t === undefined) {
		// `t` with `lng` rather than `getFixedT(locale)`: the same lookup, without the copy of every option that the
		// fixed function makes per call (it cost more than the translation itself).
		const translate: Translator = (key, values) => i18next.t(key as never, { ...values, lng: locale } as never) as unknown as string;
		t = (key, values) => {
			const memoKey = textKey(locale, key, values);
			if (memoKey === null) return translate(key, values);
			let text = recentTexts.get(memoKey);
			if (text === undefined) {
				text = translate(key, values);
				if (recentTexts.size >= recentTextsMax) recentTexts.clear();
				recentTexts.set(memoKey, text);
			}
			return text;
		};
		translators.set(locale, t);
	}
	return t;
}

/**
 * Texts translated lately, by language, key and values. A translation is a pure function of those, and the hottest
 * one repeats: every vote on a poll is answered "Your vote in poll #3: **Beach**", and i18next's lookup,
 * interpolation and nesting cost a vote more than anything else of ours (23 µs, 3% of its CPU). Bounded, and
 * emptied whenever i18next's tree may have changed.
 */
const recentTexts = new Map<string, string>();
const recentTextsMax = 2_000;
i18next.on('initialized', () => recentTexts.clear());
i18next.store.on('added', () => recentTexts.clear());
i18next.store.on('removed', () => recentTexts.clear());

/**
 * The memo's key, or `null` when a value is not a string, number or boolean (its text form would not identify it).
 * Names are ours and never hold the separator; every value is length-prefixed, so no value can pass for another.
 */
function textKey(locale: string, key: string, values: Readonly<Record<string, unknown>> | undefined): string | null {
	let memoKey = `${locale}\u0000${key}`;
	for (const name in values) {
		const value = values[name];
		const type = typeof value;
		if (type !== 'string' && type !== 'number' && type !== 'boolean') return null;
		const text = String(value);
		memoKey += `\u0000${name}\u0000${type[0]}${text.length}:${text}`;
	}
	return memoKey;
}

/** The default language, for logs' sake and where no reader is known yet. */
export const english: Translator = translator(defaultLocale);
