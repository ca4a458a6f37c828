import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { EditCoalescer } from '../../src/lib/polls/coalescer.js';
import { DeadlineScheduler } from '../../src/lib/polls/scheduler.js';
import { messageLink, type APIEmbed } from 'discord.js';
import {
	describeVote,
	formatCount,
	renderClosedNotice,
	renderPollList,
	renderPollMessage,
	renderResults,
	winnerLine
} from '../../src/lib/polls/render.js';
import type { PollRow, PollState } from '../../src/lib/polls/repository.js';
import { english, translator } from '../../src/lib/i18n/index.js';
import { pollRow } from '../support/fixtures.js';

const guildId = '100000000000000001';
const poll: PollRow = pollRow({
	guildId,
	question: 'Lunch? @everyone',
	voterCount: 4,
	closesAt: new Date('2030-01-01T01:00:00Z')
});
const state: PollState = {
	poll,
	options: [
		{ index: 0, label: 'Pizza', votes: 3 },
		{ index: 1, label: 'Sushi', votes: 1 },
		{ index: 2, label: 'Ta*cos', votes: 0 }
	]
};

describe('describeVote', () => {
	const labels = ['Beach', 'Rooftop', 'Park_side'];
	const outcome = (previousChoices: number[], choices: number[], changed = true) => ({ number: 5, labels, previousChoices, choices, changed });

	test('GIVEN a member who clicks their own option again WHEN the vote is retracted THEN the answer names what was removed', () => {
		expect(describeVote(english, outcome([0], []))).toBe('Your vote for **Beach** in poll #5 was removed.');
	});

	test('GIVEN a member who picks another option WHEN the vote moves THEN the answer says from what to what', () => {
		expect(describeVote(english, outcome([0], [1]))).toBe('Your vote in poll #5 changed from **Beach** to **Rooftop**.');
		expect(describeVote(english, outcome([0, 1], [2]))).toBe('Your vote in poll #5 changed from **Beach**, **Rooftop** to **Park\\_side**.');
	});

	test('GIVEN a first vote, a double click or an empty selection without a vote THEN the answer states the choices as they are', () => {
		expect(describeVote(english, outcome([], [1]))).toBe('Your vote in poll #5: **Rooftop**.');
		expect(describeVote(english, outcome([1], [1], false))).toBe('Your vote in poll #5: **Rooftop**.');
		expect(describeVote(english, outcome([], [], false))).toBe('You have no vote in poll #5.');
	});

	test('GIVEN the same labels array answered again, and another array in its place THEN each answer escapes its own labels', () => {
		// The escaped labels are remembered by array (the vote memory keeps one per poll): never another array's.
		expect(describeVote(english, outcome([], [2]))).toBe('Your vote in poll #5: **Park\\_side**.');
		expect(describeVote(english, outcome([], [2]))).toBe('Your vote in poll #5: **Park\\_side**.');
		const edited = { number: 5, labels: ['Beach', 'Rooftop', '*Garden*'], previousChoices: [], choices: [2], changed: true };
		expect(describeVote(english, edited)).toBe('Your vote in poll #5: **\\*Garden\\***.');
		const sparse = { number: 5, labels: ['Beach'], previousChoices: [], choices: [3], changed: true };
		expect(describeVote(english, sparse)).toBe('Your vote in poll #5: **option 4**.');
	});
});

