/**
 * What the benchmark (bench/main.ts) and the profiler (bench/profile.ts) share: a fresh database, the fake Discord and
 * the built bot started together, polls, distinct voters, and a load generator that keeps N interactions in flight.
 */
import { readdir, readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { migrate } from '../src/lib/database/migrate.js';
import { FakeDiscord, type FakeMessage, type FakeUser, type InteractionHandle } from '../test/fake-discord/index.js';
import { BotProcess, botEnvironment } from '../test/support/bot-process.js';
import { createDatabaseIn } from '../test/support/database.js';
import { procfileWorkerFlags } from '../test/support/start-command.js';

export interface Latency {
	count: number;
	perSecond: number;
	p50Ms: number;
	p99Ms: number;
}

export type Cleanups = (() => Promise<unknown>)[];

/**
 * Node's flags for every bot the benchmark starts: the Procfile worker's (read from it, so what is measured is what
 * is deployed) unless a run asks for others (`--plain-node` in bench/main.ts, `--node-flags` in bench/profile.ts).
 */
export const botCommand: { flags: readonly string[] } = { flags: procfileWorkerFlags() };

export const owner = '300000000000000001';

export interface StartBotOptions {
	/** Runs before the bot starts: create guilds, seed the database. */
	setup?: (fake: FakeDiscord, sql: postgres.Sql, databaseUrl: string) => Promise<void>;
	/** More environment for the bot process (e.g. `NODE_OPTIONS` to profile it). */
	env?: Record<string, string>;
	/** Node's flags before `dist/index.js`, instead of {@link botCommand}'s. */
	nodeFlags?: readonly string[];
}

/** A fake Discord, a fresh database and the built bot; the start-up time is measured on the way. */
export async function startBot(adminUrl: string, cleanups: Cleanups, options: StartBotOptions = {}) {
	const database = await createDatabaseIn(adminUrl);
	cleanups.push(() => database.drop());
	const fake = await FakeDiscord.start();
	cleanups.push(() => fake.close());
	const sql = postgres(database.url, { max: 4, onnotice: () => {} });
	cleanups.push(() => sql.end({ timeout: 1 }));
	const creator = fake.createUser({ username: 'creator', id: owner });
	await options.setup?.(fake, sql, database.url);
	const bot = new BotProcess(
		'bench bot',
		botEnvironment({ OWNER_ID: owner, DATABASE_URL: database.url, DISCORD_API_URL: fake.restBase, ...options.env }),
		fake,
		120_000,
		{ args: [...(options.nodeFlags ?? botCommand.flags), 'dist/index.js'] }
	);
	cleanups.push(() => (bot.running ? bot.stop('SIGKILL') : Promise.resolve()));
	const started = performance.now();
	await bot.start();
	const commandsRegisteredMs = Math.round(performance.now() - started);
	const reported = /Commands registered in \d+ ms \((\d+) ms after process start\)/.exec(bot.output());

	const burstMarks: number[] = [];
	return {
		fake,
		bot,
		sql,
		creator,
		startup: { commandsRegisteredMs, botReportedMs: reported ? Number(reported[1]) : Number.NaN },
		/** Notes a moment on the fake's clock (the request log's), so the edits of one burst can be told apart. */
		markBurst: () => burstMarks.push(fake.clock.now()),
		burstMarks
	};
}

export type Bench = Awaited<ReturnType<typeof startBot>>;

/**
 * The reference floor (bench/floor/main.ts) with a fake Discord and a database of its own on the same PostgreSQL
 * server: both bots stay connected and idle while the other is measured, and neither sees the other's interactions.
 */
export async function startFloor(adminUrl: string, cleanups: Cleanups) {
	const database = await createDatabaseIn(adminUrl);
	cleanups.push(() => database.drop());
	const fake = await FakeDiscord.start();
	cleanups.push(() => fake.close());
	const sql = postgres(database.url, { max: 2, onnotice: () => {} });
	cleanups.push(() => sql.end({ timeout: 1 }));
	const creator = fake.createUser({ username: 'creator', id: owner });
	const bot = new BotProcess('floor bot', botEnvironment({ DATABASE_URL: database.url, DISCORD_API_URL: fake.restBase }), fake, 60_000, {
		args: ['--import', 'tsx', 'bench/floor/main.ts']
	});
	cleanups.push(() => (bot.running ? bot.stop('SIGKILL') : Promise.resolve()));
	await bot.start();
	const guild = fake.createGuild({ name: 'Floor', memberCount: 100_000 });
	const message = await fake.slash({ user: creator, guildId: guild.id, command: 'buttons' }).waitForOriginal();
	return { fake, bot, sql, creator, guild, message };
}

export type Floor = Awaited<ReturnType<typeof startFloor>>;

/**
 * CPU milliseconds used so far by the process `botPid`, by the PostgreSQL server whose data lives under `directory`
 * (the postmaster and all its children) and by this process (the fake Discord and the load generator).
 */
export async function cpuSplit(botPid: number, directory: string) {
	const ticks = 100;
	const stats = new Map<number, { ppid: number; ms: number; systemMs: number }>();
	for (const entry of await readdir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
		if (stat === null) continue;
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		stats.set(Number(entry), {
			ppid: Number(fields[1]),
			ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks,
			systemMs: (Number(fields[12]) * 1000) / ticks
		});
	}
	let postmaster = 0;
	for (const pid of stats.keys()) {
		const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
		if (cmdline.includes('postgres') && cmdline.includes(directory)) postmaster = pid;
	}
	let postgresMs = 0;
	for (const [pid, stat] of stats) if (pid === postmaster || stat.ppid === postmaster) postgresMs += stat.ms;
	const own = process.cpuUsage();
	return {
		bot: stats.get(botPid)?.ms ?? 0,
		/** The part of `bot` spent in the kernel (socket writes on loopback carry the receiving side's TCP work too). */
		botSystem: stats.get(botPid)?.systemMs ?? 0,
		postgres: postgresMs,
		harness: (own.user + own.system) / 1000
	};
}

/** An approved server with many members, ready for polls. */
export async function approvedGuild(bench: Bench) {
	const { fake, sql } = bench;
	const guild = fake.createGuild({ name: 'Bench', memberCount: 100_000 });
	await sql`insert into guilds (guild_id, name, status) values (${guild.id}, 'Bench', 'approved') on conflict (guild_id) do update set status = 'approved'`;
	await sql`select pg_notify('guild_status', ${guild.id})`;
	await waitFor(
		async () =>
			(await fake.slash({ user: bench.creator, guildId: guild.id, command: 'poll list' }).waitForOriginal()).content.includes(
				'waiting for approval'
			) === false,
		10_000
	);
	return guild;
}

/** `count` approved servers (no approval DMs), each with the fake's default channels and three extra roles. */
export async function joinServers(fake: FakeDiscord, sql: postgres.Sql, databaseUrl: string, count: number) {
	await migrate(databaseUrl);
	const guilds = Array.from({ length: count }, (_, index) =>
		fake.createGuild({
			name: `Server ${index}`,
			memberCount: 50 + (index % 500),
			roles: [{ name: 'Members' }, { name: 'Mods' }, { name: 'Voters' }]
		})
	);
	if (guilds.length === 0) return;
	await sql`
		insert into guilds (guild_id, name, status)
		select id::bigint, 'seeded', 'approved' from jsonb_array_elements_text(${sql.json(guilds.map((guild) => guild.id))}) as id
	`;
}

export interface BenchPoll {
	number: number;
	message: FakeMessage;
	optionId(index: number): string;
}

export async function createPoll(fake: FakeDiscord, user: FakeUser, guildId: string, question: string): Promise<BenchPoll> {
	const message = await fake.slash({ user, guildId, command: 'poll create', options: { question, options: 'Yes | No | Maybe' } }).waitForOriginal();
	const number = Number(/Poll #(\d+)/.exec(JSON.stringify(message.embeds))?.[1]);
	const buttons = (message.components as { components: { custom_id?: string }[] }[]).flatMap((row) => row.components);
	return {
		number,
		message,
		optionId: (index) => {
			const id = buttons.find((button) => button.custom_id?.endsWith(`:${index}`) && button.custom_id.startsWith('pv:'))?.custom_id;
			if (!id) throw new Error(`no vote button for option ${index}`);
			return id;
		}
	};
}

/**
 * Distinct voters for one poll at a time, made (with their membership of `guildId`) before anything is timed, as
 * /ping's one user is: creating users is the fake's work, not the bot's. `forPoll()` starts over for the next poll
 * (a member votes once per poll); past the pool, voters are made on demand.
 */
export function voterPool(fake: FakeDiscord, guildId: string, size: number) {
	const made: FakeUser[] = [];
	const make = () => {
		const user = fake.createUser({ username: `voter${made.length}` });
		fake.addMember(guildId, user.id);
		made.push(user);
		return user;
	};
	for (let index = 0; index < size; index++) make();
	let used = 0;
	return {
		next: () => made[used++] ?? make(),
		forPoll: () => {
			used = 0;
		}
	};
}

/** Keeps `inFlight` interactions outstanding until `count` were answered or `durationMs` passed. */
export async function run(inFlight: number, limit: { count?: number; durationMs?: number }, send: () => InteractionHandle): Promise<Latency> {
	const latencies: number[] = [];
	const started = performance.now();
	const deadline = limit.durationMs === undefined ? Number.POSITIVE_INFINITY : started + limit.durationMs;
	let remaining = limit.count ?? Number.POSITIVE_INFINITY;
	const worker = async () => {
		while (remaining-- > 0 && performance.now() < deadline) {
			const handle = send();
			const response = (await handle.response) as { type?: number };
			if (response.type === undefined) throw new Error('an interaction got no callback');
			latencies.push(handle.callbackMs!);
		}
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
	const elapsed = performance.now() - started;
	return { count: latencies.length, perSecond: Math.round((latencies.length / elapsed) * 1000), ...percentiles(latencies) };
}

export function percentiles(values: number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
	return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number) {
	const deadline = performance.now() + timeoutMs;
	while (!(await probe())) {
		if (performance.now() > deadline) throw new Error('timed out');
		await sleep(100);
	}
}

export function round(value: number) {
	return Math.round(value * 100) / 100;
}

export function sleep(ms: number) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
