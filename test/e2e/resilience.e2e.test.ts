import postgres from 'postgres';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { FakeDiscord, Route, type FakeGuild } from '../fake-discord/index.js';
import { BotProcess, botEnvironment } from '../support/bot-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectCleanProtocol, useStack } from './harness.js';
import { approve, holdLock, isEphemeral } from '../support/polls.js';

/** A new server, approved (and seen so by the bot), and a connection of the test's own to its database. */
async function inApprovedGuild(
	{ fake, database }: { fake: FakeDiscord; database: TestDatabase },
	name: string,
	body: (guild: FakeGuild, sql: postgres.Sql) => Promise<void>
) {
	const guild = fake.createGuild({ name });
	const sql = postgres(database.url, { max: 1, onnotice: () => {} });
	try {
		// An upsert, and the bot told: an update could run before the bot has stored the server it just joined.
		await approve(sql, guild.id);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		await body(guild, sql);
	} finally {
		await sql.end();
	}
}

describe('GIVEN a bot started while its database is unreachable', () => {
	const cleanups: (() => Promise<unknown>)[] = [];
	afterAll(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	});

	test('WHEN the database comes back THEN the bot, which said so and kept retrying, starts and answers', async () => {
		const adminUrl = new URL(inject('postgresAdminUrl'));
		const database: TestDatabase = await createTestDatabase();
		cleanups.push(() => database.drop());
		const proxy = await TcpProxy.start({ host: adminUrl.hostname, port: Number(adminUrl.port) });
		cleanups.push(() => proxy.close());
		const fake = await FakeDiscord.start();
		cleanups.push(() => fake.close());
		const owner = fake.createUser({ username: 'operator' });
		const url = proxy.rewrite(database.url);
		await proxy.cut();

		const bot = new BotProcess('bot', botEnvironment({ OWNER_ID: owner.id, DATABASE_URL: url, DISCORD_API_URL: fake.restBase }), fake, 30_000);
		cleanups.push(() => (bot.running ? bot.stop('SIGKILL') : Promise.resolve()));
		const starting = bot.start();
		await bot.waitForOutput('The database is unreachable', 10_000);
		await bot.waitForOutput(/retrying in 1 s/, 10_000);
		expect(bot.running).toBe(true);
		expect(bot.output()).not.toContain(new URL(database.url).password);

		await proxy.restore();
		await starting;
		const ping = await fake.slash({ user: owner, command: 'ping' }).waitForOriginal();
		expect(ping.content).toMatch(/Database: \d+ ms/);
		expectCleanProtocol(fake);
		expect((await bot.stop('SIGTERM')).code).toBe(0);
	});
});

describe('GIVEN a database that hangs instead of failing', () => {
	const stack = useStack();

	test('WHEN a member runs a command while a lock blocks it THEN "temporarily unavailable" arrives within 3 s, and all works after', async () => {
		const { fake, owner } = stack();
		await inApprovedGuild(stack(), 'Stuck', async (guild, sql) => {
			let release!: () => void;
			const released = new Promise<void>((resolve) => (release = resolve));
			let locked!: () => void;
			const isLocked = new Promise<void>((resolve) => (locked = resolve));
			const holding = sql.begin(async (tx) => {
				await tx`lock table guilds in access exclusive mode`;
				locked();
				await released;
			});
			await isLocked;
			const stuck = fake.slash({ user: owner, guildId: guild.id, command: 'poll list' });
			const answer = await stuck.waitForOriginal();
			release();
			await holding;
			expect(answer.content).toMatch(/temporarily unavailable/);
			expect(isEphemeral(answer)).toBe(true);
			expect(stuck.callbackMs).toBeLessThan(3_000);
			const after = await fake.slash({ user: owner, guildId: guild.id, command: 'poll list' }).waitForOriginal();
			expect(after.content).not.toMatch(/temporarily unavailable|waiting for approval/);
			expectCleanProtocol(fake);
		});
	});
});