describe('renderPollMessage', () => {
	test('GIVEN an open single-choice poll WHEN rendered THEN it shows question, counts with bars, voters, creator, deadline and number', () => {
		const { embeds } = renderPollMessage(english, state);
		const embed = embeds[0]!;
		expect(embed.title).toBe('Poll #7');
		expect(embed.description).toContain('Lunch? @everyone');
		expect(embed.description).toContain('Voters: 4 · Created by <@100000000000000004>');
		expect(embed.description).toContain('<t:1893459600:R>');
		expect(embed.fields).toEqual([
			{ name: '1. Pizza', value: '`████████░░` 3 votes · 75%' },
			{ name: '2. Sushi', value: '`███░░░░░░░` 1 vote · 25%' },
			{ name: '3. Ta\\*cos', value: '`░░░░░░░░░░` 0 votes · 0%' }
		]);
	});

	test('GIVEN a single-choice poll of 3 options WHEN rendered THEN one button per option, then My vote and Close', () => {
		const { components } = renderPollMessage(english, state);
		expect(components).toHaveLength(2);
		expect(components[0]!.components.map((button) => ('custom_id' in button ? button.custom_id : null))).toEqual([
			`pv:${guildId}:7:0`,
			`pv:${guildId}:7:1`,
			`pv:${guildId}:7:2`
		]);
		expect(components[1]!.components.map((button) => ('label' in button ? button.label : null))).toEqual(['My vote', 'Close']);
	});

	test('GIVEN 20 options and one choice WHEN rendered THEN four rows of five buttons plus the control row', () => {
		const options = Array.from({ length: 20 }, (_, index) => ({ index, label: `o${index}`, votes: 0 }));
		const { components } = renderPollMessage(english, { poll: { ...poll, optionCount: 20 }, options });
		expect(components.map((row) => row.components.length)).toEqual([5, 5, 5, 5, 2]);
	});

	test('GIVEN 21 options, or several choices WHEN rendered THEN a select menu with max_values = max_choices and min 0', () => {
		const options = Array.from({ length: 21 }, (_, index) => ({ index, label: `o${index}`, votes: 0 }));
		const many = renderPollMessage(english, { poll: { ...poll, optionCount: 21 }, options }).components[0]!.components[0]!;
		expect(many).toMatchObject({ custom_id: `ps:${guildId}:7`, min_values: 0, max_values: 1 });
		const multi = renderPollMessage(english, { ...state, poll: { ...poll, maxChoices: 2 } }).components[0]!.components[0]!;
		expect(multi).toMatchObject({ max_values: 2 });
		expect('options' in multi && multi.options.map((option) => option.value)).toEqual(['0', '1', '2']);
	});

	test('GIVEN hidden results on an open poll WHEN rendered THEN no count or voter number shows', () => {
		const { embeds } = renderPollMessage(english, { ...state, poll: { ...poll, hideResults: true } });
		const text = JSON.stringify(embeds);
		expect(text).not.toMatch(/\d+ votes?/);
		expect(embeds[0]!.description).toContain('Voters: hidden until close');
		expect(embeds[0]!.fields!.every((field) => field.value === 'hidden until close')).toBe(true);
	});

	test('GIVEN a multiple-choice poll WHEN rendered THEN each share is of the voters, and the voters and choices are both counted', () => {
		const multi: PollState = {
			poll: { ...poll, maxChoices: 3, voterCount: 2 },
			options: [
				{ index: 0, label: 'Pizza', votes: 2 },
				{ index: 1, label: 'Sushi', votes: 1 },
				{ index: 2, label: 'Tacos', votes: 0 }
			]
		};
		const embed = renderPollMessage(english, multi).embeds[0]!;
		expect(embed.fields!.map((field) => field.value)).toEqual([
			'`██████████` 2 votes · 100%',
			'`█████░░░░░` 1 vote · 50%',
			'`░░░░░░░░░░` 0 votes · 0%'
		]);
		expect(embed.description).toContain('2 voters, 3 choices · Created by <@100000000000000004>');
		expect(renderResults(english, multi, null)).toContain('2 voters, 3 choices');
		expect(renderResults(english, multi, null)).toContain('1. Pizza: `██████████` 2 votes · 100%');
	});

	test('GIVEN an anonymous poll that hid its results WHEN it is closed THEN its header no longer says the results are hidden', () => {
		const hidden = { ...poll, anonymous: true, hideResults: true };
		expect(renderPollMessage(english, { ...state, poll: hidden }).embeds[0]!.description).toContain(
			'Pick one · anonymous · results hidden until close'
		);
		const closed = renderPollMessage(english, { ...state, poll: { ...hidden, closedAt: new Date('2030-01-01T00:30:00Z') } }).embeds[0]!;
		expect(closed.description).toContain('Pick one · anonymous\n');
		expect(closed.description).not.toContain('hidden');
		expect(closed.fields![0]!.value).toContain('3 votes');
	});

	test('GIVEN any poll WHEN rendered THEN no footer repeats the number the title already shows', () => {
		expect(renderPollMessage(english, state).embeds[0]!.footer).toBeUndefined();
	});

	test('GIVEN a closed poll WHEN rendered THEN the winner shows and every component but My vote is disabled', () => {
		const closed = renderPollMessage(english, { ...state, poll: { ...poll, closedAt: new Date('2030-01-01T00:30:00Z') } });
		expect(closed.embeds[0]!.title).toBe('Poll #7 (closed)');
		expect(closed.embeds[0]!.description).toContain('**Winner: Pizza**');
		const components = closed.components.flatMap((row) => row.components);
		const enabled = components.filter((component) => !('disabled' in component && component.disabled));
		expect(enabled.map((component) => ('custom_id' in component ? component.custom_id : null))).toEqual([`pm:${guildId}:7`]);
	});

	test('GIVEN the largest poll allowed WHEN rendered THEN it fits Discord’s embed limits', () => {
		const options = Array.from({ length: 25 }, (_, index) => ({ index, label: '*'.repeat(80), votes: 1_000_000 + index }));
		const big: PollState = {
			poll: { ...poll, question: '_'.repeat(300), optionCount: 25, maxChoices: 25, roleId: '100000000000000005' },
			options
		};
		const embed = renderPollMessage(english, big).embeds[0]!;
		const total =
			(embed.title?.length ?? 0) +
			(embed.description?.length ?? 0) +
			(embed.footer?.text.length ?? 0) +
			embed.fields!.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
		expect(embed.description!.length).toBeLessThanOrEqual(4096);
		expect(embed.fields!.every((field) => field.name.length <= 256 && field.value.length <= 1024)).toBe(true);
		expect(total).toBeLessThanOrEqual(6000);
	});
});

