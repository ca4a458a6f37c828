/**
 * Every word the bot says, by key: the message tree is `src/languages/<Discord locale>/<namespace>.json`, copied into
 * `dist/languages` by the build. Placeholders and plurals are i18next's (`{{count}}` with `_one`/`_other`). Keys are
 * typed from the en-US files (see `i18next.d.ts`), so a key that does not exist does not compile.
 */
import { createInstance, type ParseKeys } from 'i18next';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const defaultLocale = 'en-US';
export const namespaces = ['common', 'polls', 'approval', 'admin', 'commands', 'faults'] as const;
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

const resources = loadResources();

/** The languages the bot speaks: one folder each. */
export const shippedLocales: ReadonlySet<string> = new Set(Object.keys(resources));

const i18n = createInstance();
await i18n.init({
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
});

/** Every key of the message tree, as `namespace:path.to.key`. */
export type MessageKey = ParseKeys<Namespace[]>;

/** A `t` bound to one language: the text of `key` with its `{{placeholders}}` filled from `values`. */
export type Translator = (key: MessageKey, values?: Readonly<Record<string, unknown>>) => string;

const translators = new Map<string, Translator>();

export function translator(locale: string = defaultLocale): Translator {
	let t = translators.get(locale);
	if (t === undefined) {
		const fixed = i18n.getFixedT(locale);
		t = (key, values) => fixed(key as never, values as never) as unknown as string;
		translators.set(locale, t);
	}
	return t;
}

/** The default language, for logs' sake and where no reader is known yet. */
export const english: Translator = translator(defaultLocale);