describe("GIVEN a database slow enough to pass Discord's 3 s", () => {
	const stack = useStack();

	test('WHEN /poll create waits on the database past 2 s THEN it is deferred in public in time, and the poll arrives in that reply and takes votes', async () => {
		const { fake, owner } = stack();
		const voter = fake.createUser({ username: 'voter' });
		await inApprovedGuild(stack(), 'Slow lane', async (guild, sql) => {
			fake.addMember(guild.id, voter.id);
			// Numbering the poll waits on the lock, released as soon as the bot has deferred: the create then succeeds.
			const lock = await holdLock(sql, 'poll_counters');
			const create = fake.slash({
				user: owner,
				guildId: guild.id,
				command: 'poll create',
				options: { question: 'Slow?', options: 'Yes | No' }
			});
			const callback = await create.response.finally(() => lock.release());
			expect(callback.type).toBe(5);
			expect(((callback.data?.flags as number | undefined) ?? 0) & 64).toBe(0);
			expect(create.callbackMs).toBeLessThan(3_000);
			const poll = await create.waitForOriginal();
			expect(isEphemeral(poll)).toBe(false);
			expect((poll.embeds[0] as { title?: string }).title).toBe('Poll #1');
			const vote = await fake.click({ user: voter, message: poll, customId: `pv:${guild.id}:1:0` }).waitForOriginal();
			expect(vote.content).toMatch(/Your vote in poll #1: \*\*Yes\*\*/);
			expectCleanProtocol(fake);
		});
	});

	test('WHEN a vote waits on the database and its deferral meets a 429 THEN the retry, a second later, still lands within the 3 s', async () => {
		const { fake, owner } = stack();
		await inApprovedGuild(stack(), 'Rate limited', async (guild, sql) => {
			const poll = await fake
				.slash({ user: owner, guildId: guild.id, command: 'poll create', options: { question: 'Wait?', options: 'Yes | No' } })
				.waitForOriginal();
			// The vote's claim waits on the lock, so the vote is deferred; Discord's Retry-After is whole seconds.
			const lock = await holdLock(sql, 'interaction_claims');
			fake.rateLimitNext(Route.interactionCallback, 1, 0.3);
			const vote = fake.click({ user: owner, message: poll, customId: `pv:${guild.id}:1:0` });
			// Once deferred, the lock goes: the bot asks the claims what was stored, and needs the table for that.
			await vote.response.finally(() => lock.release());
			const answer = await vote.waitForOriginal(10_000);
			expect(vote.record.callback?.type).toBe(5);
			expect(vote.callbackMs).toBeLessThan(3_000);
			expect(vote.callbackMs).toBeGreaterThan(2_000);
			expect(answer.content).toMatch(/temporarily unavailable|Your vote in poll #1/);
			expectCleanProtocol(fake);
		});
	});

	test("WHEN a poll's Close button waits on the database past 2 s THEN it is deferred ephemerally in time and the member is told the truth", async () => {
		const { fake, owner } = stack();
		await inApprovedGuild(stack(), 'Slow close', async (guild, sql) => {
			const poll = await fake
				.slash({ user: owner, guildId: guild.id, command: 'poll create', options: { question: 'Close me?', options: 'Yes | No' } })
				.waitForOriginal();
			const lock = await holdLock(sql, 'polls');
			const close = fake.click({ user: owner, message: poll, customId: `pc:${guild.id}:1` });
			const answer = await close.waitForOriginal(8_000).finally(() => lock.release());
			expect(close.record.callback?.type).toBe(5);
			expect(close.callbackMs).toBeLessThan(3_000);
			expect(answer.content).toMatch(/temporarily unavailable/);
			expect(isEphemeral(answer)).toBe(true);
			expectCleanProtocol(fake);
		});
	});

	test('WHEN /poll create, deferred in public, then fails on the database THEN the public reply goes, the member alone reads why, and no poll is left', async () => {
		const { fake, owner } = stack();
		await inApprovedGuild(stack(), 'Dead end', async (guild, sql) => {
			const lock = await holdLock(sql, 'poll_counters');
			const create = fake.slash({
				user: owner,
				guildId: guild.id,
				command: 'poll create',
				options: { question: 'Stuck?', options: 'Yes | No' }
			});
			const answer = await create.waitForFollowUp(0, 8_000).finally(() => lock.release());
			expect(create.record.callback?.type).toBe(5);
			expect(create.callbackMs).toBeLessThan(3_000);
			expect(answer.content).toMatch(/temporarily unavailable/);
			expect(isEphemeral(answer)).toBe(true);
			expect(create.original?.deleted).toBe(true);
			const [left] = await sql<{ polls: number }[]>`select count(*)::int as polls from polls where guild_id = ${guild.id}`;
			expect(left!.polls).toBe(0);
			expectCleanProtocol(fake);
		});
	});
});

describe('GIVEN a fault the bot did not expect', () => {
	const stack = useStack();

	test('WHEN a command fails on it THEN the member gets an ephemeral apology, and the error is logged with its ids', async () => {
		const { fake, database, owner } = stack();
		const guild = fake.createGuild({ name: 'Broken' });
		const sql = postgres(database.url, { max: 1, onnotice: () => {} });
		try {
			await approve(sql, guild.id);
			// Not an outage (that has its own answer): a query that fails because the schema is not what the bot expects.
			await sql`alter table poll_counters rename to poll_counters_gone`;
		} finally {
			await sql.end();
		}
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		const handle = fake.slash({ user: owner, guildId: guild.id, command: 'poll create', options: { question: 'Tea?', options: 'Yes | No' } });
		const answer = await handle.waitForOriginal();
		expect(answer.content).toBe('Something went wrong on our side. It has been logged; please try again.');
		expect(isEphemeral(answer)).toBe(true);
		const output = await stack().bot.waitForOutput(`interactionId=${handle.id}`, 5_000);
		expect(output).toMatch(/ERROR Unexpected error while handling an interaction: .*poll_counters/);
		expectCleanProtocol(fake);
	});
});
