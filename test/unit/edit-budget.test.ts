import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { heartbeat, leave } from '../../src/lib/fleet/repository.js';
import { EditCoalescer } from '../../src/lib/polls/coalescer.js';
import { EditBudget } from '../../src/lib/polls/edit-budget.js';
import { useMigratedDatabase } from '../support/database.js';

/** The most starts that fall in any window of `windowMs`. */
function mostInWindow(times: readonly number[], windowMs: number): number {
	let most = 0;
	for (const [index, start] of times.entries()) most = Math.max(most, times.slice(index).filter((time) => time < start + windowMs).length);
	return most;
}

describe('EditBudget', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	test('GIVEN 25 flushes due at once and 10 per second WHEN they run THEN no second holds more than 10, in the order asked', async () => {
		const budget = new EditBudget(10, () => Date.now());
		const started: { index: number; at: number }[] = [];
		for (let index = 0; index < 25; index++) budget.enqueue(() => started.push({ index, at: Date.now() }));
		expect(budget.waiting).toBe(24);
		await vi.advanceTimersByTimeAsync(3_000);
		expect(started.map((start) => start.index)).toEqual(Array.from({ length: 25 }, (_, index) => index));
		expect(
			mostInWindow(
				started.map((start) => start.at),
				1_000
			)
		).toBe(10);
		expect(budget.waiting).toBe(0);
	});

	test('GIVEN a queue WHEN the rate is halved (a second process joined) THEN the slots spread out from then on', async () => {
		const budget = new EditBudget(10, () => Date.now());
		const starts: number[] = [];
		for (let index = 0; index < 20; index++) budget.enqueue(() => starts.push(Date.now()));
		await vi.advanceTimersByTimeAsync(500);
		budget.setRate(5);
		const before = starts.length;
		await vi.advanceTimersByTimeAsync(1_000);
		expect(starts.length - before).toBeLessThanOrEqual(5);
		expect(starts.length - before).toBeGreaterThanOrEqual(4);
	});
});

describe('EditBudget before each send', () => {
	test('GIVEN 6 edits let out at once at 20/s, one slow WHEN sent THEN each starts 50 ms after the one before and after its answer', async () => {
		const budget = new EditBudget(20);
		const spans: { start: number; end: number }[] = [];
		const edit = (ms: number) => async () => {
			const start = performance.now();
			await new Promise((resolve) => setTimeout(resolve, ms));
			spans.push({ start, end: performance.now() });
		};
		await Promise.all([budget.send(edit(200)), ...Array.from({ length: 5 }, () => budget.send(edit(1)))]);
		for (let index = 1; index < spans.length; index++) {
			expect(spans[index]!.start - spans[index - 1]!.start).toBeGreaterThanOrEqual(49);
			expect(spans[index]!.start).toBeGreaterThanOrEqual(spans[index - 1]!.end - 1);
		}
	});

	test("GIVEN an edit that fails WHEN the next is sent THEN the failure is its caller's alone", async () => {
		const budget = new EditBudget(100);
		await expect(budget.send(() => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
		await expect(budget.send(() => Promise.resolve('sent'))).resolves.toBe('sent');
	});
});

describe('EditCoalescer with a budget', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	test('GIVEN 200 hot polls and 20 edits/s WHEN each is voted on for 10 s THEN edits/s stay within budget, every poll gets edits, and the last of each follows its last vote', async () => {
		const votes = new Map<number, number>();
		const shown = new Map<number, number>();
		const flushes: number[] = [];
		const coalescer = new EditCoalescer<number>({
			flush: async (poll) => {
				flushes.push(Date.now());
				shown.set(poll, votes.get(poll) ?? 0);
			},
			onError: () => {},
			windowMs: 2_000,
			now: () => Date.now(),
			budget: new EditBudget(20, () => Date.now())
		});
		for (let tick = 0; tick < 100; tick++) {
			for (let poll = 0; poll < 200; poll++) {
				votes.set(poll, (votes.get(poll) ?? 0) + 1);
				coalescer.request(poll);
			}
			await vi.advanceTimersByTimeAsync(100);
		}
		// Every poll's final flush is due and waits its turn: 200 polls at 20/s take about 10 s.
		await vi.advanceTimersByTimeAsync(15_000);
		expect(mostInWindow(flushes, 1_000)).toBeLessThanOrEqual(20);
		expect([...shown.keys()]).toHaveLength(200);
		for (let poll = 0; poll < 200; poll++) expect(shown.get(poll)).toBe(votes.get(poll));
		expect(coalescer.pending).toBe(0);
	});
});

describe('processes sharing the budget', () => {
	const db = useMigratedDatabase();

	test('GIVEN two processes beating WHEN one leaves THEN each counts two live, then the other counts one', async () => {
		expect(await heartbeat(db.sql, 'a', 6)).toBe(1);
		expect(await heartbeat(db.sql, 'b', 6)).toBe(2);
		expect(await heartbeat(db.sql, 'a', 6)).toBe(2);
		await leave(db.sql, 'b');
		expect(await heartbeat(db.sql, 'a', 6)).toBe(1);
	});

	test('GIVEN a process not seen lately WHEN another beats THEN it no longer counts', async () => {
		await heartbeat(db.sql, 'old', 6);
		// Every process seen so far (this file's other test's too) was last seen 10 s ago.
		await db.sql`update bot_processes set seen_at = now() - interval '10 seconds'`;
		expect(await heartbeat(db.sql, 'new', 6)).toBe(1);
	});
});
