import { describe, expect, test } from 'vitest';
import { english } from '../../src/lib/i18n/index.js';
import { parsePollComponentId, type PollComponent } from '../../src/lib/polls/custom-ids.js';
import { describeChoices, DiscordLimits } from '../../src/lib/polls/render.js';
import { parseDuration, validateCreate, type CreateInput } from '../../src/lib/polls/rules.js';
import { isSnowflake } from '../../src/lib/snowflake.js';

const guildId = '1234567890123456789';
const base: CreateInput = {
	question: 'Tea?',
	options: 'Yes | No',
	duration: null,
	maxChoices: null,
	anonymous: null,
	hideResults: null,
	roleId: null,
	guildId
};

const x = (count: number, character = 'x') => character.repeat(count);
const RLO = '\u202E';
const ZWSP = '\u200B';

/** What `/poll create` makes of hostile text: the refusal's key, or what is stored. One line per case. */
const createCases: Array<[name: string, input: Partial<CreateInput>, expected: { refused: string } | { question?: string; options?: string[] }]> = [
	['an empty question', { question: '' }, { refused: 'polls:validation.questionEmpty' }],
	['a one-character question', { question: '?' }, { question: '?' }],
	['a question of 300 characters', { question: x(300) }, { question: x(300) }],
	['a question of 301 characters', { question: x(301) }, { refused: 'polls:validation.questionLong' }],
	['a question of 2,000 characters', { question: x(2_000) }, { refused: 'polls:validation.questionLong' }],
	['a question of 10,000 characters', { question: x(10_000) }, { refused: 'polls:validation.questionLong' }],
	['a question of zero-width spaces only', { question: x(5, ZWSP) }, { refused: 'faults:questionInvisible' }],
	['a question of joiners, bidi marks and a Hangul filler', { question: '\u200D\u200E\u2060\u3164' }, { refused: 'faults:questionInvisible' }],
	['a question of combining marks only', { question: '\u0301\u0302\u0303' }, { refused: 'faults:questionInvisible' }],
	['a question with a right-to-left override', { question: `Which ${RLO}gpj.exe?` }, { question: 'Which gpj.exe?' }],
	['a question with every bidi embedding and isolate', { question: 'a\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069b' }, { question: 'ab' }],
	['a question with a masked link', { question: '[click me](https://example.com/x) now' }, { question: '[click me] (https://example.com/x) now' }],
	['a question with a masked link in angle brackets', { question: '[a](<https://example.com>)' }, { question: '[a] (<https://example.com>)' }],
	[
		'a question with @everyone and every mention form',
		{ question: '@everyone @here <@1> <@&2> <#3> </poll create:4>' },
		{ question: '@everyone @here <@1> <@&2> <#3> </poll create:4>' }
	],
	['a question with emoji, combining marks on letters and RTL script', { question: '🍵 é שלום' }, { question: '🍵 é שלום' }],
	[
		'a question with markdown that could break the message',
		{ question: '```\n# big\n> quote ||spoiler||' },
		{ question: '```\n# big\n> quote ||spoiler||' }
	],
	['an option of zero-width spaces only', { options: `Yes | ${ZWSP}${ZWSP}` }, { refused: 'faults:optionInvisible' }],
	['an option of a braille blank', { options: 'Yes | \u2800' }, { refused: 'faults:optionInvisible' }],
	['an option with a right-to-left override', { options: `Yes | ${RLO}oN` }, { options: ['Yes', 'oN'] }],
	['an option with a masked link', { options: 'Yes | [No](https://example.com)' }, { options: ['Yes', '[No] (https://example.com)'] }],
	['an option of 80 characters', { options: `Yes | ${x(80)}` }, { options: ['Yes', x(80)] }],
	['an option of 81 characters', { options: `Yes | ${x(81)}` }, { refused: 'polls:validation.optionLong' }],
	['options of 10,000 characters', { options: x(10_000, 'a|') }, { refused: 'polls:validation.optionEmpty' }],
	['one option', { options: 'Yes' }, { refused: 'polls:validation.tooFewOptions' }],
	['26 options', { options: Array.from({ length: 26 }, (_, index) => `o${index}`).join('|') }, { refused: 'polls:validation.tooManyOptions' }],
	['options that differ only by case', { options: 'Yes | yes' }, { refused: 'polls:validation.optionsSame' }],
	['a duration of 0m', { duration: '0m' }, { refused: 'polls:validation.durationShort' }],
	['a duration of -1h', { duration: '-1h' }, { refused: 'polls:validation.notADuration' }],
	['a duration of 1e9m', { duration: '1e9m' }, { refused: 'polls:validation.notADuration' }],
	['a duration in full-width digits', { duration: '１０m' }, { refused: 'polls:validation.notADuration' }],
	['a duration of 20 digits', { duration: '99999999999999999999d' }, { refused: 'polls:validation.notADuration' }],
	['max choices of 0', { maxChoices: 0 }, { refused: 'polls:validation.maxChoicesRange' }],
	['max choices past the options', { maxChoices: 3 }, { refused: 'polls:validation.maxChoicesOptions' }]
];

