/**
 * The figures of issue 16 that are about scale rather than one vote: many polls hot at once, memory per extra
 * server, and the deadline scheduler with many open polls. Run by bench/main.ts.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate } from '../src/lib/database/migrate.js';
import { claimDuePolls } from '../src/lib/polls/repository.js';
import type { FakeDiscord } from '../test/fake-discord/index.js';
import { createDatabaseIn } from '../test/support/database.js';
import {
	cpuSplit,
	createPoll,
	joinServers,
	percentiles,
	round,
	run,
	sleep,
	startBot,
	voterPool,
	type Bench,
	type BenchPoll,
	type Cleanups,
	type Latency
} from './harness.js';

export function median(values: readonly number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	if (sorted.length === 0) return Number.NaN;
	return sorted.length % 2 === 1 ? sorted[middle]! : round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** The voter count a poll message shows, from its embed. */
export function shownVoters(fake: FakeDiscord, messageId: string) {
	return Number(/Voters: ([\d,]+)/.exec(JSON.stringify(fake.message(messageId)?.embeds))?.[1]?.replaceAll(',', ''));
}

export interface HotPolls {
	polls: number;
	votersPerPoll: number;
	inFlight: number;
	/** Pairs of rounds: all clicks on one poll, and the same number spread over `polls` polls at once. */
	one: Latency[];
	many: Latency[];
	/** Per pair, whether the round over many polls went first. */
	manyFirst: boolean[];
	/** Medians, and many ÷ one. */
	onePerSecond: number;
	manyPerSecond: number;
	ratio: number;
	/** After the last round of many: polls whose message shows exactly `votersPerPoll` voters, as the database holds. */
	exact: number;
	/** Poll-message edits the bot sent for the last round of many, and how long until the last poll was exact. */
	edits: number;
	settledMs: number;
	/**
	 * CPU milliseconds (bot, PostgreSQL) and poll-message edits of each round and the 2.5 s after it, summed over the
	 * rounds: the same votes on one poll or on many differ mainly by the edits, so their difference over the extra
	 * edits is the cost of one edit (read, render, PATCH, fold).
	 */
	cost: { one: RoundCost; many: RoundCost; perEdit: { botCpuMs: number; postgresCpuMs: number } };
}

export interface RoundCost {
	botCpuMs: number;
	postgresCpuMs: number;
	edits: number;
}

/**
 * `polls` polls voted on at once, `votersPerPoll` new members each, clicks dealt round-robin so that every poll is
 * hot for the whole round, against the same number of clicks on one poll, in alternating rounds. Then every poll's
 * message must end up exact (the coalesced edits have to reach all of them, within Discord's rate limits).
 */
