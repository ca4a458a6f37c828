/**
 * A poll's results as a PNG bar chart, attached to the close and to `/poll results`. Drawn in-process with
 * @napi-rs/canvas (its binary ships in the npm package) and fonts shipped as npm packages, so a bare container
 * draws the same picture as a desktop: DejaVu Sans for Latin and accents, Noto Sans SC for CJK, Noto Emoji for
 * emoji, tried in that order for each character.
 *
 * The canvas module and the fonts (about 115 files) load on the first chart, never at start-up: most processes
 * never draw one, and loading costs about 100 ms.
 *
 * The picture has its own opaque light card with dark text, so it reads the same on Discord's dark and light
 * themes (a transparent PNG would put dark text on a dark background).
 */
import { container } from '@sapphire/framework';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Translator } from '../i18n/index.js';
import { encodePng } from './png.js';
import { countedOptions, runoffOf } from './ranked-render.js';
import { finalRound } from './ranked.js';
import type { PollState } from './repository.js';
import { formatCount } from './render.js';

export interface ChartFile {
	readonly name: string;
	readonly data: Buffer;
}

type Canvas = typeof import('@napi-rs/canvas');

const fontFamilies = 'ChartSans, ChartCJK, ChartEmoji';

let loading: Promise<Canvas> | null = null;

/** The canvas module with the fonts registered, once per process. */
function loadCanvas(): Promise<Canvas> {
	loading ??= import('@napi-rs/canvas').then((canvas) => {
		const require = createRequire(import.meta.url);
		const register = (fontPackage: string, family: string, pattern: RegExp) => {
			// The packages export only their LICENSE and CSS; the font files sit beside the LICENSE.
			const directory = join(dirname(require.resolve(`${fontPackage}/LICENSE`)), 'files');
			let registered = 0;
			for (const file of readdirSync(directory)) {
				if (pattern.test(file) && canvas.GlobalFonts.registerFromPath(join(directory, file), family)) registered++;
			}
			if (registered === 0) throw new Error(`no font of ${fontPackage} could be registered`);
		};
		register('@fontsource/dejavu-sans', 'ChartSans', /-(400|700)-normal\.woff$/);
		register('@fontsource/noto-sans-sc', 'ChartCJK', /-400-normal\.woff$/);
		register('@fontsource/noto-emoji', 'ChartEmoji', /-400-normal\.woff$/);
		return canvas;
	});
	return loading;
}

export interface ChartBar {
	readonly label: string;
	readonly value: number;
}

export interface ChartInput {
	readonly title: string;
	/** Under the title: what is counted and when. */
	readonly subtitle: string;
	readonly bars: readonly ChartBar[];
	readonly formatValue: (value: number) => string;
}

const Layout = { width: 900, padding: 32, titleSize: 26, subtitleSize: 17, rowHeight: 34, labelWidth: 300, valueWidth: 120 } as const;
const Colors = {
	background: '#ffffff',
	border: '#c4c9d0',
	text: '#1e1f22',
	muted: '#4e5058',
	track: '#e3e5e8',
	bar: '#5865f2',
	top: '#3b44b8'
} as const;

/** Draws the chart and encodes it as PNG. */
export async function drawChart(input: ChartInput): Promise<Buffer> {
	const { createCanvas } = await loadCanvas();
	const titleLines = 2;
	const top = Layout.padding + titleLines * (Layout.titleSize + 8) + Layout.subtitleSize + 24;
	const height = top + input.bars.length * Layout.rowHeight + Layout.padding;
	const canvas = createCanvas(Layout.width, height);
	const context = canvas.getContext('2d');

	context.fillStyle = Colors.background;
	context.fillRect(0, 0, Layout.width, height);
	context.strokeStyle = Colors.border;
	context.lineWidth = 2;
	context.strokeRect(1, 1, Layout.width - 2, height - 2);

	const inner = Layout.width - 2 * Layout.padding;
	context.textBaseline = 'top';
	context.fillStyle = Colors.text;
	context.font = `bold ${Layout.titleSize}px ${fontFamilies}`;
	let y = Layout.padding;
	for (const line of wrap(context, input.title, inner, titleLines)) {
		context.fillText(line, Layout.padding, y);
		y += Layout.titleSize + 8;
	}
	y = Layout.padding + titleLines * (Layout.titleSize + 8);
	context.fillStyle = Colors.muted;
	context.font = `${Layout.subtitleSize}px ${fontFamilies}`;
	context.fillText(fit(context, input.subtitle, inner), Layout.padding, y);

	const most = Math.max(0, ...input.bars.map((bar) => bar.value));
	const barLeft = Layout.padding + Layout.labelWidth + 12;
	const barWidth = inner - Layout.labelWidth - 12 - Layout.valueWidth;
	context.textBaseline = 'middle';
	for (const [position, bar] of input.bars.entries()) {
		const middle = top + position * Layout.rowHeight + Layout.rowHeight / 2;
		context.fillStyle = Colors.text;
		context.font = `17px ${fontFamilies}`;
		context.fillText(fit(context, bar.label, Layout.labelWidth), Layout.padding, middle);
		context.fillStyle = Colors.track;
		context.fillRect(barLeft, middle - 10, barWidth, 20);
		if (most > 0 && bar.value > 0) {
			context.fillStyle = bar.value === most ? Colors.top : Colors.bar;
			context.fillRect(barLeft, middle - 10, Math.max(2, Math.round((bar.value / most) * barWidth)), 20);
		}
		context.fillStyle = Colors.text;
		context.font = `bold 17px ${fontFamilies}`;
		context.fillText(input.formatValue(bar.value), barLeft + barWidth + 12, middle);
	}
	return encodePng(Layout.width, height, context.getImageData(0, 0, Layout.width, height).data);
}

