/**
 * `npm run bench`: the vote path measured end to end, in one run so that ratios hold on a noisy machine.
 *
 * Starts an embedded PostgreSQL, the project's fake Discord and the **built** bot with the Procfile worker's command
 * (`node [its V8 flags] dist/index.js`, read from the Procfile), then
 * measures /ping and votes (dispatch → callback received), a poll holding 1,000,000 votes, the poll-message edits
 * sent during a burst, the bot's memory in 10,000 servers, its start-up time, and the fake's own ceiling. Prints a
 * table and writes the same figures to bench/results.json. It passes or fails nothing: it reports.
 *
 *   npm run bench                  # full run (a few minutes on 2 cores)
 *   npm run bench -- --quick       # smaller counts, for trying changes
 *   npm run bench -- --plain-node  # every bot as plain `node dist/index.js`, to see what the Procfile's flags change
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';
import type { InteractionHandle } from '../test/fake-discord/index.js';
import { measureThroughput } from '../test/fake-discord/throughput.js';
import {
	approvedGuild,
	botCommand,
	cpuSplit,
	createPoll,
	joinServers,
	round,
	run,
	sleep,
	startBot,
	startFloor,
	voterPool,
	type Bench,
	type BenchPoll,
	type Cleanups,
	type Latency
} from './harness.js';
import { measureChartApart, type ChartFigures } from './chart.js';
import {
	editBudget,
	hotPolls,
	median,
	memoryIn,
	scheduler,
	type EditBudgetFigures,
	type HotPolls,
	type SchedulerFigures,
	type ServerMemory
} from './scale.js';
import { describeVariant, profileVoteStatement, type StatementProfile } from './vote-statement.js';

const quick = process.argv.includes('--quick');
/** `--only floor,hot,...`: run just these parts (names in `sections`), for working on one of them. */
const sections = ['core', 'floor', 'hot', 'budget', 'chart', 'memory', 'servers', 'scheduler', 'statement'] as const;
type Section = (typeof sections)[number];
const onlyArgument = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]! : null;
const only = onlyArgument === null ? null : new Set(onlyArgument.split(','));
if (only && [...only].some((name) => !sections.includes(name as Section))) throw new Error(`--only takes some of: ${sections.join(', ')}`);
const want = (section: Section) => only === null || only.has(section);
const procfileFlags = botCommand.flags;
if (process.argv.includes('--plain-node')) botCommand.flags = [];
/** How the bots of this run were started, for the results. */
const commandOf = (flags: readonly string[]) => ['node', ...flags, 'dist/index.js'].join(' ');
const sizes = {
	sequential: quick ? 100 : 300,
	burstMs: quick ? 2_000 : 5_000,
	bigPollVotes: quick ? 100_000 : 1_000_000,
	servers: quick ? 2_000 : 10_000,
	/** Voters made before timing starts (a member votes once per poll; more are made on demand). */
	voters: quick ? 15_000 : 40_000,
	/** How long after ready the settled RSS is read: V8's memory reducer shrinks the heap after some idle seconds. */
	settleMs: quick ? 30_000 : 45_000,
	inFlight: 50,
	/**
	 * Rounds against the reference floor: ours, floor, ours, floor, ... (pairs), each of `floorRoundVotes` votes. A
	 * round lasts about 2 s on this machine: rounds of 1,500 (under a second) moved the ratio by 0.1 from run to run.
	 */
	floorPairs: quick ? 3 : 8,
	floorRoundVotes: quick ? 1_500 : 4_000,
	hotPolls: { polls: 100, votersPerPoll: 20, rounds: quick ? 1 : 6 },
	editBudget: { polls: quick ? 300 : 1_000, votesPerPoll: 3, budgetPerSecond: 40 },
	/** Two server counts: the memory of one more server is the difference over the servers added. */
	serverCounts: quick ? ([1_000, 5_000] as const) : ([10_000, 50_000] as const),
	schedulerOpenPolls: quick ? ([1_000, 20_000] as const) : ([1_000, 100_000] as const),
	statement: { calls: quick ? 1_000 : 2_000, rounds: quick ? 1 : 3 }
};