describe('Discord limits on the worst ties', () => {
	const limits = { content: 2000, description: 4096, fieldName: 256, fieldValue: 1024, embedTotal: 6000 };

	function embedTotal(embed: APIEmbed) {
		return (
			(embed.title?.length ?? 0) +
			(embed.description?.length ?? 0) +
			(embed.footer?.text.length ?? 0) +
			(embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
		);
	}

	function tiedPoll(character: string, question: string, messageId: string | null = poll.messageId): PollState {
		return {
			poll: {
				...poll,
				question,
				messageId,
				optionCount: 25,
				maxChoices: 25,
				roleId: '100000000000000005',
				closedAt: new Date(),
				voterCount: 1_000_000
			},
			// 80 characters each, distinct (a poll's labels are), every one of them escaped by markdown escaping.
			options: Array.from({ length: 25 }, (_, index) => ({
				index,
				label: `${character.repeat(78)}${String.fromCharCode(65 + index)}${character}`,
				votes: 1_000_000
			}))
		};
	}

	test.each([
		['*', 'a question of plain words '.repeat(12).slice(0, 300)],
		['_', '*_~`|>#-'.repeat(38).slice(0, 300)],
		['`', '_'.repeat(300)],
		['~', '**'.repeat(150)]
	])(
		'GIVEN 25 tied options of 80 %j characters and a 300-char question WHEN the closed poll and its notice are rendered THEN everything fits Discord’s limits',
		(character, question) => {
			const tied = tiedPoll(character, question);
			const embed = renderPollMessage(english, tied).embeds[0]!;
			expect(embed.description!.length).toBeLessThanOrEqual(limits.description);
			for (const field of embed.fields!) {
				expect(field.name.length).toBeLessThanOrEqual(limits.fieldName);
				expect(field.value.length).toBeLessThanOrEqual(limits.fieldValue);
			}
			expect(embedTotal(embed)).toBeLessThanOrEqual(limits.embedTotal);
			expect(embed.description).toMatch(/\*\*Tie between 25 options: .+ … and \d+ more\*\*/);
			expect(embed.fields!.map((field) => field.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^25\. /)]));

			const notice = renderClosedNotice(english, tied);
			expect(notice.length).toBeLessThanOrEqual(limits.content);
			expect(notice).toMatch(
				/^Poll #7 is closed\. Tie between 25 options: .+ … and \d+ more https:\/\/discord\.com\/channels\/\d+\/\d+\/100000000000000003$/
			);
			expect(renderResults(english, tied, []).length).toBeLessThanOrEqual(limits.content);
		}
	);

	test('GIVEN a tie that fits WHEN rendered THEN every name shows; one that does not THEN the names that fit and how many more', () => {
		const options = Array.from({ length: 25 }, (_, index) => ({ index, label: `${'x'.repeat(79)}${String.fromCharCode(65 + index)}`, votes: 2 }));
		const line = winnerLine(english, options, 300);
		expect(line).toBe(`Tie between 25 options: ${'x'.repeat(79)}A, ${'x'.repeat(79)}B, ${'x'.repeat(79)}C, … and 22 more`);
		expect(line.length).toBeLessThanOrEqual(300);
		expect(winnerLine(english, options.slice(0, 2), 300)).toBe(`Tie: ${'x'.repeat(79)}A, ${'x'.repeat(79)}B`);
	});
});

