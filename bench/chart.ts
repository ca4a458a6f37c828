/**
 * How long a 25-option poll chart takes to draw and encode, once the canvas module and fonts are loaded (the first
 * chart of a process pays that load, reported apart). Budget: 50 ms median on the project's 2-core machines.
 * Run: `npx tsx bench/chart.ts` (`--json` prints the figures as JSON, for bench/main.ts).
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

/**
 * {@link measureChart} in a Node process of its own, as the bot draws a chart in its own: in the benchmark's process
 * after the other sections, the draws shared its heap with the million-vote poll's clicks and its collections, and
 * the median moved from 37.9 to 60.7 ms between runs of the same code (21.6 ms in a process of its own).
 */
export async function measureChartApart(): Promise<ChartFigures> {
	// The same Node and loader (tsx) as this process, so that the chart's TypeScript runs as here.
	const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--json'], {
		timeout: 120_000
	});
	return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChartFigures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const figures = await measureChart();
	if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
	else
		console.log(
			`chart, 25 options: first ${figures.firstMs} ms (loads canvas and fonts), then median ${figures.medianMs} ms, p90 ${figures.p90Ms} ms over ${figures.runs} runs (budget 50 ms)`
		);
}
