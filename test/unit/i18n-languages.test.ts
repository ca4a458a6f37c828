import { describe, expect, test } from 'vitest';
import { defaultLocale, loadResources, type Resources } from '../../src/lib/i18n/index.js';

// Generic on purpose: a namespace another branch adds is checked as soon as its en-US file exists, in every language.

const pluralSuffix = /_(zero|one|two|few|many|other)$/;
const chatInputName = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

type Flat = Map<string, string>;

function flatten(tree: unknown, prefix = '', into: Flat = new Map()): Flat {
	if (typeof tree === 'string') into.set(prefix, tree);
	else if (tree !== null && typeof tree === 'object') {
		for (const [key, value] of Object.entries(tree)) flatten(value, prefix === '' ? key : `${prefix}.${key}`, into);
	} else into.set(prefix, String(tree));
	return into;
}

/** `{{name}}` placeholders (without a format such as `, number`) and `$t(...)` nestings: what code and text share. */
function placeholdersOf(text: string): string[] {
	const found = [...text.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((match) => `{{${match[1]}}}`);
	const nested = [...text.matchAll(/\$t\(([^)]*)\)/g)].map((match) => `$t(${match[1]})`);
	return [...found, ...nested].sort();
}

/** Keys grouped by plural base: `votes_one` and `votes_other` are the one key `votes`, in the categories given. */
function groups(flat: Flat): Map<string, Map<string, string>> {
	const result = new Map<string, Map<string, string>>();
	for (const [key, text] of flat) {
		const plural = pluralSuffix.exec(key);
		const base = plural ? key.slice(0, plural.index) : key;
		const form = plural ? plural[1]! : '';
		if (!result.has(base)) result.set(base, new Map());
		result.get(base)!.set(form, text);
	}
	return result;
}

/** Everything wrong with the languages, compared with en-US file by file; empty when all is well. */
function languageProblems(resources: Resources): string[] {
	const problems: string[] = [];
	const reference = resources[defaultLocale] ?? {};
	const referenceFiles = Object.keys(reference).sort();
	for (const [locale, files] of Object.entries(resources)) {
		const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.sort();
		for (const file of Object.keys(files).filter((name) => !(name in reference)))
			problems.push(`${locale}/${file}.json: not in ${defaultLocale}`);
		for (const file of referenceFiles) {
			const ours = (files as Record<string, unknown>)[file];
			if (ours === undefined) {
				problems.push(`${locale}/${file}.json: missing`);
				continue;
			}
			const expected = groups(flatten((reference as Record<string, unknown>)[file]));
			const actual = groups(flatten(ours));
			for (const base of expected.keys()) if (!actual.has(base)) problems.push(`${locale}/${file}.json: missing key ${base}`);
			for (const [base, forms] of actual) {
				const english = expected.get(base);
				if (english === undefined) {
					problems.push(`${locale}/${file}.json: extra key ${base}`);
					continue;
				}
				const isPlural = !english.has('');
				if (isPlural) {
					const have = [...forms.keys()].sort();
					if (have.join() !== categories.join()) {
						problems.push(`${locale}/${file}.json: ${base} has plural forms ${have.join('/')}, ${locale} needs ${categories.join('/')}`);
					}
				} else if (!forms.has('')) problems.push(`${locale}/${file}.json: ${base} is plural here but not in ${defaultLocale}`);
				const wanted = placeholdersOf(english.get('other') ?? english.get('') ?? '').join(' ');
				for (const [form, text] of forms) {
					const have = placeholdersOf(text).join(' ');
					if (have !== wanted)
						problems.push(`${locale}/${file}.json: ${base}${form && `_${form}`} has [${have}], ${defaultLocale} has [${wanted}]`);
				}
			}
		}
	}
	return problems;
}