describe('renderResults and the closing notice', () => {
	test('GIVEN voters WHEN results are rendered for a manager THEN each option lists who picked it', () => {
		const text = renderResults(english, state, [{ userId: '100000000000000009', option: 1, votedAt: null }]);
		expect(text).toContain('2. Sushi: `███░░░░░░░` 1 vote · 25%\n   <@100000000000000009>');
	});

	test('GIVEN 250 votes on one option and the first 100 read WHEN results are rendered THEN the answer fits and says how many more', () => {
		const big: PollState = { poll: { ...poll, voterCount: 250 }, options: [{ index: 0, label: 'Pizza', votes: 250 }, ...state.options.slice(1)] };
		const voters = Array.from({ length: 100 }, (_, index) => ({ userId: String(200000000000000000n + BigInt(index)), option: 0, votedAt: null }));
		const text = renderResults(english, big, voters);
		expect(text.length).toBeLessThanOrEqual(2000);
		const shown = text.match(/<@\d+>/g)?.length ?? 0;
		expect(shown).toBeGreaterThan(10);
		expect(text).toContain(`…and ${250 - shown} more`);
		expect(text).toContain('3. Ta\\*cos');
		expect(text).toContain('1 vote · 0%\n   …and 1 more');
	});

	test('GIVEN hidden results on an open poll WHEN rendered THEN only the notice shows', () => {
		const text = renderResults(english, { ...state, poll: { ...poll, hideResults: true } }, null);
		expect(text).toMatch(/hidden until it closes/);
		expect(text).not.toMatch(/votes?/);
	});

	test('GIVEN a closed poll with a tie WHEN its notice is rendered THEN it names both and links to the message', () => {
		const tie: PollState = { poll: { ...poll, closedAt: new Date() }, options: [state.options[0]!, { ...state.options[1]!, votes: 3 }] };
		expect(renderClosedNotice(english, tie)).toBe(
			`Poll #7 is closed. Tie: Pizza, Sushi ${messageLink('100000000000000002', '100000000000000003', guildId)}`
		);
	});
});