export async function hotPolls(
	bench: Bench,
	guildId: string,
	postgresDirectory: string,
	options: { polls: number; votersPerPoll: number; rounds: number; inFlight: number }
) {
	const { fake } = bench;
	const cost = { one: { botCpuMs: 0, postgresCpuMs: 0, edits: 0 }, many: { botCpuMs: 0, postgresCpuMs: 0, edits: 0 } };
	const patches = (from: number) =>
		fake.requestLog.filter((entry) => entry.method === 'PATCH' && entry.at >= from && entry.path.includes('/messages/')).length;
	/** Runs one round, then waits for its trailing edits, adding its CPU and edits to `into`. */
	const unused = (): RoundCost => ({ botCpuMs: 0, postgresCpuMs: 0, edits: 0 });
	const costed = async (into: RoundCost, round: () => Promise<Latency>) => {
		const from = fake.clock.now();
		const before = await cpuSplit(bench.bot.pid!, postgresDirectory);
		const latency = await round();
		// Its edits are its own: the next round starts once none has gone out for 2.5 s, longer than a poll's 2 s
		// between edits (15 s at most). A fixed 2.5 s let the last edits of 100 polls run into the next round.
		const ended = performance.now();
		let seen = patches(from);
		let quietSince = ended;
		while (performance.now() - ended < 15_000) {
			await sleep(250);
			const now = patches(from);
			if (now !== seen) [seen, quietSince] = [now, performance.now()];
			if (performance.now() - quietSince >= 2_500) break;
		}
		const after = await cpuSplit(bench.bot.pid!, postgresDirectory);
		into.botCpuMs += after.bot - before.bot;
		into.postgresCpuMs += after.postgres - before.postgres;
		into.edits += patches(from);
		return latency;
	};
	const total = options.polls * options.votersPerPoll;
	const one: Latency[] = [];
	const many: Latency[] = [];
	let last: BenchPoll[] = [];
	let lastStart = 0;
	/** Per pair, whether the many polls went first. */
	const manyFirst: boolean[] = [];
	// Pair -1 warms the bot up (its first 100 polls and first burst over them ran at half speed) and is not counted.
	for (let round = -1; round < options.rounds; round++) {
		// Every poll of the pair is made before either round, and the two rounds take turns going first: making 100
		// polls right before the many-polls round (their commands, messages and garbage) charged it alone, and
		// whichever round goes second meets the machine the first left. The last pair ends with the many polls, whose
		// messages are then checked.
		const measured = round >= 0;
		const single = await createPoll(fake, bench.creator, guildId, `One hot poll ${round}`);
		const singleVoters = voterPool(fake, guildId, total);
		const polls: BenchPoll[] = [];
		for (let index = 0; index < options.polls; index++) polls.push(await createPoll(fake, bench.creator, guildId, `Hot poll ${round}.${index}`));
		const voters = voterPool(fake, guildId, total);
		await sleep(1_000);
		const onePoll = async () => {
			const latency = await costed(measured ? cost.one : unused(), () =>
				run(options.inFlight, { count: total }, () =>
					fake.click({ user: singleVoters.next(), message: single.message, customId: single.optionId(0) })
				)
			);
			if (measured) one.push(latency);
		};
		const manyPolls = async () => {
			let next = 0;
			lastStart = fake.clock.now();
			const latency = await costed(measured ? cost.many : unused(), () =>
				run(options.inFlight, { count: total }, () => {
					const poll = polls[next++ % polls.length]!;
					return fake.click({ user: voters.next(), message: poll.message, customId: poll.optionId(next % 3) });
				})
			);
			if (measured) many.push(latency);
			last = polls;
		};
		const first = (options.rounds - 1 - round) % 2 !== 0;
		if (measured) manyFirst.push(first);
		for (const part of first ? [manyPolls, onePoll] : [onePoll, manyPolls]) await part();
	}
	const ended = performance.now();
	const exactNow = async () => {
		const counts = await bench.sql<{ number: number; voters: number }[]>`
			select poll_number as number, voter_count + coalesce((select sum(voters)::int from poll_count_deltas d
				where d.guild_id = p.guild_id and d.poll_number = p.poll_number), 0) as voters
			from polls p where guild_id = ${guildId} and poll_number = any(${`{${last.map((poll) => poll.number).join(',')}}`}::int[])
		`;
		const stored = new Map(counts.map((row) => [row.number, row.voters]));
		return last.filter(
			(poll) => stored.get(poll.number) === options.votersPerPoll && shownVoters(fake, poll.message.id) === options.votersPerPoll
		).length;
	};
	let exact = await exactNow();
	while (exact < last.length && performance.now() - ended < 20_000) {
		await sleep(250);
		exact = await exactNow();
	}
	const ids = new Set(last.map((poll) => poll.message.id));
	const edits = fake.requestLog.filter(
		(entry) => entry.method === 'PATCH' && entry.at >= lastStart && [...ids].some((id) => entry.path.includes(id))
	).length;
	const onePerSecond = median(one.map((latency) => latency.perSecond));
	const manyPerSecond = median(many.map((latency) => latency.perSecond));
	return {
		polls: options.polls,
		votersPerPoll: options.votersPerPoll,
		inFlight: options.inFlight,
		one,
		many,
		manyFirst,
		onePerSecond,
		manyPerSecond,
		ratio: round(manyPerSecond / onePerSecond),
		exact,
		edits,
		settledMs: Math.round(performance.now() - ended),
		cost: {
			one: roundCost(cost.one),
			many: roundCost(cost.many),
			perEdit: {
				botCpuMs: round((cost.many.botCpuMs - cost.one.botCpuMs) / Math.max(1, cost.many.edits - cost.one.edits)),
				postgresCpuMs: round((cost.many.postgresCpuMs - cost.one.postgresCpuMs) / Math.max(1, cost.many.edits - cost.one.edits))
			}
		}
	} satisfies HotPolls;
}

function roundCost(cost: RoundCost): RoundCost {
	return { botCpuMs: Math.round(cost.botCpuMs), postgresCpuMs: Math.round(cost.postgresCpuMs), edits: cost.edits };
}

