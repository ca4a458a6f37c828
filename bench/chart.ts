/**
 * How long a 25-option poll chart takes to draw and encode, once the canvas module and fonts are loaded (the first
 * chart of a process pays that load, reported apart). Budget: 50 ms median on the project's 2-core machines.
 * Run: `npx tsx bench/chart.ts`.
 */
import { performance } from 'node:perf_hooks';
import { english } from '../src/lib/i18n/index.js';
import { renderPollChart } from '../src/lib/polls/chart.js';
import type { PollState } from '../src/lib/polls/repository.js';
import { pollRow } from '../test/support/fixtures.js';

const labels = Array.from(
	{ length: 25 },
	(_, index) => `Option ${index + 1}: Café crème ${'寿司🍕'.repeat(index % 3)} long enough to be cut somewhere`
);
const state: PollState = {
	poll: pollRow({ question: 'Which of these twenty-five options should win the benchmark, with accents (é, ü) and CJK (寿司)?', optionCount: 25 }),
	options: labels.map((label, index) => ({ index, label, votes: (index * 37) % 101 }))
};

export interface ChartFigures {
	firstMs: number;
	medianMs: number;
	p90Ms: number;
	runs: number;
}

/** Draws the 25-option chart `runs` times after a first one that loads the renderer and fonts. */
export async function measureChart(runs = 40): Promise<ChartFigures> {
	const first = performance.now();
	await renderPollChart(english, state);
	const firstMs = performance.now() - first;
	const times: number[] = [];
	for (let run = 0; run < runs; run++) {
		const start = performance.now();
		await renderPollChart(english, state);
		times.push(performance.now() - start);
	}
	times.sort((a, b) => a - b);
	const round = (value: number) => Math.round(value * 10) / 10;
	const median = (times[Math.floor(runs / 2) - 1]! + times[Math.floor(runs / 2)]!) / 2;
	return { firstMs: round(firstMs), medianMs: round(median), p90Ms: round(times[Math.floor(runs * 0.9)]!), runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const figures = await measureChart();
	console.log(
		`chart, 25 options: first ${figures.firstMs} ms (loads canvas and fonts), then median ${figures.medianMs} ms, p90 ${figures.p90Ms} ms over ${figures.runs} runs (budget 50 ms)`
	);
}
