import { describe, expect, test } from 'vitest';
import { csvCell, toCsv, toCsvWithin } from '../../src/lib/polls/csv.js';
import { parsePollComponentId } from '../../src/lib/polls/custom-ids.js';
import { renderMessage, type Message } from '../../src/lib/failures.js';
import { english } from '../../src/lib/i18n/index.js';
import {
	countsVisible,
	mayManage,
	nextChoices,
	parseDuration,
	parseOptions,
	parsePollNumber,
	validateCreate,
	votersVisible,
	winners,
	type CreateInput,
	type PollFacts
} from '../../src/lib/polls/rules.js';

const guildId = '100000000000000001';
const base: CreateInput = {
	question: 'Lunch?',
	options: 'Pizza | Sushi | Tacos',
	duration: null,
	maxChoices: null,
	anonymous: null,
	hideResults: null,
	roleId: null,
	guildId
};

describe('parseOptions', () => {
	test('GIVEN options separated by | WHEN parsed THEN each is trimmed, in order', () => {
		expect(parseOptions('  Pizza |Sushi|   Tacos ').unwrap()).toEqual(['Pizza', 'Sushi', 'Tacos']);
	});

	test('GIVEN one option WHEN parsed THEN the error asks for at least 2 with an example', () => {
		expect(text(parseOptions('Pizza').unwrapErr())).toMatch(/at least 2 options separated by \|/);
	});

	test('GIVEN an empty option between bars WHEN parsed THEN the error names which one', () => {
		expect(text(parseOptions('Pizza || Sushi').unwrapErr())).toBe('Option 2 is empty: remove the extra | or write the option between the bars.');
	});

	test('GIVEN 26 options WHEN parsed THEN the error says how many to remove', () => {
		const raw = Array.from({ length: 26 }, (_, index) => `o${index}`).join('|');
		expect(text(parseOptions(raw).unwrapErr())).toMatch(/26 options.*at most 25; remove 1/);
	});

	test('GIVEN 25 options of 80 characters WHEN parsed THEN they are accepted', () => {
		const raw = Array.from({ length: 25 }, (_, index) => `${index}`.padEnd(80, 'x')).join('|');
		expect(parseOptions(raw).unwrap()).toHaveLength(25);
	});

	test('GIVEN an option of 81 characters WHEN parsed THEN the error names it and the limit', () => {
		expect(text(parseOptions(`a | ${'b'.repeat(81)}`).unwrapErr())).toBe('Option 2 is 81 characters long: shorten it to 80 at most.');
	});

	test('GIVEN options differing only in case WHEN parsed THEN they are refused as duplicates', () => {
		expect(text(parseOptions('Pizza | Sushi | pizza').unwrapErr())).toMatch(/Options 1 and 3 are the same/);
	});
});

describe('parseDuration', () => {
	test.each([
		['30m', 30 * 60_000],
		['2h', 2 * 3_600_000],
		['1d12h', 36 * 3_600_000],
		['1w', 7 * 86_400_000],
		['1 d 2h 3m', 86_400_000 + 2 * 3_600_000 + 3 * 60_000],
		['1m', 60_000],
		['32d', 32 * 86_400_000],
		['4W4D', 32 * 86_400_000]
	])('GIVEN %s WHEN parsed THEN it is %d ms', (raw, ms) => {
		expect(parseDuration(raw).unwrap()).toBe(ms);
	});

	test.each(['', 'abc', '10', '2h30', '1h1w', '-5m', '1.5h'])('GIVEN "%s" WHEN parsed THEN the error shows the accepted forms', (raw) => {
		expect(text(parseDuration(raw).unwrapErr())).toMatch(/is not a duration: write it like 30m, 2h, 1d12h or 1w/);
	});

	test('GIVEN 0m WHEN parsed THEN it is too short', () => {
		expect(text(parseDuration('0m').unwrapErr())).toMatch(/too short.*at least 1 minute/);
	});

	test('GIVEN 32d1m WHEN parsed THEN it is too long', () => {
		expect(text(parseDuration('32d1m').unwrapErr())).toMatch(/too long.*at most 32 days/);
	});
});

