/**
 * Profiles the built bot on one workload, to find where its time and memory go (the benchmark only measures).
 *
 *   npx tsx bench/profile.ts votes  [--seconds 10] [--in-flight 50] [--cpu-prof | --alloc-prof]   # vote clicks on one poll
 *   npx tsx bench/profile.ts ping   [--seconds 10] [--in-flight 50] [--cpu-prof]   # /ping, the bot's ceiling
 *   npx tsx bench/profile.ts memory [--servers 10000] [--heap]                       # memory once in N servers
 *
 * The bot runs with the Procfile worker's Node flags; `--node-flags "--a=1 --b"` replaces them (`""` for none).
 *
 * `--cpu-prof` writes the bot's CPU profile to $TMPDIR/discord-test-bot-profiles/ (or `--out DIR`) (summarised with bench/profile-summary.ts); `--heap`
 * writes a heap snapshot there; `--alloc-prof` writes a sampling profile of every allocation instead of the CPU profile
 * (collected objects included: what the collector has to sweep), for Chrome's DevTools or `profile-summary.ts --allocations`. Run `npm run build` first: it is the built bot that runs.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';
import type { BotProcess } from '../test/support/bot-process.js';
import { approvedGuild, botCommand, cpuSplit, createPoll, joinServers, run, sleep, startBot, voterPool, type Cleanups } from './harness.js';

const [mode = 'votes', ...rest] = process.argv.slice(2);
const option = (name: string, fallback: number) => (rest.includes(name) ? Number(rest[rest.indexOf(name) + 1]) : fallback);
const seconds = option('--seconds', 10);
const inFlight = option('--in-flight', 50);
const servers = option('--servers', 10_000);
const profiles = rest.includes('--out') ? rest[rest.indexOf('--out') + 1]! : join(tmpdir(), 'discord-test-bot-profiles');
const probe = fileURLToPath(new URL('memory-probe.mjs', import.meta.url));

const nodeOptions = [`--import=${probe}`, '--expose-gc'];
const allocations = rest.includes('--alloc-prof');
const cpuProfile =
	rest.includes('--cpu-prof') || allocations ? join(profiles, `${mode}-${Date.now()}.${allocations ? 'heapprofile' : 'cpuprofile'}`) : null;
if (rest.includes('--heap')) nodeOptions.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${profiles}`);
if (rest.includes('--node-flags')) botCommand.flags = rest[rest.indexOf('--node-flags') + 1]!.split(/\s+/).filter(Boolean);
const extraNodeOptions = process.env.BOT_NODE_OPTIONS;
if (extraNodeOptions) nodeOptions.push(extraNodeOptions);
await mkdir(profiles, { recursive: true });

const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-profile-'));
const postgresServer = await startEmbeddedDatabase({ directory, persistent: false });
const cleanups: Cleanups = [async () => postgresServer.stop(), () => rm(directory, { recursive: true, force: true })];
try {
	const bench = await startBot(postgresServer.url, cleanups, {
		env: { NODE_OPTIONS: nodeOptions.join(' '), BENCH_CPU_PROFILE: cpuProfile ?? '', BENCH_ALLOCATIONS: allocations ? '1' : '' },
		...(mode === 'memory' ? { setup: (fake, sql, url) => joinServers(fake, sql, url, servers) } : {})
	});
	console.log(`bot ready (pid ${bench.bot.pid}, node ${botCommand.flags.join(' ')} dist/index.js) in ${bench.startup.commandsRegisteredMs} ms`);
	const before = await memory(bench.bot);
	if (mode === 'memory') {
		await sleep(3_000);
		console.log(`${servers} servers:`, await memory(bench.bot));
		console.log('resident by mapping:', await mappings(bench.bot.pid!));
		if (rest.includes('--heap')) {
			process.kill(bench.bot.pid!, 'SIGUSR2');
			await sleep(8_000);
		}
	} else {
		const guild = await approvedGuild(bench);
		const users = voterPool(bench.fake, guild.id, 40_000);
		let send;
		if (mode === 'votes') {
			const poll = await createPoll(bench.fake, bench.creator, guild.id, 'Profiled poll');
			send = () => bench.fake.click({ user: users.next(), message: poll.message, customId: poll.optionId(0) });
		} else {
			send = () => bench.fake.slash({ user: bench.creator, guildId: guild.id, command: 'ping' });
		}
		await run(inFlight, { durationMs: 1_000 }, send);
		if (cpuProfile) process.kill(bench.bot.pid!, 'SIGTTIN');
		const cpuBefore = await cpuSplit(bench.bot.pid!, directory);
		const started = performance.now();
		const result = await run(inFlight, { durationMs: seconds * 1_000 }, send);
		const cpuAfter = await cpuSplit(bench.bot.pid!, directory);
		const per = (field: keyof typeof cpuAfter) => Math.round(((cpuAfter[field] - cpuBefore[field]) / result.count) * 1000) / 1000;
		console.log(
			`CPU ms per ${mode === 'votes' ? 'vote' : 'ping'}: bot ${per('bot')} (kernel ${per('botSystem')}), PostgreSQL ${per('postgres')}, harness (fake Discord + load) ${per('harness')}`
		);
		if (cpuProfile) {
			process.kill(bench.bot.pid!, 'SIGTTOU');
			await bench.bot.waitForOutput('PROFILE-WRITTEN', 20_000);
			console.log(`CPU profile: ${cpuProfile}`);
		}
		console.log(
			`${mode}: ${result.perSecond}/s p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms (n=${result.count}) in ${Math.round(performance.now() - started)} ms`
		);
		const after = await memory(bench.bot);
		console.log('memory before:', before, '\nmemory after:', after);
		console.log(
			`garbage collection per ${mode === 'votes' ? 'vote' : 'ping'} (ms, count per 1,000):`,
			gcPer(before.gcSoFar, after.gcSoFar, result.count)
		);
		console.log('resident by mapping:', await mappings(bench.bot.pid!));
	}
	await bench.bot.stop('SIGTERM');
	const written = (await readdir(profiles)).filter((name) => /\.(cpuprofile|heapsnapshot)$/.test(name));
	console.log(`profiles in ${profiles}: ${written.slice(-4).join(', ')}`);
} finally {
	for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}

/** The collections between two probes, per interaction: milliseconds, and how many per 1,000 interactions. */
function gcPer(before: unknown, after: unknown, interactions: number) {
	const counts = (value: unknown) => (value ?? {}) as Record<string, { count: number; ms: number }>;
	const [from, to] = [counts(before), counts(after)];
	return Object.fromEntries(
		Object.entries(to).map(([kind, { count, ms }]) => {
			// The probe's own forced collection at `before` counts as one major.
			const earlier = from[kind] ?? { count: 0, ms: 0 };
			const forced = kind === 'major' ? 1 : 0;
			return [
				kind,
				{
					msPer: Math.round(((ms - earlier.ms) / interactions) * 1000) / 1000,
					per1000: Math.round(((count - earlier.count - forced) / interactions) * 10_000) / 10
				}
			];
		})
	);
}

