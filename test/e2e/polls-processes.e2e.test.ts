import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeGuild, FakeMessage, FakeUser } from '../fake-discord/index.js';
import { expectCleanProtocol, useStack, type BotProcess } from './harness.js';
import {
	approve,
	clickButton,
	createPollByCommand,
	embedDescription,
	isEphemeral,
	openStackDatabase,
	shownCounts,
	waitForPollMessage
} from '../support/polls.js';

const world = {} as { guilds: FakeGuild[]; alice: FakeUser; bob: FakeUser };

/** Two shards, one per bot process: each guild's interactions reach one process, as in production. */
describe('GIVEN the bot on two shards and, later, two processes sharing one database', () => {
	const stack = useStack({
		fake: { shardCount: 2 },
		env: { SHARD_COUNT: '2', SHARD_IDS: '0', POLL_EDIT_HEAL_SECONDS: '2' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.bob = fake.createUser({ username: 'bob' });
			world.guilds = [];
			// Enough guilds that both shards own some.
			while (new Set(world.guilds.map((guild) => fake.shardForGuild(guild.id, 2))).size < 2 || world.guilds.length < 4) {
				const guild = fake.createGuild({ name: `Guild ${world.guilds.length}`, ownerId: world.alice.id });
				fake.addMember(guild.id, world.alice.id);
				fake.addMember(guild.id, world.bob.id);
				world.guilds.push(guild);
			}
		}
	});
	let sql: postgres.Sql;
	const onShard = (shard: number) => world.guilds.filter((guild) => stack().fake.shardForGuild(guild.id, 2) === shard);
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, ...world.guilds.map((guild) => guild.id));
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN the bot restarts mid-poll THEN the buttons of the old message still work and counts stay exact', async () => {
		const s = stack();
		const guild = onShard(0)[0]!;
		const poll = await createPollByCommand(s, world.alice, guild.id, { question: 'Survive a deploy?', options: 'Yes | No', duration: '1h' });
		await clickButton(s, world.alice, poll.message, `pv:${guild.id}:${poll.number}:0`);
		const exit = await s.bot.restart();
		expect(exit.code).toBe(0);
		const reply = await clickButton(s, world.bob, poll.message, `pv:${guild.id}:${poll.number}:0`);
		expect(reply.content).toBe(`Your vote in poll #${poll.number}: **Yes**.`);
		expect(isEphemeral(reply)).toBe(true);
		await waitForPollMessage(
			s,
			poll.message,
			(message) => shownCounts(message).join() === '2,0' && embedDescription(message).includes('Voters: 2 ')
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN creates were cut short before their message was recorded THEN a click finds the message, and a poll never posted goes once its 15 minutes are over', async () => {
		const s = stack();
		const guild = onShard(0)[0]!;
		const create = (question: string) => createPollByCommand(s, world.alice, guild.id, { question, options: 'Yes | No', duration: '1h' });
		// What a SIGKILL between Discord's answer and the message id's write leaves: a posted poll without its message id.
		const unrecorded = await create('Posted, not recorded?');
		const voted = await create('Voted, then lost its message?');
		// A vote this process never saw the click of (the bot would take the message from it): written as a fold leaves it.
		await sql`insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at, weight)
			values (${guild.id}, ${voted.number}, ${world.bob.id}, 1, now(), 1)`;
		await sql`update polls set voter_count = 1 where guild_id = ${guild.id} and poll_number = ${voted.number}`;
		const neverPosted = await create('Never posted?');
		const inFlight = await create('Still being created?');
		const numbers = `{${[unrecorded.number, voted.number, neverPosted.number, inFlight.number].join(',')}}`;
		// The bot records each message id just after Discord has the message: only then can the test take them away.
		const recorded = async () =>
			(
				await sql<{ count: number }[]>`
				select count(*)::int as count from polls where guild_id = ${guild.id} and poll_number = any(${numbers}::int[]) and message_id is not null`
			)[0]!.count;
		await expect.poll(recorded, { timeout: 5_000 }).toBe(4);
		await sql`update polls set message_id = null where guild_id = ${guild.id} and poll_number = any(${numbers}::int[])`;
		// Stored 16 minutes ago: the interaction that created them can no longer be answered.
		await sql`update polls set created_at = now() - interval '16 minutes'
			where guild_id = ${guild.id} and poll_number = any(${`{${[voted.number, neverPosted.number].join(',')}}`}::int[])`;

		await clickButton(s, world.alice, unrecorded.message, `pv:${guild.id}:${unrecorded.number}:0`);
		await waitForPollMessage(s, unrecorded.message, (message) => shownCounts(message).join() === '1,0');
		await s.bot.waitForOutput(`Poll #${unrecorded.number}'s message id was not recorded; took it from a click on the message.`);

		await s.bot.waitForOutput(`Poll #${neverPosted.number} was stored but never posted (its create was cut short); removed it.`, 15_000);
		const left = await sql<{ number: number; messageId: string | null }[]>`
			select poll_number as number, message_id::text as "messageId" from polls
			where guild_id = ${guild.id} and poll_number = any(${numbers}::int[])
			order by poll_number`;
		expect(left).toEqual([
			{ number: unrecorded.number, messageId: unrecorded.message.id },
			// Votes on it: somebody saw its message, so it stays, to be found by the next click.
			{ number: voted.number, messageId: null },
			{ number: inFlight.number, messageId: null }
		]);
		expect(s.output()).not.toMatch(/ ERROR /);
		expectCleanProtocol(s.fake);
	}, 40_000);

	test("WHEN the bot is killed while a vote's edit waits its turn THEN the restarted bot finds the edit lost and shows the vote", async () => {
		const s = stack();
		const guild = onShard(0)[0]!;
		const poll = await createPollByCommand(s, world.alice, guild.id, { question: 'Lost edit?', options: 'Yes | No', duration: '1h' });
		// The first vote's edit goes out at once; the second, a moment later, waits the 2 s between two edits of a poll.
		await clickButton(s, world.alice, poll.message, `pv:${guild.id}:${poll.number}:0`);
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '1,0');
		await clickButton(s, world.bob, poll.message, `pv:${guild.id}:${poll.number}:1`);
		await s.bot.stop('SIGKILL');
		expect(shownCounts(s.fake.message(poll.message.id)!).join()).toBe('1,0');
		await s.bot.start();
		// Healed once the vote has stayed unshown for POLL_EDIT_HEAL_SECONDS (2 s here), at the next 5 s look.
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '1,1', 20_000);
		expect(s.bot.output()).not.toMatch(/ ERROR /);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll came due while the bot was down THEN it is closed right after start, once', async () => {
		const s = stack();
		const guild = onShard(0)[0]!;
		const poll = await createPollByCommand(s, world.alice, guild.id, { question: 'Overdue?', options: 'a | b', duration: '1h' });
		await s.bot.stop('SIGTERM');
		await sql`update polls set closes_at = now() - interval '1 minute' where guild_id = ${guild.id} and poll_number = ${poll.number}`;
		await s.bot.start();
		const notice = await s.fake.waitForMessage(
			(message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`),
			10_000
		);
		expect(notice.channel_id).toBe(poll.message.channel_id);
		await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('No votes.'));
		const [row] = await sql<
			{ reason: string }[]
		>`select close_reason as reason from polls where guild_id = ${guild.id} and poll_number = ${poll.number}`;
		expect(row!.reason).toBe('deadline');
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll comes due in a server revoked meanwhile THEN it is closed without a word in that server', async () => {
		const s = stack();
		const guild = onShard(0)[0]!;
		const poll = await createPollByCommand(s, world.alice, guild.id, { question: 'Quietly?', options: 'a | b', duration: '1h' });
		const editsBefore = s.fake.message(poll.message.id)!.editCount;
		try {
			await sql`update guilds set status = 'pending' where guild_id = ${guild.id}`;
			await sql`select pg_notify('guild_status', ${guild.id})`;
			await sql`update polls set closes_at = now() - interval '1 second' where guild_id = ${guild.id} and poll_number = ${poll.number}`;
			let announced = false;
			for (let waited = 0; waited < 10_000 && !announced; waited += 100) {
				const [row] = await sql<{ announced: boolean }[]>`
					select closed_at is not null and announced_at is not null as announced from polls
					where guild_id = ${guild.id} and poll_number = ${poll.number}`;
				announced = row!.announced;
				if (!announced) await new Promise((resolve) => setTimeout(resolve, 100));
			}
			expect(announced).toBe(true);
			expect(s.fake.messages(poll.message.channel_id).some((message) => message.content.startsWith(`Poll #${poll.number} is closed.`))).toBe(
				false
			);
			expect(s.fake.message(poll.message.id)!.editCount).toBe(editsBefore);
			expectCleanProtocol(s.fake);
		} finally {
			await approve(sql, guild.id);
		}
	});

	test('WHEN deadlines pass with two bot processes running THEN every poll is closed exactly once', async () => {
		const s = stack();
		const second: BotProcess = await s.startSecondBot({ SHARD_IDS: '1' });
		expect(s.fake.connectedShards()).toEqual([0, 1]);
		const polls = [];
		for (const guild of world.guilds) {
			for (let index = 0; index < 3; index++) {
				const poll = await createPollByCommand(s, world.alice, guild.id, { question: `Due ${index}?`, options: 'a | b', duration: '1h' });
				await clickButton(s, world.bob, poll.message, `pv:${guild.id}:${poll.number}:1`);
				polls.push({ guild, ...poll });
			}
		}
		const since = Date.now();
		await sql`update polls set closes_at = now() where closed_at is null`;
		for (const poll of polls) {
			await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('Winner: b'), 10_000);
		}
		const noticesOf = (poll: { number: number; message: FakeMessage }) =>
			s.fake
				.messages(poll.message.channel_id)
				.filter(
					(message) =>
						Date.parse(message.timestamp) >= since - 1_000 &&
						message.content.startsWith(`Poll #${poll.number} is closed.`) &&
						message.content.includes(poll.message.id)
				);
		// Each notice follows its poll's closing edit (and a chart); on a busy machine the last can take a while.
		for (const poll of polls) await expect.poll(() => noticesOf(poll).length, { timeout: 10_000 }).toBeGreaterThan(0);
		// Then a second one would have had time to come.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		for (const poll of polls) expect(noticesOf(poll), `poll #${poll.number} of ${poll.guild.name}`).toHaveLength(1);
		const closings = (s.output().match(/reached its deadline and is closed/g) ?? []).length;
		const [closed] = await sql<{ count: number }[]>`select count(*)::int as count from polls where close_reason = 'deadline'`;
		expect(closed!.count).toBeGreaterThanOrEqual(polls.length);
		expect(closings, 'one closing per poll, across both processes').toBe(closed!.count);
		expect(await sql`select 1 from polls where closed_at is null`).toHaveLength(0);
		expect(second.output()).toContain('Commands registered');
		expectCleanProtocol(s.fake);
	}, 60_000);
});