/**
 * `poll-<n>.png` for a poll whose counts may be shown, in the poll's language: its counts (weighted totals in a
 * weighted poll, the final round in a ranked one), the question, and the date (UTC, written the same in every
 * language).
 */
export async function renderPollChart(t: Translator, state: PollState, now = new Date()): Promise<ChartFile> {
	const { poll } = state;
	const runoff = runoffOf(state);
	const values = runoff === null ? countedOptions(state).map((option) => option.votes) : finalRound(runoff, state.options.length);
	const date = formatDate(poll.closedAt ?? now);
	const what = runoff !== null ? t('ballots:chart.finalRound') : poll.weighted ? t('ballots:chart.weighted') : t('ballots:chart.votes');
	const when = poll.closedAt === null ? t('ballots:chart.asOf', { date }) : t('ballots:chart.closed', { date });
	const data = await drawChart({
		title: `#${poll.number} ${poll.question}`,
		subtitle: `${what} · ${when}`,
		bars: state.options.map((option) => ({ label: `${option.index + 1}. ${option.label}`, value: values[option.index] ?? 0 })),
		formatValue: (value) => formatCount(value, t)
	});
	return { name: `poll-${poll.number}.png`, data };
}

/**
 * {@link renderPollChart}, or `null` when drawing failed (logged): a chart is a bonus, and a close must be announced
 * with or without it.
 */
export async function renderPollChartOrNothing(t: Translator, state: PollState): Promise<ChartFile | null> {
	try {
		return await renderPollChart(t, state);
	} catch (error) {
		container.logger.warn(`Poll #${state.poll.number}'s chart could not be drawn; sent without it:`, error, { guildId: state.poll.guildId });
		return null;
	}
}

/** 2030-01-31 14:05 UTC: the same in every language, with no locale data to load. */
function formatDate(date: Date): string {
	return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface Measuring {
	measureText(text: string): { width: number };
}

/** `text` cut with an ellipsis to fit `width` pixels. */
function fit(context: Measuring, text: string, width: number): string {
	if (context.measureText(text).width <= width) return text;
	const characters = [...text];
	let low = 0;
	let high = characters.length;
	while (low < high) {
		const middle = Math.ceil((low + high) / 2);
		if (context.measureText(`${characters.slice(0, middle).join('')}…`).width <= width) low = middle;
		else high = middle - 1;
	}
	return `${characters.slice(0, low).join('')}…`;
}

/** `text` in at most `lines` lines of `width` pixels, broken at spaces, the last cut with an ellipsis. */
function wrap(context: Measuring, text: string, width: number, lines: number): string[] {
	const words = text.split(/\s+/);
	const out: string[] = [];
	let line = '';
	for (const [position, word] of words.entries()) {
		const candidate = line.length === 0 ? word : `${line} ${word}`;
		if (context.measureText(candidate).width <= width || line.length === 0) {
			line = candidate;
			continue;
		}
		if (out.length === lines - 1) {
			out.push(fit(context, [line, ...words.slice(position)].join(' '), width));
			return out;
		}
		out.push(line);
		line = word;
	}
	out.push(fit(context, line, width));
	return out.slice(0, lines);
}