describe('EditCoalescer', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	function setup() {
		const flushes: number[] = [];
		const coalescer = new EditCoalescer({
			flush: async () => {
				flushes.push(Date.now());
			},
			onError: () => {},
			windowMs: 2_000,
			now: () => Date.now()
		});
		return { flushes, coalescer };
	}

	test('GIVEN merge WHEN a later request of the same key carries more than the first THEN the flush gets the merged target', async () => {
		const flushed: { key: string; clickedOn?: string }[] = [];
		const coalescer = new EditCoalescer<{ key: string; clickedOn?: string }>({
			flush: async (target) => {
				flushed.push(target);
			},
			onError: () => {},
			keyOf: (target) => target.key,
			merge: (kept, asked) => (kept.clickedOn === undefined && asked.clickedOn !== undefined ? asked : kept),
			windowMs: 2_000,
			now: () => Date.now()
		});
		coalescer.request({ key: 'poll' });
		await vi.advanceTimersByTimeAsync(10);
		// The entry outlives its flush: the next requests meet it, the first with a message, the second without.
		coalescer.request({ key: 'poll', clickedOn: 'message' });
		coalescer.request({ key: 'poll' });
		await vi.advanceTimersByTimeAsync(3_000);
		expect(flushed).toEqual([{ key: 'poll' }, { key: 'poll', clickedOn: 'message' }]);
	});

	test('GIVEN a burst of requests over 5 s WHEN they run THEN edits are at least 2 s apart and one comes after the last request', async () => {
		const { flushes, coalescer } = setup();
		const start = Date.now();
		for (let elapsed = 0; elapsed < 5_000; elapsed += 50) {
			coalescer.request('poll');
			await vi.advanceTimersByTimeAsync(50);
		}
		const lastRequest = Date.now() - 50;
		await vi.advanceTimersByTimeAsync(5_000);
		expect(flushes.length).toBeGreaterThanOrEqual(3);
		expect(flushes.length).toBeLessThanOrEqual(4);
		for (let index = 1; index < flushes.length; index++) expect(flushes[index]! - flushes[index - 1]!).toBeGreaterThanOrEqual(2_000);
		expect(flushes[0]).toBe(start);
		expect(flushes.at(-1)!).toBeGreaterThanOrEqual(lastRequest);
	});

	test('GIVEN an edit just sent WHEN requestAndWait is called THEN it resolves after the next edit, not the one before', async () => {
		const { flushes, coalescer } = setup();
		coalescer.request('poll');
		await vi.advanceTimersByTimeAsync(10);
		let done: boolean | null = null;
		void coalescer.requestAndWait('poll').then((sent) => (done = sent));
		await vi.advanceTimersByTimeAsync(1_000);
		expect(done).toBeNull();
		await vi.advanceTimersByTimeAsync(1_100);
		expect(done).toBe(true);
		expect(flushes).toHaveLength(2);
	});

	test('GIVEN a waited edit not due before shutdown, or a failing one WHEN it ends THEN requestAndWait says it was not sent', async () => {
		const { coalescer } = setup();
		coalescer.request('poll');
		await vi.advanceTimersByTimeAsync(10);
		const waited = coalescer.requestAndWait('poll');
		const closing = coalescer.close(100);
		await vi.advanceTimersByTimeAsync(1_000);
		expect(await waited).toBe(false);
		await closing;
		expect(await coalescer.requestAndWait('poll')).toBe(false);
		const failing = new EditCoalescer({
			flush: () => Promise.reject(new Error('down')),
			onError: () => {},
			windowMs: 2_000,
			now: () => Date.now()
		});
		const failed = failing.requestAndWait('poll');
		await vi.advanceTimersByTimeAsync(10);
		expect(await failed).toBe(false);
	});

	test('GIVEN two polls WHEN both are requested THEN each is flushed on its own schedule', async () => {
		const keys: string[] = [];
		const coalescer = new EditCoalescer<string>({
			flush: async (key) => void keys.push(key),
			onError: () => {},
			windowMs: 2_000,
			now: () => Date.now()
		});
		coalescer.request('a');
		coalescer.request('b');
		coalescer.request('a');
		await vi.advanceTimersByTimeAsync(10);
		expect(keys.sort()).toEqual(['a', 'b']);
	});

	test('GIVEN requests that join an edit already waiting THEN each is reported as coalesced, and one edit is made', async () => {
		const coalesced: string[] = [];
		const flushed: string[] = [];
		const coalescer = new EditCoalescer<string>({
			flush: async (key) => void flushed.push(key),
			onError: () => {},
			windowMs: 2_000,
			now: () => Date.now(),
			onCoalesced: (key) => coalesced.push(key)
		});
		coalescer.request('poll');
		coalescer.request('poll');
		coalescer.request('poll');
		await vi.advanceTimersByTimeAsync(10);
		expect(flushed).toEqual(['poll']);
		expect(coalesced).toEqual(['poll', 'poll']);
	});

	test('GIVEN a pending edit due after the shutdown budget WHEN closed THEN it is dropped and reported', async () => {
		const { flushes, coalescer } = setup();
		coalescer.request('poll');
		await vi.advanceTimersByTimeAsync(10);
		coalescer.request('poll');
		const closing = coalescer.close(500);
		await vi.advanceTimersByTimeAsync(3_000);
		expect(await closing).toEqual(['poll']);
		expect(flushes).toHaveLength(1);
	});
});