interface Results {
	when: string;
	quick: boolean;
	machine: { cpus: number; node: string };
	postgresStartMs: number;
	fakeCeiling?: { perSecond: number; p50Ms: number; p99Ms: number };
	ping?: { sequential: Latency; concurrent: Latency };
	votes?: { sequential: Latency; concurrent: Latency; ratioToPing: number };
	bigPoll?: {
		votes: number;
		seedMs: number;
		sequential: Latency;
		concurrent: Latency;
		/** Bursts on a new poll and on the big one in turn; the ratios are big ÷ new over these. */
		alternating: { big: Latency[]; control: Latency[] };
		p50Ratio: number;
		p99Ratio: number;
	};
	edits?: {
		votes: number;
		burstSeconds: number;
		edits: number;
		editsPerSecond: number;
		maxEditsIn2s: number;
		minGapMs: number;
		finalExact: boolean;
	};
	floor?: FloorComparison;
	/** The command the bots ran with (the Procfile worker's, unless `--plain-node`). */
	command?: string;
	memory?: {
		servers: number;
		command: string;
		readyMs: number;
		rssMb: number;
		settledAfterS: number;
		settledRssMb: number;
		/** The same, 3 s after ready, started as plain `node dist/index.js` (or with the Procfile's flags under `--plain-node`). */
		other: { command: string; rssMb: number };
	};
	/** The first bot, after all the /ping and vote bursts (one server). */
	afterLoadRssMb?: number;
	startup?: { commandsRegisteredMs: number; botReportedMs: number };
	hotPolls?: HotPolls;
	editBudget?: EditBudgetFigures;
	chart?: ChartFigures;
	/** The bot after a full GC in each of `sizes.serverCounts` servers, and the cost of one more server between them. */
	servers?: { at: ServerMemory[]; perServerRssKb: number; perServerHeapKb: number };
	scheduler?: SchedulerFigures[];
	statement?: StatementProfile;
}

const root = fileURLToPath(new URL('..', import.meta.url));