/** Discord's rules for what the commands namespace registers: names, descriptions, and names unique among siblings. */
function registrationProblems(resources: Resources): string[] {
	const problems: string[] = [];
	const check = (locale: string, node: unknown, path: string) => {
		if (node === null || typeof node !== 'object') return;
		const siblings = new Map<string, string>();
		for (const [key, value] of Object.entries(node)) {
			const here = path === '' ? key : `${path}.${key}`;
			if (key === 'name' && typeof value === 'string') {
				if (!chatInputName.test(value) || value !== value.toLowerCase()) problems.push(`${locale} ${here}: “${value}” is not a valid name`);
			} else if (key === 'description' && typeof value === 'string') {
				const length = [...value].length;
				if (length < 1 || length > 100) problems.push(`${locale} ${here}: description is ${length} characters`);
			} else if (value !== null && typeof value === 'object') {
				const name = (value as { name?: unknown }).name;
				if (typeof name === 'string') {
					const twin = siblings.get(name);
					if (twin !== undefined) problems.push(`${locale} ${here}: name “${name}” also used by ${twin}`);
					siblings.set(name, here);
				}
				check(locale, value, here);
			}
		}
	};
	for (const [locale, files] of Object.entries(resources)) {
		check(locale, files.commands, 'commands');
		// Choice names: 1 to 100 characters.
		for (const [key, text] of [
			...flatten(files.settings?.languages, 'settings:languages'),
			...flatten(files.approval?.status, 'approval:status')
		]) {
			const length = [...text].length;
			if (length < 1 || length > 100) problems.push(`${locale} ${key}: choice name is ${length} characters`);
		}
	}
	return problems;
}

describe('the shipped languages', () => {
	const resources = loadResources();

	test('GIVEN the language folders THEN the five shipped languages are there, named by Discord locale codes', () => {
		expect(Object.keys(resources).sort()).toEqual(['de', 'en-US', 'es-ES', 'fr', 'pt-BR']);
	});

	test('GIVEN every language folder WHEN compared with en-US file by file THEN no key is missing or extra and every placeholder matches', () => {
		expect(languageProblems(resources)).toEqual([]);
	});

	test('GIVEN every language WHEN its command names and descriptions are checked THEN all follow Discord’s rules', () => {
		expect(registrationProblems(resources)).toEqual([]);
	});
});

describe('the checks themselves', () => {
	const english = { common: { hello: 'Hello {{name}}', votes_one: '{{count}} vote', votes_other: '{{count}} votes' } };

	test('GIVEN a language with a missing key, an extra key, a changed placeholder and a missing plural form THEN each is reported', () => {
		const broken: Resources = {
			'en-US': english,
			de: { common: { hallo: 'Hallo {{name}}', votes_one: '{{count}} Stimme', votes_other: '{{anzahl}} Stimmen' } },
			fr: { common: { hello: 'Bonjour {{name}}', votes_one: '{{count}} vote', votes_other: '{{count}} votes' } }
		};
		expect(languageProblems(broken)).toEqual([
			'de/common.json: missing key hello',
			'de/common.json: extra key hallo',
			'de/common.json: votes_other has [{{anzahl}}], en-US has [{{count}}]',
			'fr/common.json: votes has plural forms one/other, fr needs many/one/other'
		]);
	});

	test('GIVEN a missing namespace file and one en-US does not have THEN both are reported', () => {
		expect(languageProblems({ 'en-US': english, de: { other: {} } as Resources[string] })).toEqual([
			'de/other.json: not in en-US',
			'de/common.json: missing'
		]);
	});

	test('GIVEN an upper-case name, a name with a space, a long description and twin names THEN each is reported', () => {
		const commands = {
			poll: {
				name: 'Umfrage',
				description: 'x'.repeat(101),
				create: { name: 'neu', description: 'Neu' },
				close: { name: 'neu', description: 'Zu' }
			},
			help: { name: 'die hilfe', description: 'Hilfe' }
		};
		expect(registrationProblems({ de: { commands } })).toEqual([
			'de commands.poll.name: “Umfrage” is not a valid name',
			'de commands.poll.description: description is 101 characters',
			'de commands.poll.close: name “neu” also used by commands.poll.create',
			'de commands.help.name: “die hilfe” is not a valid name'
		]);
	});
});