export interface ServerMemory {
	servers: number;
	readyMs: number;
	/** After a full GC, 3 s after ready: resident memory and the V8 heap in use. */
	rssMb: number;
	heapUsedMb: number;
}

const probe = fileURLToPath(new URL('memory-probe.mjs', import.meta.url));

/**
 * The bot in `servers` servers, 3 s after ready, after a full garbage collection (the memory probe, as
 * bench/profile.ts loads it): two of these give the cost of one more server, without the young generation's
 * start-up swell that the 3-s RSS figure includes.
 */
export async function memoryIn(adminUrl: string, cleanups: Cleanups, servers: number): Promise<ServerMemory> {
	const started = performance.now();
	const bench = await startBot(adminUrl, cleanups, {
		env: { NODE_OPTIONS: `--import=${probe} --expose-gc` },
		setup: (fake, sql, databaseUrl) => joinServers(fake, sql, databaseUrl, servers)
	});
	const readyMs = Math.round(performance.now() - started);
	await sleep(3_000);
	const lines = () =>
		bench.bot
			.output()
			.split('\n')
			.filter((line) => line.startsWith('MEMORY-PROBE '));
	const seen = lines().length;
	process.kill(bench.bot.pid!, 'SIGWINCH');
	const deadline = performance.now() + 10_000;
	while (lines().length === seen && performance.now() < deadline) await sleep(100);
	const probed = JSON.parse(lines().at(-1)!.slice('MEMORY-PROBE '.length)) as { rss: number; heapUsed: number };
	const status = await readFile(`/proc/${bench.bot.pid}/status`, 'utf8');
	const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
	await bench.bot.stop('SIGTERM');
	await bench.fake.close();
	return { servers, readyMs, rssMb: round(rssKb / 1024), heapUsedMb: round(probed.heapUsed / 1024 / 1024) };
}

export interface SchedulerFigures {
	openPolls: number;
	due: number;
	/** claimDuePolls (the scheduler's statement), timed over several ticks, each with `due` polls past their deadline. */
	claimMs: { p50Ms: number; p99Ms: number };
	claimed: number;
	/** EXPLAIN (ANALYZE, BUFFERS) of the claim's selection, as PostgreSQL prints it. */
	plan: string[];
}

/**
 * `openPolls` open polls with deadlines (in 1,000 servers, a day away), of which `due` at a time are made due, then
 * claimed by claimDuePolls as one scheduler tick would (one process on every shard). Its cost should follow `due`,
 * not `openPolls`: the deadline index (migrations/002_polls.js) holds only open polls, in deadline order.
 */
export async function scheduler(adminUrl: string, cleanups: Cleanups, openPolls: number, due = 20, ticks = 15): Promise<SchedulerFigures> {
	const database = await createDatabaseIn(adminUrl);
	cleanups.push(() => database.drop());
	await migrate(database.url);
	const sql = postgres(database.url, { max: 1, onnotice: () => {} });
	cleanups.push(() => sql.end({ timeout: 1 }));
	// Snowflake-like server ids, so `(guild_id >> 22) % count` spreads them over shards as real ones would.
	await sql`
		insert into polls (guild_id, poll_number, channel_id, creator_id, question, option_count, max_choices, anonymous, hide_results, closes_at)
		select 210000000000000000 + (g % 1000)::bigint * 4194304 * 7919, g, 1, 1, 'Scheduled', 2, 1, false, false,
			now() + interval '1 day' + (g % 3600) * interval '1 second'
		from generate_series(1, ${openPolls}) as g
	`;
	await sql`vacuum analyze polls`;
	const shards = { count: 1, ids: [0] };
	const timings: number[] = [];
	let claimed = 0;
	for (let tick = 0; tick < ticks + 1; tick++) {
		await sql`
			update polls set closes_at = now() - interval '1 second'
			where (guild_id, poll_number) in (select guild_id, poll_number from polls where closed_at is null order by random() limit ${due})
		`;
		const started = performance.now();
		const closed = await claimDuePolls(sql, shards, due);
		// The first tick plans the statement: leave it out, as a running scheduler has long planned it.
		if (tick > 0) {
			timings.push(performance.now() - started);
			claimed += closed.length;
		}
	}
	await sql`
		update polls set closes_at = now() - interval '1 second'
		where (guild_id, poll_number) in (select guild_id, poll_number from polls where closed_at is null order by random() limit ${due})
	`;
	// The ticks above ran back to back, leaving the index entries of the polls they closed for autovacuum; the plan
	// is shown as a scheduler meets it between two of its passes.
	await sql`vacuum polls`;
	// The selection claimDuePolls locks (src/lib/polls/repository.ts), with one process on every shard.
	const plan = await sql<{ 'QUERY PLAN': string }[]>`
		explain (analyze, buffers, costs off, timing off)
		select guild_id, poll_number from polls
		where closed_at is null and closes_at <= now() and ((polls.guild_id >> 22) % 1) = any('{0}'::int[])
		order by closes_at, guild_id, poll_number
		limit ${due}
		for update
	`;
	await sql.end({ timeout: 1 });
	return { openPolls, due, claimMs: percentiles(timings), claimed, plan: plan.map((row) => row['QUERY PLAN']) };
}

