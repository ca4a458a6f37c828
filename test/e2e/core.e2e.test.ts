import postgres from 'postgres';
import { describe, expect, test } from 'vitest';
import { Route, type FakeGuild, type FakeUser } from '../fake-discord/index.js';
import { expectCleanProtocol, useStack, type Stack } from './harness.js';
import { isEphemeral } from '../support/polls.js';
import { procfileWorkerFlags } from '../support/start-command.js';

/** The world every core scenario starts from: one guild with one member, alice. */
function coreWorld() {
	const world: { guild?: FakeGuild; alice?: FakeUser } = {};
	return {
		world: world as { guild: FakeGuild; alice: FakeUser },
		setup: (fake: Stack['fake']) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.guild = fake.createGuild({ name: 'E2E Guild' });
			fake.addMember(world.guild.id, world.alice.id);
		}
	};
}

async function until(condition: () => Promise<boolean>, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

const commandWrites = (stack: Stack, since: number) =>
	stack.fake.requestLog.filter((entry) => entry.at >= since && entry.route?.includes('/commands') && entry.method !== 'GET');

describe('GIVEN the bot running against the fake Discord, started as the Procfile starts it', () => {
	const { world, setup } = coreWorld();
	// The deployed command, flags and all: what the SIGTERM test below proves is what Railway runs.
	const stack = useStack({ setup, nodeFlags: procfileWorkerFlags() });

	test('WHEN it starts THEN it identifies once and registers /ping and /help as Discord expects', () => {
		const { fake } = stack();
		const names = fake.commands.map((command) => command.name);
		expect(names).toEqual(expect.arrayContaining(['ping', 'help']));
		expect(fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY')).toHaveLength(1);
		expect(fake.connectedShards()).toEqual([0]);
		expect(stack().bot.output()).toContain('Commands registered');
		expectCleanProtocol(fake);
	});

	test("WHEN its start-up is over THEN the start-up's garbage is collected, in two or three passes, and the heap is smaller after", () => {
		const collected = /Start-up garbage collected in \d+ ms, ([1-3]) pass(?:es)? \(heap ([\d.]+) → ([\d.]+) MB\)/.exec(stack().bot.output());
		expect(collected, 'the Procfile worker runs with --expose-gc, so the bot collects when ready').not.toBeNull();
		expect(Number(collected![3])).toBeLessThan(Number(collected![2]));
		// The first pass frees megabytes, so a second one follows (it frees what the first only made unreachable).
		expect(Number(collected![1])).toBeGreaterThanOrEqual(2);
		expect(stack().bot.output().indexOf('Start-up garbage collected')).toBeGreaterThan(stack().bot.output().indexOf('Commands registered'));
	});

	test('WHEN a member runs /ping THEN the bot answers ephemerally with Pong within the deadline', async () => {
		const { fake } = stack();
		const ping = fake.slash({ user: world.alice, guildId: world.guild.id, command: 'ping' });
		const reply = await ping.waitForOriginal();
		expect(reply.content).toMatch(/^Pong!/);
		expect(isEphemeral(reply)).toBe(true);
		expect(ping.callbackMs).toBeLessThan(3_000);
		expectCleanProtocol(fake);
	});

	test('WHEN a user runs /ping in a DM THEN the bot answers there too', async () => {
		const { fake } = stack();
		const ping = fake.slash({ user: world.alice, command: 'ping' });
		expect((await ping.waitForOriginal()).content).toMatch(/^Pong!/);
		expectCleanProtocol(fake);
	});

	test('WHEN a member runs /help THEN the reply lists /ping and /help', async () => {
		const { fake } = stack();
		const help = fake.slash({ user: world.alice, guildId: world.guild.id, command: 'help' });
		const reply = await help.waitForOriginal();
		const text = JSON.stringify(reply.embeds) + reply.content;
		expect(text).toContain('/ping');
		expect(text).toContain('/help');
		expect(isEphemeral(reply)).toBe(true);
		expectCleanProtocol(fake);
	});

	test('WHEN its gateway connection drops THEN it RESUMEs (no new IDENTIFY) and still answers', async () => {
		const { fake } = stack();
		const identifiesBefore = fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY').length;
		const resumed = fake.waitForGatewayEvent('RESUMED', { shardId: 0, timeoutMs: 15_000 });
		fake.dropShard(0, { resumable: true });
		await resumed;
		expect(fake.gatewayLog.filter((entry) => entry.kind === 'IDENTIFY')).toHaveLength(identifiesBefore);
		const ping = fake.slash({ user: world.alice, guildId: world.guild.id, command: 'ping' });
		expect((await ping.waitForOriginal()).content).toMatch(/^Pong!/);
		expectCleanProtocol(fake);
	});

	test('WHEN Discord answers the callback with 429 THEN the bot waits Retry-After and the answer still arrives', async () => {
		const { fake } = stack();
		fake.rateLimitNext(Route.interactionCallback, 1, 1);
		const ping = fake.slash({ user: world.alice, guildId: world.guild.id, command: 'ping' });
		const reply = await ping.waitForOriginal();
		expect(reply.content).toMatch(/^Pong!/);
		expect(fake.pendingFaults()).toBe(0);
		const attempts = fake.requestLog.filter(
			(entry) => entry.route === '/interactions/:interactionId/:token/callback' && entry.path.includes(ping.id)
		);
		expect(attempts.map((entry) => entry.status)).toEqual([429, 204]);
		expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
		expectCleanProtocol(fake);
	});

	test('WHEN it restarts against the same database THEN it answers again and its commands keep their ids', async () => {
		const { fake, bot } = stack();
		const before = fake.clock.now();
		const commandIds = fake.commands.map((command) => command.id).sort();
		await bot.restart();
		// The bot registers with BulkOverwrite (one PUT per start); anything else would mean it saw a difference.
		expect(commandWrites(stack(), before).map((entry) => entry.method)).toEqual(['PUT']);
		expect(fake.commands.map((command) => command.id).sort()).toEqual(commandIds);
		const ping = fake.slash({ user: world.alice, guildId: world.guild.id, command: 'ping' });
		expect((await ping.waitForOriginal()).content).toMatch(/^Pong!/);
		expectCleanProtocol(fake);
	});

	test('WHEN the command registration answers 429 THEN the bot waits Retry-After and still registers', async () => {
		const { fake, bot } = stack();
		const before = fake.clock.now();
		fake.rateLimitNext('PUT /applications/:applicationId/commands', 1, 1);
		await bot.restart();
		expect(fake.pendingFaults()).toBe(0);
		const listCalls = fake.requestLog.filter(
			(entry) => entry.at >= before && entry.method === 'PUT' && entry.route === '/applications/:applicationId/commands'
		);
		expect(listCalls.map((entry) => entry.status).slice(0, 2)).toEqual([429, 200]);
		expect(listCalls[1]!.at - listCalls[0]!.at).toBeGreaterThanOrEqual(950);
		expectCleanProtocol(fake);
	});

	test('WHEN it gets SIGTERM while answering THEN the answer still arrives and it exits cleanly with code 0 within 3 s', async () => {
		const { fake, bot, database, owner } = stack();
		const sql = postgres(database.url, { max: 2, onnotice: () => {} });
		try {
			// The answer is held back by a lock on a table /admin stats reads, so it is in flight when the signal lands.
			let release!: () => void;
			const released = new Promise<void>((resolve) => (release = resolve));
			const locking = sql.begin(async (tx) => {
				await tx`lock table polls in access exclusive mode`;
				await released;
			});
			const stats = fake.slash({ user: owner, command: 'admin stats' });
			await until(async () => {
				const [waiting] = await sql<{ count: number }[]>`
					select count(*)::int as count from pg_stat_activity where wait_event_type = 'Lock' and query like '%polls%'`;
				return waiting!.count > 0;
			}, 5_000);
			const stopping = bot.stop('SIGTERM');
			await new Promise((resolve) => setTimeout(resolve, 300));
			release();
			await locking;
			const exit = await stopping;
			expect((await stats.waitForOriginal()).embeds).toHaveLength(1);
			expect(exit).toMatchObject({ code: 0, signal: null });
			expect(exit.ms).toBeLessThan(3_000);
			expect(bot.output()).toContain('Shut down cleanly.');
			expect(bot.output()).not.toContain('Shutdown took too long');
			expectCleanProtocol(fake);
		} finally {
			await sql.end();
		}
	});
});