describe('DeadlineScheduler', () => {
	test('GIVEN a tick working through many polls WHEN the scheduler stops THEN the tick sees the abort and stop returns without waiting for the rest', async () => {
		let handled = 0;
		const scheduler = new DeadlineScheduler(
			async (signal) => {
				for (let poll = 0; poll < 100 && !signal.aborted; poll++) {
					await new Promise((resolve) => setTimeout(resolve, 20));
					handled++;
				}
			},
			() => {},
			1_000
		);
		scheduler.start();
		await new Promise((resolve) => setTimeout(resolve, 70));
		const started = performance.now();
		await scheduler.stop();
		expect(performance.now() - started).toBeLessThan(100);
		expect(handled).toBeLessThan(10);
	});
});

describe('renderPollList', () => {
	const open = { ...pollRow({ number: 9, question: 'Lunch [today]? *now*' }), section: 'open' as const };
	const closed = (number: number) => ({
		...pollRow({ number, question: `Closed ${number}`, closedAt: new Date('2030-01-01T00:30:00Z') }),
		section: 'closed' as const
	});

	test('GIVEN open and closed polls on one page WHEN listed THEN each section has a header and each poll is a link labelled with its question', () => {
		const { content, components } = renderPollList(english, {
			guildId,
			page: 0,
			list: { polls: [open, closed(3)], counts: { open: 1, scheduled: 0, closed: 1 } }
		});
		const link = `(https://discord.com/channels/${guildId}/100000000000000002/100000000000000003)`;
		expect(content.split('\n')).toEqual([
			'**Open polls** (1)',
			`**#9** [Lunch \\[today\\]? \\*now\\*]${link}`,
			'',
			'**Closed polls** (1)',
			`**#3** [Closed 3]${link} · closed <t:1893457800:R>`
		]);
		expect(components).toEqual([]);
	});

	test('GIVEN more polls than a page holds WHEN a middle page is shown THEN it says which page and offers Previous and Next', () => {
		const { content, components } = renderPollList(english, {
			guildId,
			page: 1,
			list: { polls: [closed(4)], counts: { open: 2, scheduled: 0, closed: 20 } }
		});
		expect(content).not.toContain('Open polls');
		expect(content).toContain('**Closed polls** (20)');
		expect(content.endsWith('Page 2 of 3')).toBe(true);
		expect(
			components[0]!.components.map((button) => ['label' in button && button.label, 'custom_id' in button && button.custom_id, button.disabled])
		).toEqual([
			['Previous', `pl:${guildId}:0`, false],
			['Next', `pl:${guildId}:2`, false]
		]);
	});

	test('GIVEN a server without polls WHEN listed THEN the answer says so', () => {
		expect(renderPollList(english, { guildId, page: 0, list: { polls: [], counts: { open: 0, scheduled: 0, closed: 0 } } }).content).toBe(
			'There are no polls in this server yet.'
		);
	});
});

describe('formatCount', () => {
	test('GIVEN each shipped language WHEN a large count is written THEN it is grouped the way that language groups digits', () => {
		expect(formatCount(1_234_567, translator('en-US'))).toBe('1,234,567');
		expect(formatCount(1_234_567, translator('de'))).toBe('1.234.567');
		expect(formatCount(1_234_567, translator('fr'))).toBe('1\u202f234\u202f567');
		expect(formatCount(1_234_567, translator('pt-BR'))).toBe('1.234.567');
		expect(formatCount(999, translator('de'))).toBe('999');
	});
});