async function main() {
	const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-bench-'));
	const started = performance.now();
	const postgresServer = await startEmbeddedDatabase({ directory, persistent: false });
	const postgresStartMs = performance.now() - started;
	const cleanups: Cleanups = [async () => postgresServer.stop(), () => rm(directory, { recursive: true, force: true })];
	const results: Results = {
		when: new Date().toISOString(),
		quick,
		machine: { cpus: cpus().length, node: process.version },
		command: commandOf(botCommand.flags),
		postgresStartMs: Math.round(postgresStartMs)
	};
	let problems: string[] = [];
	try {
		// First, while PostgreSQL is idle: after the core section it vacuums the million votes for minutes, on the
		// same two cores.
		if (want('chart')) {
			step('a 25-option result chart, drawn in a process of its own (canvas and fonts load on the first)');
			results.chart = await measureChartApart();
		}
		if (want('core')) {
			step('fake Discord ceiling (minimal client, 50 in flight)');
			const ceiling = await measureThroughput({ durationMs: sizes.burstMs, inFlight: sizes.inFlight });
			results.fakeCeiling = { perSecond: ceiling.perSecond, p50Ms: round(ceiling.p50Ms), p99Ms: round(ceiling.p99Ms) };
		}
		if (want('core') || want('floor') || want('hot') || want('budget')) {
			step('start-up on an empty database');
			const main = await startBot(postgresServer.url, cleanups);
			results.startup = main.startup;
			const guild = await approvedGuild(main);
			// The floor comparison first, while our bot and database are as new as the floor's: the core section leaves
			// a poll of 1,000,000 votes and thousands of claims behind (one full run with the comparison after it: 0.85×,
			// while `--only floor` on the same code gave 0.98×).
			if (want('floor')) {
				step(`ours and the reference floor (bench/floor), alternating rounds of ${sizes.floorRoundVotes.toLocaleString('en-US')}`);
				results.floor = await compareWithFloor(main, guild.id, postgresServer.url, directory, cleanups);
			}
			// The hot comparison too: in one full run after the core section, its rounds went at 1,100/s where
			// `--only hot` went at 2,300/s (PostgreSQL vacuuming the million votes meanwhile), both halves of the
			// comparison slowed, unevenly.
			if (want('hot')) {
				step(`${sizes.hotPolls.polls} polls voted on at once against one hot poll, alternating rounds`);
				results.hotPolls = await hotPolls(main, guild.id, directory, { ...sizes.hotPolls, inFlight: sizes.inFlight });
			}
			if (want('core')) Object.assign(results, await core(main, guild.id));
			if (want('budget')) {
				step(
					`${sizes.editBudget.polls} hot polls under Discord's global limit (50/s, enforced by the fake), edit budget ${sizes.editBudget.budgetPerSecond}/s`
				);
				results.editBudget = await editBudget(main, guild.id, { ...sizes.editBudget, inFlight: sizes.inFlight });
			}
			problems = main.fake.protocolProblems();
			results.afterLoadRssMb = await rss(main.bot.pid!);
			await main.bot.stop('SIGTERM');
		}
		if (want('memory')) {
			step(`memory in ${sizes.servers.toLocaleString('en-US')} servers`);
			results.memory = await measureMemory(postgresServer.url, cleanups);
		}
		if (want('servers')) {
			const at: ServerMemory[] = [];
			for (const count of sizes.serverCounts) {
				step(`memory after a full GC in ${count.toLocaleString('en-US')} servers`);
				at.push(await memoryIn(postgresServer.url, cleanups, count));
			}
			const [low, high] = [at[0]!, at.at(-1)!];
			const per = (mb: number) => round((mb * 1024) / (high.servers - low.servers));
			results.servers = { at, perServerRssKb: per(high.rssMb - low.rssMb), perServerHeapKb: per(high.heapUsedMb - low.heapUsedMb) };
		}
		if (want('scheduler')) {
			results.scheduler = [];
			for (const open of sizes.schedulerOpenPolls) {
				step(`scheduler: claiming due polls among ${open.toLocaleString('en-US')} open polls with deadlines`);
				results.scheduler.push(await scheduler(postgresServer.url, cleanups, open));
			}
		}
		if (want('statement')) {
			step("the vote statement on its own, against the floor's upsert");
			// A profile that cannot run (its stages name one version of the statement) must not lose the figures above.
			results.statement = await profileVoteStatement(postgresServer.url, directory, cleanups, sizes.statement).catch((error: unknown) => {
				console.log(`  (skipped: ${error instanceof Error ? error.message : String(error)})`);
				return undefined;
			});
		}
		print(results);
		if (problems.length > 0) console.log(`\nProtocol problems seen by the fake (${problems.length}):\n${problems.slice(0, 10).join('\n')}`);
		await writeFile(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
		console.log('\nWritten to bench/results.json');
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	}
}

/** /ping, votes on a new poll, the edits of that burst, and a poll holding `sizes.bigPollVotes` votes. */
async function core(main: Bench, guildId: string): Promise<Partial<Results>> {
	const { fake, sql } = main;
	step('/ping');
	const pingUser = main.creator;
	const ping = await measure(() => fake.slash({ user: pingUser, guildId, command: 'ping' }));

	const users = voterPool(fake, guildId, sizes.voters);
	step('votes on a new poll');
	const poll = await createPoll(fake, main.creator, guildId, 'Fresh poll');
	const votes = await measure(() => fake.click({ user: users.next(), message: poll.message, customId: poll.optionId(0) }), {
		onConcurrentStart: main.markBurst,
		onConcurrentEnd: main.markBurst
	});

	step('poll-message edits during the burst');
	await sleep(2_500);
	const edits = await editReport(main, poll, votes.concurrent.count + votes.sequential.count);

	step(`votes on a poll holding ${sizes.bigPollVotes.toLocaleString('en-US')} votes`);
	const big = await createPoll(fake, main.creator, guildId, 'Big poll');
	users.forPoll();
	const started = performance.now();
	await seedVotes(sql, guildId, big.number, sizes.bigPollVotes);
	const seedMs = performance.now() - started;
	const voteOnBig = () => fake.click({ user: users.next(), message: big.message, customId: big.optionId(1) });
	const bigVotes = await measure(voteOnBig);

	// The ratio compares the big poll with a new one under the same conditions (vacuum, caches, GC): bursts on
	// each in turn, twice, rather than against the first poll measured minutes earlier.
	step('a new poll and the big poll, in alternating bursts');
	const control = await createPoll(fake, main.creator, guildId, 'Control poll');
	const controlVoters = voterPool(fake, guildId, sizes.voters);
	const voteOnControl = () => fake.click({ user: controlVoters.next(), message: control.message, customId: control.optionId(1) });
	const alternating = { big: [] as Latency[], control: [] as Latency[] };
	for (let round = 0; round < 2; round++) {
		alternating.control.push(await run(sizes.inFlight, { durationMs: sizes.burstMs / 2 }, voteOnControl));
		alternating.big.push(await run(sizes.inFlight, { durationMs: sizes.burstMs / 2 }, voteOnBig));
	}
	const sum = (latencies: Latency[], key: 'p50Ms' | 'p99Ms') => latencies.reduce((total, latency) => total + latency[key], 0);
	return {
		ping,
		votes: { ...votes, ratioToPing: round(votes.concurrent.perSecond / ping.concurrent.perSecond) },
		bigPoll: {
			votes: sizes.bigPollVotes,
			seedMs: Math.round(seedMs),
			...bigVotes,
			alternating,
			p50Ratio: round(sum(alternating.big, 'p50Ms') / sum(alternating.control, 'p50Ms')),
			p99Ratio: round(sum(alternating.big, 'p99Ms') / sum(alternating.control, 'p99Ms'))
		},
		edits
	};
}

/** One at a time, then `inFlight` at once for `burstMs`: throughput and dispatch → callback latency. */
async function measure(
	send: () => InteractionHandle,
	hooks: { onConcurrentStart?: () => void; onConcurrentEnd?: () => void } = {}
): Promise<{ sequential: Latency; concurrent: Latency }> {
	const sequential = await run(1, { count: sizes.sequential }, send);
	hooks.onConcurrentStart?.();
	const concurrent = await run(sizes.inFlight, { durationMs: sizes.burstMs }, send);
	hooks.onConcurrentEnd?.();
	return { sequential, concurrent };
}

/** The edits of the poll message sent during the burst: how many, how close together, and whether the last is exact. */
async function editReport(bench: Bench, poll: BenchPoll, votes: number): Promise<Results['edits']> {
	const [burstStart = 0, burstEnd = 0] = bench.burstMarks;
	const edits = bench.fake.requestLog
		.filter((entry) => entry.method === 'PATCH' && entry.path.includes(poll.message.id) && entry.status < 300)
		.map((entry) => entry.at);
	const inBurst = edits.filter((at) => at >= burstStart && at <= burstEnd + 2_500);
	let maxIn2s = 0;
	let minGapMs = Number.POSITIVE_INFINITY;
	for (let index = 0; index < inBurst.length; index++) {
		maxIn2s = Math.max(maxIn2s, inBurst.filter((at) => at >= inBurst[index]! && at < inBurst[index]! + 2_000).length);
		if (index > 0) minGapMs = Math.min(minGapMs, inBurst[index]! - inBurst[index - 1]!);
	}
	const [row] = await bench.sql<{ voters: number }[]>`
		select voter_count + coalesce((select sum(voters)::int from poll_count_deltas d where d.guild_id = p.guild_id and d.poll_number = p.poll_number), 0) as voters
		from polls p where poll_number = ${poll.number}`;
	const shown = Number(/Voters: ([\d,]+)/.exec(JSON.stringify(bench.fake.message(poll.message.id)?.embeds))?.[1]?.replaceAll(',', ''));
	const burstSeconds = (burstEnd - burstStart) / 1000;
	return {
		votes,
		burstSeconds: round(burstSeconds),
		edits: inBurst.length,
		editsPerSecond: round(inBurst.length / (burstSeconds + 2.5)),
		maxEditsIn2s: maxIn2s,
		minGapMs: Number.isFinite(minGapMs) ? Math.round(minGapMs) : 0,
		finalExact: shown === row?.voters && shown === votes
	};
}

/** Puts `count` votes straight into the database, as if members had voted, with the counts to match. */
async function seedVotes(sql: postgres.Sql, guildId: string, number: number, count: number) {
	await sql`
		insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at)
		select ${guildId}, ${number}, 'seed' || g, g % 3, now() from generate_series(1, ${count}) as g
	`;
	await sql`
		update poll_options o set votes = s.votes
		from (select option_index, count(*)::int as votes from poll_votes where guild_id = ${guildId} and poll_number = ${number} group by option_index) s
		where o.guild_id = ${guildId} and o.poll_number = ${number} and o.option_index = s.option_index
	`;
	await sql`update polls set voter_count = ${count} where guild_id = ${guildId} and poll_number = ${number}`;
	await sql`vacuum analyze poll_votes`;
}

/**
 * The bot's resident memory once it is ready in `sizes.servers` servers (all approved: no approval DMs), started
 * with the Procfile's command: 3 s after ready (the figure the target is about: the start-up burst has just grown
 * V8's young generation to the most it may), then once settled (V8's memory reducer shrinks it after some idle
 * seconds); and 3 s after ready again in a process started without the Procfile's flags, to show what they save.
 */
async function measureMemory(adminUrl: string, cleanups: Cleanups): Promise<Results['memory']> {
	const started = performance.now();
	const bench = await startBot(adminUrl, cleanups, {
		setup: (fake, sql, databaseUrl) => joinServers(fake, sql, databaseUrl, sizes.servers)
	});
	const readyMs = Math.round(performance.now() - started);
	await sleep(3_000);
	const rssMb = await rss(bench.bot.pid!);
	await sleep(sizes.settleMs - 3_000);
	const settledRssMb = await rss(bench.bot.pid!);
	await bench.bot.stop('SIGTERM');

	const otherFlags = botCommand.flags.length === 0 ? procfileFlags : [];
	const other = await startBot(adminUrl, cleanups, {
		nodeFlags: otherFlags,
		setup: (fake, sql, databaseUrl) => joinServers(fake, sql, databaseUrl, sizes.servers)
	});
	await sleep(3_000);
	const otherRssMb = await rss(other.bot.pid!);
	await other.bot.stop('SIGTERM');
	return {
		servers: sizes.servers,
		command: commandOf(botCommand.flags),
		readyMs,
		rssMb,
		settledAfterS: sizes.settleMs / 1000,
		settledRssMb,
		other: { command: commandOf(otherFlags), rssMb: otherRssMb }
	};
}

interface FloorRound {
	side: 'ours' | 'floor';
	latency: Latency;
	/** CPU milliseconds per vote, of the bot and of PostgreSQL (all its processes), over the round. */
	botCpuMs: number;
	postgresCpuMs: number;
	/** And of this process: the fake Discord and the clicks, which share the machine with both. */
	harnessCpuMs: number;
}

interface FloorSummary {
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
	botCpuMs: number;
	postgresCpuMs: number;
	harnessCpuMs: number;
}

interface FloorComparison {
	roundVotes: number;
	inFlight: number;
	rounds: FloorRound[];
	/** Medians over the rounds of each side. */
	ours: FloorSummary;
	floor: FloorSummary;
	/** ours ÷ floor, of the medians. */
	ratio: FloorSummary;
}

/**
 * Our bot against the reference floor (bench/floor/main.ts): the same number of votes, each from a new member, with
 * the same number in flight, in alternating rounds so that both see the same machine (other load, GC, vacuum) in
 * turn. Each side gets one unmeasured round first, so neither is measured cold.
 */
async function compareWithFloor(
	bench: Bench,
	guildId: string,
	adminUrl: string,
	postgresDirectory: string,
	cleanups: Cleanups
): Promise<FloorComparison> {
	const floorBot = await startFloor(adminUrl, cleanups);
	const poll = await createPoll(bench.fake, bench.creator, guildId, 'Floor comparison');
	const voters = { ours: voterPool(bench.fake, guildId, 0), floor: voterPool(floorBot.fake, floorBot.guild.id, 0) };
	const send = {
		ours: () => bench.fake.click({ user: voters.ours.next(), message: poll.message, customId: poll.optionId(0) }),
		floor: () => floorBot.fake.click({ user: voters.floor.next(), message: floorBot.message, customId: 'fv:0' })
	};
	const pids = { ours: bench.bot.pid!, floor: floorBot.bot.pid! };
	// Members are made before a round is timed, as everywhere in the benchmark.
	const premade = (side: 'ours' | 'floor') => {
		const fake = side === 'ours' ? bench.fake : floorBot.fake;
		const guild = side === 'ours' ? guildId : floorBot.guild.id;
		return voterPool(fake, guild, sizes.floorRoundVotes);
	};
	const rounds: FloorRound[] = [];
	const one = async (side: 'ours' | 'floor', measured: boolean) => {
		voters[side] = premade(side);
		const before = await cpuSplit(pids[side], postgresDirectory);
		const latency = await run(sizes.inFlight, { count: sizes.floorRoundVotes }, send[side]);
		const after = await cpuSplit(pids[side], postgresDirectory);
		const per = (ms: number) => round(ms / latency.count);
		if (measured)
			rounds.push({
				side,
				latency,
				botCpuMs: per(after.bot - before.bot),
				postgresCpuMs: per(after.postgres - before.postgres),
				harnessCpuMs: per(after.harness - before.harness)
			});
	};
	await one('ours', false);
	await one('floor', false);
	for (let pair = 0; pair < sizes.floorPairs; pair++) {
		await one('ours', true);
		await one('floor', true);
	}
	await floorBot.bot.stop('SIGTERM');
	const summary = (side: 'ours' | 'floor'): FloorSummary => {
		const mine = rounds.filter((entry) => entry.side === side);
		return {
			perSecond: median(mine.map((entry) => entry.latency.perSecond)),
			p50Ms: median(mine.map((entry) => entry.latency.p50Ms)),
			p99Ms: median(mine.map((entry) => entry.latency.p99Ms)),
			botCpuMs: median(mine.map((entry) => entry.botCpuMs)),
			postgresCpuMs: median(mine.map((entry) => entry.postgresCpuMs)),
			harnessCpuMs: median(mine.map((entry) => entry.harnessCpuMs))
		};
	};
	const ours = summary('ours');
	const floor = summary('floor');
	const ratio = Object.fromEntries(
		Object.keys(ours).map((key) => [key, round(ours[key as keyof FloorSummary] / floor[key as keyof FloorSummary])])
	) as unknown as FloorSummary;
	return { roundVotes: sizes.floorRoundVotes, inFlight: sizes.inFlight, rounds, ours, floor, ratio };
}

async function rss(pid: number) {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
}

function print(results: Results) {
	const rows: [string, string][] = [
		['bot started as', results.command ?? '?'],
		['embedded PostgreSQL start', `${results.postgresStartMs} ms`]
	];
	const {
		fakeCeiling,
		startup,
		ping,
		votes,
		bigPoll,
		edits,
		floor,
		hotPolls: hot,
		editBudget: budget,
		chart,
		memory,
		servers,
		scheduler: ticks,
		statement
	} = results;
	if (fakeCeiling)
		rows.push([
			'fake Discord ceiling (minimal client, 50 in flight)',
			`${fakeCeiling.perSecond}/s  p50 ${fakeCeiling.p50Ms} ms  p99 ${fakeCeiling.p99Ms} ms`
		]);
	if (startup)
		rows.push(['start → commands registered (empty database)', `${startup.commandsRegisteredMs} ms (bot says ${startup.botReportedMs} ms)`]);
	if (ping && votes && bigPoll && edits) {
		const size = bigPoll.votes.toLocaleString('en-US');
		rows.push(
			['/ping, 1 in flight', line(ping.sequential)],
			['/ping, 50 in flight', line(ping.concurrent)],
			['votes, new poll, 1 in flight', line(votes.sequential)],
			['votes, new poll, 50 in flight', line(votes.concurrent)],
			['votes/s ÷ ping/s (50 in flight)', `${votes.ratioToPing}`],
			[`votes, ${size}-vote poll, 1 in flight`, line(bigPoll.sequential)],
			[`votes, ${size}-vote poll, 50 in flight`, line(bigPoll.concurrent)],
			['big ÷ new poll latency (50 in flight, alternating bursts)', `p50 ${bigPoll.p50Ratio}×  p99 ${bigPoll.p99Ratio}×`],
			['poll edits during the burst', `${edits.edits} edits for ${edits.votes} votes (${edits.editsPerSecond}/s)`],
			['  most edits in any 2 s / closest gap', `${edits.maxEditsIn2s} / ${edits.minGapMs} ms`],
			['  last edit shows the exact count', edits.finalExact ? 'yes' : 'NO']
		);
	}
	if (floor) rows.push(...floorRows(floor));
	if (hot) {
		rows.push(
			[`${hot.polls} polls at once (${hot.votersPerPoll} voters each) against one hot poll`, ''],
			...hot.one.flatMap((latency, index): [string, string][] => {
				const rounds: [string, string][] = [
					[`  round ${index + 1}, one poll`, line(latency)],
					[`  round ${index + 1}, ${hot.polls} polls`, line(hot.many[index]!)]
				];
				return hot.manyFirst[index] ? rounds.reverse() : rounds;
			}),
			['  median votes/s, many ÷ one (target ≥ 0.9)', `${hot.manyPerSecond}/s ÷ ${hot.onePerSecond}/s = ${hot.ratio}×`],
			['  polls whose message is exact after the last round', `${hot.exact} of ${hot.polls} (after ${hot.settledMs} ms, ${hot.edits} edits)`],
			[
				'  CPU and edits, one poll / many polls (all rounds)',
				`bot ${hot.cost.one.botCpuMs} / ${hot.cost.many.botCpuMs} ms, PostgreSQL ${hot.cost.one.postgresCpuMs} / ${hot.cost.many.postgresCpuMs} ms, edits ${hot.cost.one.edits} / ${hot.cost.many.edits}`
			],
			['  so one poll-message edit costs', `bot ${hot.cost.perEdit.botCpuMs} ms, PostgreSQL ${hot.cost.perEdit.postgresCpuMs} ms`]
		);
	}
	if (budget) {
		rows.push(
			[`${budget.polls} hot polls, ${budget.votesPerPoll} votes each, under a global limit of 50/s`, `edit budget ${budget.budgetPerSecond}/s`],
			['  votes while they were hot', line(budget.votes)],
			['  poll-message edits in the busiest second (target ≤ budget)', `${budget.mostEditsInOneSecond} (${budget.edits} edits in all)`],
			['  429s from the global limit (target 0)', String(budget.globalLimitHits)],
			['  polls whose message ended exact', `${budget.exact} of ${budget.polls}`],
			["  longest a poll's message lagged its last vote", `${budget.longestLagMs} ms`]
		);
	}
	if (chart) {
		rows.push([
			'result chart, 25 options (budget: median ≤ 50 ms)',
			`median ${chart.medianMs} ms, p90 ${chart.p90Ms} ms over ${chart.runs} (first ${chart.firstMs} ms, loading canvas and fonts)`
		]);
	}
	if (memory) {
		rows.push(
			[
				`RSS in ${memory.servers.toLocaleString('en-US')} servers, 3 s after ready (target ≤ 130 MB)`,
				`${memory.rssMb} MB (ready in ${memory.readyMs} ms), \`${memory.command}\``
			],
			[`  settled (${memory.settledAfterS} s after ready)`, `${memory.settledRssMb} MB`],
			[`  as \`${memory.other.command}\`, 3 s after ready`, `${memory.other.rssMb} MB`]
		);
	}
	if (servers) {
		for (const at of servers.at) {
			rows.push([
				`after a full GC in ${at.servers.toLocaleString('en-US')} servers`,
				`RSS ${at.rssMb} MB, heap ${at.heapUsedMb} MB (ready in ${at.readyMs} ms)`
			]);
		}
		rows.push(['  per extra server in between (target ≤ 3 KB)', `RSS ${servers.perServerRssKb} KB, heap ${servers.perServerHeapKb} KB`]);
	}
	if (ticks) {
		for (const tick of ticks) {
			rows.push([
				`scheduler tick, ${tick.due} due among ${tick.openPolls.toLocaleString('en-US')} open polls`,
				`p50 ${tick.claimMs.p50Ms} ms  p99 ${tick.claimMs.p99Ms} ms  (${tick.claimed} claimed)`
			]);
			rows.push(...tick.plan.map((planLine): [string, string] => ['', `  ${planLine}`]));
		}
	}
	if (statement) {
		rows.push([
			`vote statement alone, ${statement.connections} connections, medians of ${statement.rounds} × ${statement.calls} calls`,
			'per call'
		]);
		for (const entry of statement.variants) {
			rows.push([
				`  ${entry.name}`,
				`${String(entry.perSecond).padStart(5)}/s  PostgreSQL CPU ${entry.postgresCpuMs} ms  WAL ${entry.walBytes} B  (${describeVariant(entry.name)})`
			]);
		}
		rows.push(
			[
				'  ours ÷ floor',
				`PostgreSQL CPU ${statement.ratio.postgresCpuMs}×  WAL ${statement.ratio.walBytes}×  calls/s ${statement.ratio.perSecond}×`
			],
			["  a vote's body (poll_cast_vote_locked), its own time per call", `${statement.functionSelfMs} ms`],
			['  EXPLAIN (ANALYZE, BUFFERS, WAL) of one vote', ''],
			...statement.explain.map((planLine): [string, string] => ['', `  ${planLine}`])
		);
	}
	if (results.afterLoadRssMb !== undefined) rows.push(['RSS of the first bot after all the bursts (1 server)', `${results.afterLoadRssMb} MB`]);
	const width = Math.max(...rows.map(([name]) => name.length));
	console.log(`\nDiscordTestBot benchmark (${results.quick ? 'quick' : 'full'}, ${results.machine.cpus} cores, Node ${results.machine.node})\n`);
	for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
}

function floorRows(floor: FloorComparison): [string, string][] {
	const rounds = floor.rounds.map((entry, index): [string, string] => [
		`  round ${index + 1}, ${entry.side}`,
		`${line(entry.latency)}  CPU/vote bot ${entry.botCpuMs} ms, PostgreSQL ${entry.postgresCpuMs} ms, harness ${entry.harnessCpuMs} ms`
	]);
	const summary = (side: FloorSummary) =>
		`${side.perSecond}/s  p50 ${side.p50Ms} ms  p99 ${side.p99Ms} ms  CPU/vote bot ${side.botCpuMs} ms, PostgreSQL ${side.postgresCpuMs} ms, harness ${side.harnessCpuMs} ms`;
	return [
		[`ours and the floor, rounds of ${floor.roundVotes} votes, ${floor.inFlight} in flight`, ''],
		...rounds,
		['  median, ours', summary(floor.ours)],
		['  median, floor', summary(floor.floor)],
		[
			'  ours ÷ floor (targets: votes/s ≥ 0.9, p99 ≤ 1.5)',
			`votes/s ${floor.ratio.perSecond}×  p50 ${floor.ratio.p50Ms}×  p99 ${floor.ratio.p99Ms}×  CPU/vote bot ${floor.ratio.botCpuMs}×, PostgreSQL ${floor.ratio.postgresCpuMs}×, harness ${floor.ratio.harnessCpuMs}×`
		]
	];
}

function line(latency: Latency) {
	return `${String(latency.perSecond).padStart(5)}/s  p50 ${latency.p50Ms} ms  p99 ${latency.p99Ms} ms  (n=${latency.count})`;
}

function step(label: string) {
	console.log(`… ${label}`);
}

await main();
