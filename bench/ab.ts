/**
 * Two of our bots side by side, differing only in Node's flags or environment, in alternating rounds of votes (A, B,
 * A, B, ...) after one unmeasured round each, as the floor comparison does: how this run decided the Procfile's
 * flags, since two separate runs on a shared machine differ by more than most flags do.
 *
 *   npx tsx bench/ab.ts "A's node flags[|NAME=value ...]" "B's node flags[|NAME=value ...]" [--pairs 6] [--votes 4000]
 *
 * e.g. `npx tsx bench/ab.ts "--max-semi-space-size=8" "--max-semi-space-size=4"`. Run `npm run build` first: it is
 * the built bot that runs. Prints each side's votes/s per round and median, its CPU per vote, and B ÷ A.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';
import { approvedGuild, cpuSplit, createPoll, round, run, startBot, voterPool, type Cleanups } from './harness.js';

let pairs = 6;
let votes = 4_000;
const specs: string[] = [];
const args = process.argv.slice(2);
for (let index = 0; index < args.length; index++) {
	if (args[index] === '--pairs') pairs = Number(args[++index]);
	else if (args[index] === '--votes') votes = Number(args[++index]);
	else specs.push(args[index]!);
}
const [specA = '', specB = ''] = specs;

/** `"--a --b|NAME=value OTHER=x"`: Node's flags, then (after `|`) more environment for the bot. */
function parseSide(spec: string) {
	const [flags = '', environment = ''] = spec.split('|');
	const env = Object.fromEntries(
		environment
			.split(/\s+/)
			.filter(Boolean)
			.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])
	);
	return { label: spec, nodeFlags: flags.split(/\s+/).filter(Boolean), env };
}

const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-ab-'));
const postgresServer = await startEmbeddedDatabase({ directory, persistent: false });
const cleanups: Cleanups = [async () => postgresServer.stop(), () => rm(directory, { recursive: true, force: true })];
try {
	const sides = [];
	for (const spec of [specA, specB]) {
		const { label, nodeFlags, env } = parseSide(spec);
		const bench = await startBot(postgresServer.url, cleanups, { nodeFlags, env });
		const guild = await approvedGuild(bench);
		const poll = await createPoll(bench.fake, bench.creator, guild.id, 'A/B');
		sides.push({ label, bench, guild, poll, perSecond: [] as number[], cpuMs: [] as number[] });
	}
	for (let pair = -1; pair < pairs; pair++) {
		for (const side of sides) {
			const voters = voterPool(side.bench.fake, side.guild.id, votes);
			const before = await cpuSplit(side.bench.bot.pid!, directory);
			const send = () => side.bench.fake.click({ user: voters.next(), message: side.poll.message, customId: side.poll.optionId(0) });
			const result = await run(50, { count: votes }, send);
			const after = await cpuSplit(side.bench.bot.pid!, directory);
			if (pair < 0) continue;
			side.perSecond.push(result.perSecond);
			side.cpuMs.push((after.bot - before.bot) / result.count);
		}
	}
	const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
	for (const [name, side] of [
		['A', sides[0]!],
		['B', sides[1]!]
	] as const) {
		console.log(
			`${name} [${side.label}]: votes/s median ${median(side.perSecond)} (${side.perSecond.join(', ')}), bot CPU per vote ${round(median(side.cpuMs))} ms`
		);
	}
	const [a, b] = sides as [(typeof sides)[number], (typeof sides)[number]];
	console.log(
		`B ÷ A: votes/s ${round(median(b.perSecond) / median(a.perSecond))}×, bot CPU per vote ${round(median(b.cpuMs) / median(a.cpuMs))}×; per pair ${b.perSecond.map((value, index) => round(value / a.perSecond[index]!)).join(' ')}`
	);
} finally {
	for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}
