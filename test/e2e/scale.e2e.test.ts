/**
 * Scale-out, end to end: two bot processes (shards 0-1 and 2-3 of a 4-shard fake Discord) on one PostgreSQL, both
 * talking to the fake through one `@discordjs/proxy`; and the cluster entry point (`node dist/cluster.js`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { FakeDiscord, Route, shardForGuild, type FakeGuild, type FakeMessage, type FakeUser } from '../fake-discord/index.js';
import { createProxyRest, proxyDiscordRequests } from '../../src/lib/rest-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { expectCleanProtocol, startStack, type BotProcess, type Stack } from './harness.js';
import { isEphemeral } from '../support/polls.js';

const SHARDS = 4;
const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Guild ids whose shard (`(id >> 22) % 4`) is chosen, so that every shard has its servers. */
function guildIdOnShard(shard: number, serial: number): string {
	const discordEpoch = 1_420_070_400_000n;
	let ms = BigInt(Date.now() - 3_600_000) - discordEpoch;
	ms -= ms % BigInt(SHARDS);
	return (((ms + BigInt(shard) + BigInt(SHARDS * serial)) << 22n) | 1n).toString();
}

async function freePort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as AddressInfo;
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

async function scrape(port: number) {
	return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** The value of one sample in a Prometheus exposition, 0 when absent. */
function sampleValue(text: string, sample: string): number {
	const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
	return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

function componentIds(message: FakeMessage): string[] {
	return (message.components as { components: { custom_id?: string }[] }[]).flatMap((row) =>
		row.components.flatMap((component) => component.custom_id ?? [])
	);
}

interface World {
	/** One approved server per shard, index = shard. */
	served: FakeGuild[];
	/** A server waiting for approval, on shard 2 (the second process). */
	pending: FakeGuild;
	alice: FakeUser;
	voters: FakeUser[];
}

describe('GIVEN two bot processes on shards 0-1 and 2-3 of four, behind one @discordjs/proxy, sharing one PostgreSQL', () => {
	const world = {} as World;
	let proxied: RequestListener | null = null;
	let proxy: Server;
	let proxyRequestsSeen = 0;
	let stack: Stack;
	let first: BotProcess;
	let second: BotProcess;
	let sql: postgres.Sql;
	const metricsPorts: number[] = [];

	beforeAll(async () => {
		// The proxy is listening before the bots are configured with its address; its upstream is set once the fake runs.
		proxy = createServer((request, response) => {
			proxyRequestsSeen++;
			if (proxied) void proxied(request, response);
			else response.writeHead(503).end();
		});
		await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
		const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`;
		metricsPorts.push(await freePort(), await freePort());

		stack = await startStack({
			fake: { shardCount: SHARDS, interactionResponseTimeoutMs: 3_500 },
			env: {
				SHARD_COUNT: String(SHARDS),
				SHARD_IDS: '0-1',
				DISCORD_API_URL: proxyUrl,
				DATABASE_POOL_SIZE: '5',
				METRICS_PORT: String(metricsPorts[0])
			},
			setup: (fake) => {
				proxied = proxyDiscordRequests(createProxyRest(fake.restBase));
				world.alice = fake.createUser({ username: 'alice' });
				world.voters = Array.from({ length: 40 }, (_, index) => fake.createUser({ username: `voter${index}` }));
				world.served = Array.from({ length: SHARDS }, (_, shard) =>
					fake.createGuild({ id: guildIdOnShard(shard, 0), name: `Shard ${shard}` })
				);
				world.pending = fake.createGuild({ id: guildIdOnShard(2, 1), name: 'Waiting' });
				for (const guild of [...world.served, world.pending]) fake.addMember(guild.id, world.alice.id);
				for (const voter of world.voters) fake.addMember(world.served[2]!.id, voter.id);
			}
		});
		first = stack.bot;
		second = await stack.startSecondBot({ SHARD_IDS: '2-3', METRICS_PORT: String(metricsPorts[1]) });
		sql = postgres(stack.database.url, { max: 2, onnotice: () => {} });
		// Approved as an operator would; the NOTIFY tells both processes' caches.
		for (const guild of world.served) {
			await sql`insert into guilds (guild_id, name, status) values (${guild.id}, ${guild.name}, 'approved') on conflict (guild_id) do update set status = 'approved'`;
			await sql`select pg_notify('guild_status', ${guild.id})`;
		}
	}, 90_000);

	afterEach((context: TestContext) => {
		if (context.task.result?.state === 'fail')
			console.error(`\n===== bot output for "${context.task.name}" =====\n${stack.output()}\n${stack.fake.protocolProblems().join('\n')}`);
	});

	afterAll(async () => {
		await sql?.end({ timeout: 1 });
		await stack?.stop();
		await new Promise((resolve) => proxy?.close(resolve));
	});

	test('WHEN both have started THEN each identified its own two shards and every server was recorded once', async () => {
		const identified = stack.fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY').map((entry) => entry.shardId);
		expect([...identified].sort()).toEqual([0, 1, 2, 3]);
		expect(stack.fake.connectedShards().sort()).toEqual([0, 1, 2, 3]);
		expect(world.served.map((guild) => shardForGuild(guild.id, SHARDS))).toEqual([0, 1, 2, 3]);
		expect(first.output()).toContain('Connecting to Discord on shards 0-1 of 4.');
		expect(second.output()).toContain('Connecting to Discord on shards 2-3 of 4.');
		const [row] = await sql<{ count: number }[]>`select count(*)::int as count from guilds`;
		expect(row!.count).toBe(SHARDS + 1);
		// The pending server was announced to the owner once, by the process serving it.
		await stack.fake.waitForMessage((message) => JSON.stringify(message.embeds).includes(world.pending.id), 5_000);
		expect(stack.fake.dms(stack.owner.id).filter((message) => JSON.stringify(message.embeds).includes(world.pending.id))).toHaveLength(1);
	});

	test('WHEN a member uses /poll create in a server on each shard THEN every one is answered, through the proxy', async () => {
		const before = proxyRequestsSeen;
		for (const guild of world.served) {
			const poll = stack.fake.slash({
				user: world.alice,
				guildId: guild.id,
				command: 'poll create',
				options: { question: `Shard ${guild.name}?`, options: 'Yes | No' }
			});
			const message = await poll.waitForOriginal();
			expect(isEphemeral(message)).toBe(false);
			expect(poll.callbackMs).toBeLessThan(3_000);
		}
		expect(proxyRequestsSeen - before).toBeGreaterThanOrEqual(SHARDS);
		expectCleanProtocol(stack.fake);
	});

	test('WHEN the owner approves, in a DM served by the first process, a server of the second THEN it works there within 1 s', async () => {
		const { fake, owner } = stack;
		const tryPollList = async () =>
			(await fake.slash({ user: world.alice, guildId: world.pending.id, command: 'poll list' }).waitForOriginal()).content;
		expect(await tryPollList()).toMatch(/waiting for approval/);

		const request = fake.dms(owner.id).find((message) => JSON.stringify(message.embeds).includes(world.pending.id))!;
		const approveId = componentIds(request).find((id) => id === `apv:${world.pending.id}:a`)!;
		const click = fake.click({ user: owner, message: request, customId: approveId });
		await click.response;
		const approvedAt = performance.now();
		// DMs reach shard 0: the decision was made by the first process.
		expect(shardForGuild(world.pending.id, SHARDS)).toBe(2);

		let content = await tryPollList();
		while (/waiting for approval/.test(content) && performance.now() - approvedAt < 2_000) content = await tryPollList();
		expect(content).toMatch(/no polls in this server/);
		expect(performance.now() - approvedAt).toBeLessThan(1_000);
		expectCleanProtocol(fake);
	});

	test('WHEN polls on both processes reach their deadline THEN each closes exactly once, on time', async () => {
		const { fake } = stack;
		const guilds = [world.served[0]!, world.served[3]!];
		const polls: { guild: FakeGuild; number: number; message: FakeMessage }[] = [];
		for (const guild of guilds) {
			const message = await fake
				.slash({
					user: world.alice,
					guildId: guild.id,
					command: 'poll create',
					options: { question: 'Deadline?', options: 'A | B', duration: '1m' }
				})
				.waitForOriginal();
			const number = Number(/Poll #(\d+)/.exec(JSON.stringify(message.embeds))?.[1]);
			polls.push({ guild, number, message });
		}
		// A minute is long for a test: bring both deadlines to 1.5 s from now, as if the minute had nearly passed.
		const [due] = await sql<{ at: Date }[]>`
			update polls set closes_at = now() + interval '1.5 seconds'
			where (guild_id, poll_number) in (values (${polls[0]!.guild.id}::bigint, ${polls[0]!.number}::int), (${polls[1]!.guild.id}::bigint, ${polls[1]!.number}::int))
			returning closes_at as at
		`;
		const closedCount = async () =>
			(
				await sql<{ count: number }[]>`
				select count(*)::int as count from polls
				where closed_at is not null and (guild_id, poll_number) in (values (${polls[0]!.guild.id}::bigint, ${polls[0]!.number}::int), (${polls[1]!.guild.id}::bigint, ${polls[1]!.number}::int))
			`
			)[0]!.count;
		const started = performance.now();
		while ((await closedCount()) < polls.length && performance.now() - started < 8_000) await sleep(100);
		// Both schedulers keep ticking (every second): give a second close the chance to happen, and it must not.
		await sleep(1_500);

		for (const poll of polls) {
			const [row] = await sql<{ closedAt: Date | null; reason: string | null }[]>`
				select closed_at as "closedAt", close_reason as reason from polls where guild_id = ${poll.guild.id} and poll_number = ${poll.number}
			`;
			expect(row!.reason).toBe('deadline');
			expect(row!.closedAt!.getTime()).toBeGreaterThanOrEqual(due!.at.getTime());
			expect(row!.closedAt!.getTime() - due!.at.getTime()).toBeLessThan(2_000);
			const notices = fake
				.messages(poll.guild.defaultChannelId)
				.filter((message) => message.content.startsWith(`Poll #${poll.number} is closed.`));
			expect(notices, `closing notices of poll #${poll.number} in ${poll.guild.name}`).toHaveLength(1);
		}
		// Each poll is closed by the process of its server's shard (0 → first, 3 → second), never by the other.
		const closings = (bot: BotProcess, guild: FakeGuild) =>
			bot
				.output()
				.split('\n')
				.filter((line) => line.includes('reached its deadline and is closed') && line.includes(guild.id)).length;
		expect([closings(first, guilds[0]!), closings(second, guilds[0]!)]).toEqual([1, 0]);
		expect([closings(first, guilds[1]!), closings(second, guilds[1]!)]).toEqual([0, 1]);
		expectCleanProtocol(fake);
	});

	test('WHEN the second process is SIGKILLed mid-burst of votes and started again THEN every acknowledged vote is stored and the buttons work', async () => {
		const { fake } = stack;
		const guild = world.served[2]!;
		const created = await fake
			.slash({ user: world.alice, guildId: guild.id, command: 'poll create', options: { question: 'Burst?', options: 'Red | Blue' } })
			.waitForOriginal();
		const number = Number(/Poll #(\d+)/.exec(JSON.stringify(created.embeds))?.[1]);
		const [red] = componentIds(created);

		const acknowledged: string[] = [];
		let killed = false;
		let next = 0;
		const voteOnce = async (voter: FakeUser) => {
			try {
				const handle = fake.click({ user: voter, message: fake.message(created.id) ?? created, customId: red! });
				await handle.response;
				acknowledged.push(voter.id);
			} catch {
				// Sent while the process died, or after: never acknowledged, so Discord would show "interaction failed".
			}
		};
		const burst = Promise.all(
			Array.from({ length: 6 }, async () => {
				while (!killed && next < world.voters.length) await voteOnce(world.voters[next++]!);
			})
		);
		const burstStarted = performance.now();
		while (acknowledged.length < 12 && performance.now() - burstStarted < 10_000) await sleep(5);
		await second.stop('SIGKILL');
		killed = true;
		await burst;
		expect(acknowledged.length).toBeGreaterThanOrEqual(12);
		expect(acknowledged.length).toBeLessThan(world.voters.length);

		await second.start();
		const stored = await sql<{ voter: string }[]>`select voter from poll_votes where guild_id = ${guild.id} and poll_number = ${number}`;
		const storedVoters = new Set(stored.map((row) => row.voter));
		expect(acknowledged.filter((voter) => !storedVoters.has(voter))).toEqual([]);

		// The buttons still work after the restart, and the message catches up with the stored count.
		const late = world.voters.at(-1)!;
		const reply = await fake.click({ user: late, message: fake.message(created.id) ?? created, customId: red! }).waitForOriginal();
		expect(isEphemeral(reply)).toBe(true);
		const [count] = await sql<
			{ votes: number }[]
		>`select count(*)::int as votes from poll_votes where guild_id = ${guild.id} and poll_number = ${number}`;
		await fake.waitForMessage((message) => message.id === created.id && JSON.stringify(message.embeds).includes(`${count!.votes} vote`), 6_000);
	});

	test('WHEN Discord answers 429 THEN the proxy waits it out for the bots, which never see it; and /metrics and /healthz tell the story', async () => {
		const { fake } = stack;
		fake.rateLimitNext(Route.interactionCallback, 1, 1);
		const ping = fake.slash({ user: world.alice, guildId: world.served[1]!.id, command: 'ping' });
		expect((await ping.waitForOriginal()).content).toMatch(/^Pong!/);
		const attempts = fake.requestLog.filter(
			(entry) => entry.route === '/interactions/:interactionId/:token/callback' && entry.path.includes(ping.id)
		);
		expect(attempts.map((entry) => entry.status)).toEqual([429, 204]);

		const [firstMetrics, secondMetrics] = await Promise.all(metricsPorts.map(scrape));
		expect(sampleValue(firstMetrics!, 'discord_bot_rest_429_total{route="/interactions/:id/:token/callback",scope="user"}')).toBe(0);
		expect(sampleValue(firstMetrics!, 'discord_bot_interactions_total{kind="chat_input",outcome="success"}')).toBeGreaterThanOrEqual(1);
		expect(sampleValue(firstMetrics!, 'discord_bot_interaction_ack_seconds_count{kind="chat_input"}')).toBeGreaterThanOrEqual(1);
		expect(sampleValue(firstMetrics!, 'discord_bot_gateway_shard_up{shard="0"}')).toBe(1);
		expect(sampleValue(secondMetrics!, 'discord_bot_gateway_shard_up{shard="3"}')).toBe(1);
		expect(sampleValue(secondMetrics!, 'discord_bot_guilds{status="approved"}')).toBe(SHARDS + 1);

		for (const port of metricsPorts) {
			const health = await fetch(`http://127.0.0.1:${port}/healthz`);
			expect(await health.json()).toEqual({ ok: true, reasons: [] });
		}
		expectCleanProtocol(fake);
	});
});

describe('GIVEN the cluster entry point against a 4-shard fake Discord', () => {
	let fake: FakeDiscord;
	let database: TestDatabase;
	let cluster: ChildProcess;
	let output = '';
	let metricsPort: number;
	const guilds: FakeGuild[] = [];
	let alice: FakeUser;

	beforeAll(async () => {
		database = await createTestDatabase();
		fake = await FakeDiscord.start({ shardCount: SHARDS });
		const owner = fake.createUser({ username: 'operator' });
		alice = fake.createUser({ username: 'alice' });
		for (let shard = 0; shard < SHARDS; shard++) guilds.push(fake.createGuild({ id: guildIdOnShard(shard, 0), name: `Shard ${shard}` }));
		for (const guild of guilds) fake.addMember(guild.id, alice.id);
		metricsPort = await freePort();
		cluster = spawn(process.execPath, ['dist/cluster.js'], {
			cwd: root,
			env: {
				PATH: process.env.PATH ?? '',
				ENV_FILE: '',
				TOKEN: 'e2e.fake-token.not-a-real-discord-token',
				OWNER_ID: owner.id,
				DATABASE_URL: database.url,
				DISCORD_API_URL: fake.restBase,
				DATABASE_POOL_SIZE: '3',
				METRICS_PORT: String(metricsPort),
				// Inherited by the shards, which must ignore it and take their one shard from the manager.
				SHARD_IDS: '0-3',
				SHARD_COUNT: String(SHARDS)
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		cluster.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		cluster.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		await waitFor(async () => (await health()).ok, 30_000, 'every shard healthy');
	}, 60_000);

	afterEach((context: TestContext) => {
		if (context.task.result?.state === 'fail') console.error(`\n===== cluster output for "${context.task.name}" =====\n${output}`);
	});

	afterAll(async () => {
		if (cluster && cluster.exitCode === null) {
			const exited = new Promise((resolve) => cluster.once('exit', resolve));
			cluster.kill('SIGTERM');
			await Promise.race([exited, sleep(5_000)]);
			cluster.kill('SIGKILL');
		}
		await fake?.close();
		await database?.drop();
	});

	async function health(): Promise<{ ok: boolean; reasons: string[] }> {
		try {
			return (await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()) as { ok: boolean; reasons: string[] };
		} catch {
			return { ok: false, reasons: ['no answer'] };
		}
	}

	async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
		const started = performance.now();
		while (!(await check())) {
			if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${output}`);
			await sleep(100);
		}
	}

	const shardPids = () => new Map([...output.matchAll(/Shard (\d+) started \(pid (\d+)\)/g)].map((match) => [Number(match[1]), Number(match[2])]));

	test('WHEN started THEN it runs every shard in a process of its own and serves their health and metrics', async () => {
		const sql = postgres(database.url, { max: 1, onnotice: () => {} });
		try {
			await waitFor(
				async () => (await sql<{ count: number }[]>`select count(*)::int as count from guilds`)[0]!.count === SHARDS,
				10_000,
				'every server recorded'
			);
		} finally {
			await sql.end({ timeout: 1 });
		}
		expect(fake.connectedShards().sort()).toEqual([0, 1, 2, 3]);
		const pids = shardPids();
		expect(new Set(pids.values()).size).toBe(SHARDS);
		const identified = fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY').map((entry) => entry.shardId);
		expect([...identified].sort()).toEqual([0, 1, 2, 3]);
		const metrics = await scrape(metricsPort);
		for (let shard = 0; shard < SHARDS; shard++) expect(sampleValue(metrics, `discord_bot_gateway_shard_up{shard="${shard}"}`)).toBe(1);
		expect(sampleValue(metrics, 'discord_bot_guilds{status="pending"}')).toBe(SHARDS);
	});

	test('WHEN one shard process is SIGKILLed THEN /healthz says so, and the cluster replaces it and its servers work again', async () => {
		const victim = 2;
		const pid = shardPids().get(victim)!;
		const identifiesBefore = fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY' && entry.shardId === victim).length;
		process.kill(pid, 'SIGKILL');
		await waitFor(() => output.includes(`Shard ${victim} was killed by SIGKILL`), 5_000, 'the death to be noticed');
		const sick = await health();
		expect(sick.ok).toBe(false);
		expect(sick.reasons.some((reason) => reason.startsWith(`shard ${victim}:`))).toBe(true);

		await waitFor(
			() => fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY' && entry.shardId === victim).length > identifiesBefore,
			20_000,
			'a new IDENTIFY'
		);
		await waitFor(async () => (await health()).ok, 20_000, 'the cluster healthy again');
		expect(shardPids().get(victim)).not.toBe(pid);
		const ping = fake.slash({ user: alice, guildId: guilds[victim]!.id, command: 'ping' });
		expect((await ping.waitForOriginal()).content).toMatch(/^Pong!/);
		expect(sampleValue(await scrape(metricsPort), `discord_bot_cluster_shard_restarts_total{shard="${victim}"}`)).toBe(1);
	});

	test('WHEN it gets SIGTERM THEN every shard shuts down and the cluster exits 0 within 3 s', async () => {
		const pids = [...shardPids().values()];
		const started = performance.now();
		const exited = new Promise<number | null>((resolve) => cluster.once('exit', (code) => resolve(code)));
		cluster.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(performance.now() - started).toBeLessThan(3_000);
		const alive = pids.filter((pid) => {
			try {
				process.kill(pid, 0);
				return true;
			} catch {
				return false;
			}
		});
		expect(alive).toEqual([]);
	});
});