describe('GIVEN hostile text for /poll create', () => {
	test.each(createCases)('WHEN it has %s THEN it is refused or stored as expected', (_name, input, expected) => {
		const result = validateCreate({ ...base, ...input });
		if ('refused' in expected) {
			expect(result.isErr(), 'refused').toBe(true);
			expect(result.unwrapErr().key).toBe(expected.refused);
			return;
		}
		expect(result.isOk(), `accepted, not ${JSON.stringify(result.isErr() ? result.unwrapErr() : null)}`).toBe(true);
		const draft = result.unwrap();
		if (expected.question !== undefined) expect(draft.question).toBe(expected.question);
		if (expected.options !== undefined) expect(draft.options).toEqual(expected.options);
	});
});

/** Forged and replayed component ids: refused as malformed, or read (a server mismatch is refused later). */
const componentCases: Array<
	[name: string, kind: PollComponent, customId: string, expected: 'malformed' | null | { number: number; option: number | null }]
> = [
	['a vote for option 0', 'vote', `pv:${guildId}:1:0`, { number: 1, option: 0 }],
	['a vote for the last option there can be', 'vote', `pv:${guildId}:1:24`, { number: 1, option: 24 }],
	['a vote for an option past the end', 'vote', `pv:${guildId}:1:25`, 'malformed'],
	['a vote for a negative option', 'vote', `pv:${guildId}:1:-1`, 'malformed'],
	['a vote for a huge option', 'vote', `pv:${guildId}:1:99999999999999999999`, 'malformed'],
	['a vote for poll 0', 'vote', `pv:${guildId}:0:0`, 'malformed'],
	['a vote for a negative poll', 'vote', `pv:${guildId}:-5:0`, 'malformed'],
	['a vote for a poll number past int', 'vote', `pv:${guildId}:99999999999:0`, 'malformed'],
	['a server id past bigint', 'vote', 'pv:99999999999999999999:1:0', 'malformed'],
	['a server id that is not a number', 'vote', 'pv:guild:1:0', 'malformed'],
	['an extra part', 'vote', `pv:${guildId}:1:0:0`, 'malformed'],
	['a select with an option part', 'select', `ps:${guildId}:1:0`, 'malformed'],
	['another handler’s id', 'vote', 'approval:x', null]
];

describe('GIVEN forged poll component ids', () => {
	test.each(componentCases)('WHEN a member sends %s THEN it is read as expected', (_name, kind, customId, expected) => {
		const parsed = parsePollComponentId(customId, kind);
		if (expected === null || expected === 'malformed') expect(parsed).toBe(expected);
		else expect(parsed).toEqual({ guildId, ...expected });
	});
});

const idCases: Array<[input: string, valid: boolean]> = [
	['1234567890123456789', true],
	['9223372036854775807', true],
	['9223372036854775808', false],
	['99999999999999999999', false],
	['1234567890123456', false],
	['-123456789012345678', false],
	['１２３４５６７８９０１２３４５６７８９', false]
];

describe('GIVEN an id typed for /admin … server:', () => {
	test.each(idCases)('WHEN it is %s THEN it is an id: %s', (input, valid) => {
		expect(isSnowflake(input)).toBe(valid);
	});
});

describe('GIVEN a vote confirmation for many long options', () => {
	const cases: Array<[name: string, labels: string[]]> = [
		['25 options of 80 characters', Array.from({ length: 25 }, (_, index) => `${index}${x(79)}`)],
		['25 options of 80 markdown characters (escaping doubles them)', Array.from({ length: 25 }, (_, index) => `${index}${x(79, '*')}`)],
		['one option of 80 characters', [x(80)]]
	];
	test.each(cases)('WHEN a member picked %s THEN the answer fits in 2,000 characters and names how many are left out', (_name, labels) => {
		const choices = labels.map((_, index) => index);
		const text = describeChoices(english, { number: 7 }, labels, choices);
		expect(text.length).toBeLessThanOrEqual(DiscordLimits.content);
		expect(text.startsWith('Your vote in poll #7:')).toBe(true);
		if (labels.length > 1) expect(text).toMatch(/… and \d+ more/);
	});
});

describe('GIVEN durations as members type them', () => {
	test.each(['0m', '-1h', '1e9m', '１０m', 'NaN', 'Infinity m', '', ' '])('WHEN the duration is %j THEN it is refused', (input) => {
		expect(parseDuration(input).isErr()).toBe(true);
	});
});