/** Resident MB by kind of mapping (/proc/PID/smaps): the V8 heap and other anonymous memory, malloc, files. */
async function mappings(pid: number) {
	const smaps = await readFile(`/proc/${pid}/smaps`, 'utf8');
	const totals = new Map<string, number>();
	let name = '';
	for (const line of smaps.split('\n')) {
		const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
		if (header) name = header[1]!.trim() === '' ? '[anonymous mmap]' : header[1]!.trim().replace(/^.*node_modules\//, 'node_modules/');
		const rss = /^Rss:\s+(\d+) kB/.exec(line);
		if (rss) totals.set(name, (totals.get(name) ?? 0) + Number(rss[1]));
	}
	return Object.fromEntries(
		[...totals]
			.filter(([, kb]) => kb >= 512)
			.sort((a, b) => b[1] - a[1])
			.map(([mapping, kb]) => [mapping, Math.round(kb / 102.4) / 10])
	);
}

/** RSS from /proc before and after a full GC, and the bot's own breakdown (heap, external, array buffers) from the probe. */
async function memory(bot: BotProcess) {
	const pid = bot.pid!;
	const rss = async () => {
		const status = await readFile(`/proc/${pid}/status`, 'utf8');
		const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 102.4) / 10;
		return { rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile') };
	};
	const first = await rss();
	process.kill(pid, 'SIGWINCH');
	await sleep(500);
	const lines = bot
		.output()
		.split('\n')
		.filter((line) => line.startsWith('MEMORY-PROBE '));
	const probed = JSON.parse(lines.at(-1)?.slice('MEMORY-PROBE '.length) ?? '{}') as Record<string, number | Record<string, number>>;
	const mb = (value: unknown) => (typeof value === 'number' ? Math.round(value / 104_857.6) / 10 : value);
	return {
		...first,
		afterGc: await rss(),
		heapUsedMb: mb(probed.heapUsed),
		heapTotalMb: mb(probed.heapTotal),
		externalMb: mb(probed.external),
		arrayBuffersMb: mb(probed.arrayBuffers),
		spacesUsedOfSizeKb: probed.spacesKb,
		spacesBeforeGcKb: probed.spacesBeforeGcKb,
		gcSoFar: probed.gcSoFar
	};
}