describe('validateCreate', () => {
	test('GIVEN only question and options WHEN validated THEN defaults apply', () => {
		expect(validateCreate(base).unwrap()).toEqual({
			question: 'Lunch?',
			options: ['Pizza', 'Sushi', 'Tacos'],
			durationMs: null,
			maxChoices: 1,
			anonymous: false,
			hideResults: false,
			roleId: null,
			ranked: false,
			weighted: false,
			showVoters: 'never'
		});
	});

	test('GIVEN max_choices above the number of options WHEN validated THEN the error gives the most allowed', () => {
		expect(text(validateCreate({ ...base, maxChoices: 4 }).unwrapErr())).toBe(
			'max_choices is 4 but the poll has only 3 options: choose at most 3.'
		);
	});

	test('GIVEN a question of 301 characters WHEN validated THEN it must be shortened', () => {
		expect(text(validateCreate({ ...base, question: 'q'.repeat(301) }).unwrapErr())).toMatch(/301 characters long: shorten it to 300/);
	});

	test('GIVEN a blank question WHEN validated THEN it is refused', () => {
		expect(text(validateCreate({ ...base, question: '   ' }).unwrapErr())).toMatch(/question is empty/);
	});

	test('GIVEN a bad duration WHEN validated THEN the duration error comes back', () => {
		expect(text(validateCreate({ ...base, duration: 'soon' }).unwrapErr())).toMatch(/“soon” is not a duration/);
	});

	test('GIVEN the @everyone role WHEN validated THEN no role restriction is stored', () => {
		expect(validateCreate({ ...base, roleId: guildId }).unwrap().roleId).toBeNull();
		expect(validateCreate({ ...base, roleId: '200000000000000002' }).unwrap().roleId).toBe('200000000000000002');
	});
});