export interface EditBudgetFigures {
	polls: number;
	votesPerPoll: number;
	budgetPerSecond: number;
	/** Poll-message edits in the busiest second, and all edits from the first vote to the last poll exact. */
	mostEditsInOneSecond: number;
	edits: number;
	/** 429s the fake's global limit (50/s, as Discord) gave the bot. */
	globalLimitHits: number;
	/** Polls whose message showed their final count within the wait, and the longest time a poll's message lagged its last vote. */
	exact: number;
	longestLagMs: number;
	/** Vote acknowledgements during the burst: the budget must not slow them. */
	votes: Latency;
}

/**
 * `polls` polls hot at once, far past what one edit per poll every 2 s could send under Discord's global limit of
 * about 50 requests per second (enforced by the fake here): the bot's edit budget (POLL_EDIT_RATE, 40/s) must keep
 * the edits under it, reach every poll, and end with every message exact.
 */
export async function editBudget(
	bench: Bench,
	guildId: string,
	options: { polls: number; votesPerPoll: number; inFlight: number; budgetPerSecond: number }
): Promise<EditBudgetFigures> {
	const { fake } = bench;
	fake.setGlobalRateLimit(50);
	const hitsBefore = fake.globalLimitHits;
	const polls: BenchPoll[] = [];
	for (let index = 0; index < options.polls; index++) polls.push(await createPoll(fake, bench.creator, guildId, `Budget poll ${index}`));
	const voters = voterPool(fake, guildId, options.polls * options.votesPerPoll);
	const lastVoteAt = new Map<number, number>();
	const started = fake.clock.now();
	let next = 0;
	const votes = await run(options.inFlight, { count: options.polls * options.votesPerPoll }, () => {
		const poll = polls[next++ % polls.length]!;
		const handle = fake.click({ user: voters.next(), message: poll.message, customId: poll.optionId(next % 3) });
		void handle.response.then(() => lastVoteAt.set(poll.number, fake.clock.now()));
		return handle;
	});
	const exactAt = new Map<number, number>();
	const waitUntil = performance.now() + 120_000;
	while (exactAt.size < polls.length && performance.now() < waitUntil) {
		for (const poll of polls) {
			if (!exactAt.has(poll.number) && shownVoters(fake, poll.message.id) === options.votesPerPoll) exactAt.set(poll.number, fake.clock.now());
		}
		await sleep(100);
	}
	const ids = new Set(polls.map((poll) => poll.message.id));
	const edits = fake.requestLog
		.filter((entry) => entry.method === 'PATCH' && entry.at >= started && entry.status < 300 && ids.has(entry.path.split('/').at(-1)!))
		.map((entry) => entry.at);
	let most = 0;
	for (let start = 0, end = 0; end < edits.length; end++) {
		while (edits[end]! - edits[start]! >= 1_000) start++;
		most = Math.max(most, end - start + 1);
	}
	const lags = polls.flatMap((poll) => {
		const exact = exactAt.get(poll.number);
		const voted = lastVoteAt.get(poll.number);
		return exact === undefined || voted === undefined ? [] : [Math.max(0, exact - voted)];
	});
	fake.setGlobalRateLimit(null);
	return {
		polls: options.polls,
		votesPerPoll: options.votesPerPoll,
		budgetPerSecond: options.budgetPerSecond,
		mostEditsInOneSecond: most,
		edits: edits.length,
		globalLimitHits: fake.globalLimitHits - hitsBefore,
		exact: exactAt.size,
		longestLagMs: Math.round(Math.max(0, ...lags)),
		votes
	};
}
