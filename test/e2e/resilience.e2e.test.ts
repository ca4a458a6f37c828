import postgres from 'postgres';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { FakeDiscord } from '../fake-discord/index.js';
import { BotProcess, botEnvironment } from '../support/bot-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectCleanProtocol, useStack } from './harness.js';
import { isEphemeral } from '../support/polls.js';

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
		const { fake, database, owner } = stack();
		const guild = fake.createGuild({ name: 'Stuck' });
		const sql = postgres(database.url, { max: 1, onnotice: () => {} });
		try {
			await sql`update guilds set status = 'approved' where guild_id = ${guild.id}`;
			await new Promise((resolve) => setTimeout(resolve, 1_000));
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
		} finally {
			await sql.end();
		}
	});
});

describe('GIVEN a fault the bot did not expect', () => {
	const stack = useStack();

	test('WHEN a command fails on it THEN the member gets an ephemeral apology, and the error is logged with its ids', async () => {
		const { fake, database, owner } = stack();
		const guild = fake.createGuild({ name: 'Broken' });
		const sql = postgres(database.url, { max: 1, onnotice: () => {} });
		try {
			await sql`update guilds set status = 'approved' where guild_id = ${guild.id}`;
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