describe('parsePollNumber', () => {
	test.each([
		['12', 12],
		['#12', 12],
		[' # 7 ', 7]
	])('GIVEN "%s" WHEN parsed THEN it is poll %d', (raw, number) => {
		expect(parsePollNumber(raw).unwrap()).toBe(number);
	});

	test.each(['0', 'abc', '#', '12a', '-3'])('GIVEN "%s" WHEN parsed THEN the error shows the accepted forms', (raw) => {
		expect(text(parsePollNumber(raw).unwrapErr())).toMatch(/is not a poll number: give the number shown on the poll, such as 12 or #12/);
	});
});

describe('nextChoices', () => {
	const now = new Date('2030-01-01T00:00:10Z');
	const longAgo = new Date('2030-01-01T00:00:00Z');

	test('GIVEN no vote WHEN an option is clicked THEN it is picked', () => {
		expect(nextChoices([], { kind: 'toggle', option: 2 }, 1, now)).toEqual([2]);
	});

	test('GIVEN a vote for another option in a single-choice poll WHEN clicked THEN the vote moves', () => {
		expect(nextChoices([{ option: 0, votedAt: longAgo }], { kind: 'toggle', option: 2 }, 1, now)).toEqual([2]);
	});

	test('GIVEN a vote for the clicked option, cast long ago WHEN clicked THEN it is removed', () => {
		expect(nextChoices([{ option: 2, votedAt: longAgo }], { kind: 'toggle', option: 2 }, 1, now)).toEqual([]);
	});

	test('GIVEN a vote for the clicked option, cast a moment ago WHEN clicked THEN it stays (double click)', () => {
		expect(nextChoices([{ option: 2, votedAt: new Date(now.getTime() - 300) }], { kind: 'toggle', option: 2 }, 1, now)).toEqual([2]);
	});

	test('GIVEN a select submission WHEN applied THEN it replaces the choices, deduplicated and capped', () => {
		expect(nextChoices([{ option: 0, votedAt: longAgo }], { kind: 'replace', options: [3, 1, 3] }, 2, now)).toEqual([1, 3]);
		expect(nextChoices([{ option: 0, votedAt: longAgo }], { kind: 'replace', options: [] }, 2, now)).toEqual([]);
	});
});

describe('who may see and do what', () => {
	const poll: PollFacts = { creatorId: '1', anonymous: false, hideResults: false, roleId: null, closedAt: null, closesAt: null };
	const creator = { userId: '1', manageGuild: false };
	const manager = { userId: '2', manageGuild: true };
	const member = { userId: '3', manageGuild: false };

	test('GIVEN the creator, a Manage Server member and another member WHEN asked THEN only the first two may manage', () => {
		expect([mayManage(poll, creator), mayManage(poll, manager), mayManage(poll, member)]).toEqual([true, true, false]);
	});

	test('GIVEN an anonymous poll WHEN anyone asks for voters THEN nobody sees them, not even the creator', () => {
		const anonymous = { ...poll, anonymous: true, closedAt: new Date() };
		expect([votersVisible(anonymous, creator), votersVisible(anonymous, manager)]).toEqual([false, false]);
	});

	test('GIVEN hidden results WHEN the poll is open THEN counts and voters are hidden from everyone; once closed they show', () => {
		const hidden = { ...poll, hideResults: true };
		expect([countsVisible(hidden), votersVisible(hidden, creator)]).toEqual([false, false]);
		const closed = { ...hidden, closedAt: new Date() };
		expect([countsVisible(closed), votersVisible(closed, creator), votersVisible(closed, member)]).toEqual([true, true, false]);
	});

	test('GIVEN counts WHEN the winners are asked THEN ties give several and no votes give none', () => {
		expect(winners([3, 5, 5])).toEqual([1, 2]);
		expect(winners([0, 0])).toEqual([]);
	});
});

describe('csv', () => {
	test('GIVEN cells a spreadsheet would run WHEN written THEN they are neutralised', () => {
		expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`]);
	});

	test('GIVEN commas, quotes and newlines WHEN written THEN they are quoted per RFC 4180', () => {
		expect(
			toCsv(
				['option', 'votes'],
				[
					['a,b', 1],
					['say "hi"', 2],
					['two\nlines', 0]
				]
			)
		).toBe('option,votes\r\n"a,b",1\r\n"say ""hi""",2\r\n"two\nlines",0\r\n');
	});
});

describe('poll custom ids', () => {
	test('GIVEN the ids the bot writes WHEN read THEN the poll and option come back', () => {
		expect(parsePollComponentId(`pv:${guildId}:12:3`, 'vote')).toEqual({ guildId, number: 12, option: 3 });
		expect(parsePollComponentId(`pc:${guildId}:12`, 'close')).toEqual({ guildId, number: 12, option: null });
	});

	test('GIVEN another handler’s id WHEN read THEN it is not ours', () => {
		expect(parsePollComponentId('apv:1:a', 'vote')).toBeNull();
		expect(parsePollComponentId(`pc:${guildId}:1`, 'vote')).toBeNull();
	});

	test.each([`pv:${guildId}:12`, `pv:${guildId}:0:1`, `pv:x:1:1`, `pv:${guildId}:1:25`, `pv:${guildId}:1:1:1`, `pm:${guildId}:1:1`])(
		'GIVEN the malformed id %s WHEN read THEN it is refused as malformed',
		(customId) => {
			const kind = customId.startsWith('pm') ? 'mine' : 'vote';
			expect(parsePollComponentId(customId, kind)).toBe('malformed');
		}
	);
});

describe('toCsvWithin', () => {
	test('GIVEN rows that would pass the byte limit WHEN written THEN it stops at the last whole row that fits, counting UTF-8 bytes', () => {
		const rows = Array.from({ length: 10 }, (_, index) => [index, 'é'.repeat(10)]);
		const full = toCsv(['n', 'label'], rows);
		expect(toCsvWithin(['n', 'label'], rows, 1_000)).toEqual({ text: full, rows: 10 });
		const cut = toCsvWithin(['n', 'label'], rows, Buffer.byteLength('n,label\r\n') + 3 * Buffer.byteLength(`0,${'é'.repeat(10)}\r\n`) + 5);
		expect(cut.rows).toBe(3);
		expect(cut.text).toBe(toCsv(['n', 'label'], rows.slice(0, 3)));
	});
});

describe('refusal wording', () => {
	test('GIVEN the close refusals WHEN rendered in English THEN they name the poll', () => {
		expect(english('polls:alreadyClosed', { number: 4 })).toBe('Poll #4 is already closed.');
		expect(english('polls:notFound', { number: 4 })).toBe('There is no poll #4 in this server.');
	});
});

/** A rule's refusal, as the member reads it in English. */
function text(refusal: Message): string {
	return renderMessage(english, refusal);
}
