import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeGuild, FakeMessage, FakeRole, FakeUser } from '../fake-discord/index.js';
import { expectCleanProtocol, useStack, type Stack } from './harness.js';
import {
	approve,
	clickButton,
	createPollByCommand,
	currentMessage,
	embedDescription,
	inBatches,
	isEphemeral,
	openStackDatabase,
	runCommand,
	shownCounts,
	waitForPollMessage
} from '../support/polls.js';

const world = {} as {
	guilds: FakeGuild[];
	unapproved: FakeGuild;
	loud: FakeRole;
	quiet: FakeRole;
	alice: FakeUser;
	bob: FakeUser;
	carol: FakeUser;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The messages of the channel that are poll #number's message (its **My vote** button names it). */
function pollMessagesOf(s: Stack, guild: FakeGuild, number: number): FakeMessage[] {
	const mine = `pm:${guild.id}:${number}`;
	return s.fake
		.messages(guild.defaultChannelId)
		.filter((message) => JSON.stringify(message.components).includes(`"${mine}"`) && !isEphemeral(message));
}

/** Replies of the bot to the poll message whose text starts with `prefix`. */
function repliesTo(s: Stack, message: FakeMessage, prefix: string): FakeMessage[] {
	return s.fake
		.messages(message.channel_id)
		.filter((reply) => reply.message_reference?.message_id === message.id && reply.content.includes(prefix) && !isEphemeral(reply));
}

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
	for (let waited = 0; waited < timeoutMs; waited += 100) {
		const found = probe();
		if (found) return found;
		await sleep(100);
	}
	throw new Error(`timed out waiting for ${what}`);
}

async function schedule(s: Stack, guild: FakeGuild, options: Record<string, string>) {
	const reply = await runCommand(s, world.alice, guild.id, 'poll create', { question: 'Later?', options: 'a | b', starts_in: '1h', ...options });
	expect(isEphemeral(reply)).toBe(true);
	const number = Number(/Poll #(\d+) is scheduled/.exec(reply.content)?.[1]);
	expect(number, reply.content).toBeGreaterThan(0);
	return { number, reply };
}

/** Two shards: most tests use shard 0's first server with one process; the last adds a second process for shard 1. */
describe('GIVEN approved servers on two shards and the bot running', () => {
	const stack = useStack({
		fake: { shardCount: 2 },
		env: { SHARD_COUNT: '2', SHARD_IDS: '0' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.bob = fake.createUser({ username: 'bob' });
			world.carol = fake.createUser({ username: 'carol' });
			world.guilds = [];
			while (new Set(world.guilds.map((guild) => fake.shardForGuild(guild.id, 2))).size < 2 || world.guilds.length < 4) {
				const guild = fake.createGuild({ name: `Guild ${world.guilds.length}`, ownerId: world.alice.id });
				for (const user of [world.alice, world.bob, world.carol]) fake.addMember(guild.id, user.id);
				world.guilds.push(guild);
			}
			world.guilds.sort((a, b) => fake.shardForGuild(a.id, 2) - fake.shardForGuild(b.id, 2));
			world.loud = fake.createRole(world.guilds[0]!.id, { name: 'Loud', mentionable: true });
			world.quiet = fake.createRole(world.guilds[0]!.id, { name: 'Quiet' });
			// On shard 0, which the first process (the only one until the last test) serves.
			do world.unapproved = fake.createGuild({ name: 'Waiting', ownerId: world.alice.id });
			while (fake.shardForGuild(world.unapproved.id, 2) !== 0);
			fake.addMember(world.unapproved.id, world.bob.id);
		}
	});
	let sql: postgres.Sql;
	const home = () => world.guilds[0]!;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, ...world.guilds.map((guild) => guild.id));
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN a scheduled poll comes due while the bot is down THEN it is posted once after the restart, saying it started late', async () => {
		const s = stack();
		const { number, reply } = await schedule(s, home(), { duration: '30m' });
		expect(reply.content).toMatch(/<t:\d+:f>/);
		const list = await runCommand(s, world.alice, home().id, 'poll list');
		expect(list.content).toMatch(new RegExp(`#${number}\\*\\* Later\\? · scheduled for <t:\\d+:f>`));
		expect(pollMessagesOf(s, home(), number)).toHaveLength(0);
		await s.bot.stop('SIGTERM');
		await sql`update polls set starts_at = now() - interval '2 minutes' where guild_id = ${home().id} and poll_number = ${number}`;
		await s.bot.start();
		const [posted] = await waitFor('the start', () => {
			const found = pollMessagesOf(s, home(), number);
			return found.length > 0 && found;
		});
		expect(posted!.content).toMatch(/started late/);
		expect(embedDescription(posted!)).toMatch(/Closes <t:\d+:f>/);
		// As if the process died after posting and before recording it: the retry finds the message, posts nothing.
		await sql`update polls set started_at = null, message_id = null, start_attempted_at = now() - interval '2 minutes'
			where guild_id = ${home().id} and poll_number = ${number}`;
		let recorded: string | null = null;
		for (let waited = 0; waited < 10_000 && recorded === null; waited += 200) {
			const [row] = await sql<{ messageId: string | null }[]>`
				select message_id::text as "messageId" from polls where guild_id = ${home().id} and poll_number = ${number}`;
			recorded = row!.messageId;
			if (recorded === null) await sleep(200);
		}
		expect(recorded).toBe(posted!.id);
		expect(pollMessagesOf(s, home(), number)).toHaveLength(1);
		const vote = await clickButton(s, world.bob, posted!, `pv:${home().id}:${number}:1`);
		expect(vote.content).toBe(`Your vote in poll #${number}: **b**.`);
		expect((s.output().match(new RegExp(`Poll #${number} started late`, 'g')) ?? []).length).toBe(1);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a scheduled poll is closed before it starts THEN it is cancelled and never posted', async () => {
		const s = stack();
		const { number } = await schedule(s, home(), {});
		const answer = await runCommand(s, world.alice, home().id, 'poll close', { poll: String(number) });
		expect(answer.content).toBe(`Poll #${number} was cancelled before it started: it will never be posted.`);
		expect(isEphemeral(answer)).toBe(true);
		await sql`update polls set starts_at = now() - interval '1 second' where guild_id = ${home().id} and poll_number = ${number}`;
		await sleep(2_500);
		expect(pollMessagesOf(s, home(), number)).toHaveLength(0);
		expect(s.fake.messages(home().defaultChannelId).filter((message) => message.content.startsWith(`Poll #${number} is closed`))).toHaveLength(0);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a reminder comes due THEN it replies to the poll once, pinging its role there and nowhere else', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, {
			question: 'Remind me?',
			options: 'a | b',
			duration: '1h',
			remind_before: '10m',
			remind_role: world.loud.id
		});
		expect(poll.message.pinged.roles).toEqual([]);
		await sql`update polls set closes_at = now() + interval '5 minutes' where guild_id = ${home().id} and poll_number = ${poll.number}`;
		const [reminder] = await waitFor('the reminder', () => {
			const found = repliesTo(s, poll.message, `Poll #${poll.number} closes <t:`);
			return found.length > 0 && found;
		});
		expect(reminder!.content).toMatch(new RegExp(`^<@&${world.loud.id}> Poll #${poll.number} closes <t:\\d+:R>: https://discord.com/channels/`));
		await sleep(1_500);
		expect(repliesTo(s, poll.message, `closes <t:`)).toHaveLength(1);
		expect(s.fake.messagesPinging({ roleId: world.loud.id }).map((message) => message.id)).toEqual([reminder!.id]);
		await runCommand(s, world.alice, home().id, 'poll close', { poll: String(poll.number) });
		await waitFor('the close notice', () => repliesTo(s, poll.message, `Poll #${poll.number} is closed.`).length > 0);
		expect(s.fake.messagesPinging({ roleId: world.loud.id })).toHaveLength(1);
		expectCleanProtocol(s.fake);
	});

	test.each([
		[{ remind_role: 'quiet', remind_before: '10m', duration: '1h' }, /You cannot mention <@&\d+> yourself/],
		[{ remind_before: '10m' }, /remind_before needs a duration/],
		[{ remind_before: '2h', duration: '1h' }, /not shorter than the duration/],
		[{ remind_role: 'loud', duration: '1h' }, /remind_role needs remind_before/],
		[{ starts_in: 'soon' }, /starts_in “soon” is not a delay/]
	])('WHEN /poll create gets %j THEN it is refused saying why, ephemerally, and nothing is stored', async (options, reason) => {
		const s = stack();
		const [before] = await sql<{ count: number }[]>`select count(*)::int as count from polls`;
		const { remind_role: role, ...rest } = options as Record<string, string>;
		const reply = await runCommand(s, world.bob, home().id, 'poll create', {
			question: 'Q',
			options: 'a | b',
			...rest,
			...(role === undefined ? {} : { remind_role: role === 'quiet' ? world.quiet.id : world.loud.id })
		});
		expect(reply.content).toMatch(reason);
		expect(isEphemeral(reply)).toBe(true);
		const [after] = await sql<{ count: number }[]>`select count(*)::int as count from polls`;
		expect(after!.count).toBe(before!.count);
		expectCleanProtocol(s.fake);
	});

	test('WHEN the question is edited and options added while 200 votes arrive THEN the final counts are exact and it shows (edited)', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, { question: 'Busy?', options: 'a | b' });
		const members = Array.from({ length: 200 }, (_, index) => {
			const user = s.fake.createUser({ username: `life${index}` });
			s.fake.addMember(home().id, user.id);
			return user;
		});
		const [replies, edited] = await Promise.all([
			inBatches(members.length, 20, (index) => clickButton(s, members[index]!, poll.message, `pv:${home().id}:${poll.number}:${index % 2}`)),
			sleep(300).then(() =>
				runCommand(s, world.alice, home().id, 'poll edit', { poll: String(poll.number), question: 'Busier?', add_options: 'c | d' })
			)
		]);
		expect(edited.content).toBe(`Poll #${poll.number} is updated.`);
		expect(replies.every((reply) => reply.content.startsWith(`Your vote in poll #${poll.number}`))).toBe(true);
		const final = await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '100,100,0,0', 8_000);
		expect(embedDescription(final)).toMatch(/^Busier\? \(edited\)/);
		const vote = await clickButton(s, world.bob, final, `pv:${home().id}:${poll.number}:3`);
		expect(vote.content).toBe(`Your vote in poll #${poll.number}: **d**.`);
		expectCleanProtocol(s.fake);
	}, 60_000);

	test('WHEN options are renamed after a vote THEN it is refused saying why; more than 20 options switch to a select menu', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, { question: 'Rename?', options: 'a | b' });
		await clickButton(s, world.bob, poll.message, `pv:${home().id}:${poll.number}:0`);
		const refused = await runCommand(s, world.alice, home().id, 'poll edit', { poll: String(poll.number), options: 'x | y' });
		expect(refused.content).toMatch(/already has votes: its options can no longer be renamed or removed/);
		expect(isEphemeral(refused)).toBe(true);
		const many = Array.from({ length: 20 }, (_, index) => `n${index}`).join(' | ');
		await runCommand(s, world.alice, home().id, 'poll edit', { poll: String(poll.number), add_options: many });
		const menu = await waitForPollMessage(
			s,
			poll.message,
			(message) => (message.components[0] as { components: { type: number }[] }).components[0]!.type === 3
		);
		expect(shownCounts(menu).slice(0, 2)).toEqual(['1', '0']);
		expect(shownCounts(menu)).toHaveLength(22);
		expectCleanProtocol(s.fake);
	});

	test('WHEN the deadline is extended and then removed THEN the message follows', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, { question: 'Longer?', options: 'a | b', duration: '10m' });
		await runCommand(s, world.alice, home().id, 'poll edit', { poll: String(poll.number), duration: '2h' });
		const extended = await waitForPollMessage(s, poll.message, (message) => {
			const at = Number(/Closes <t:(\d+):f>/.exec(embedDescription(message))?.[1]);
			return Math.abs(at * 1000 - Date.now() - 2 * 3_600_000) < 60_000;
		});
		expect(embedDescription(extended)).not.toContain('(edited)');
		await runCommand(s, world.alice, home().id, 'poll edit', { poll: String(poll.number), duration: 'none' });
		await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('Open until closed.'));
		expectCleanProtocol(s.fake);
	});

	test('WHEN a closed poll is reopened THEN it says so in the channel, its buttons work again and the old votes stay', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, { question: 'Again?', options: 'a | b' });
		await clickButton(s, world.bob, poll.message, `pv:${home().id}:${poll.number}:0`);
		await runCommand(s, world.alice, home().id, 'poll close', { poll: String(poll.number) });
		await waitFor('the close notice', () => repliesTo(s, poll.message, `Poll #${poll.number} is closed.`).length > 0);
		const answer = await runCommand(s, world.alice, home().id, 'poll reopen', { poll: String(poll.number), duration: '1h' });
		expect(answer.content).toBe(`Poll #${poll.number} is open again.`);
		const [notice] = await waitFor('the reopening notice', () => {
			const found = repliesTo(s, poll.message, `Poll #${poll.number} was reopened by <@${world.alice.id}>`);
			return found.length > 0 && found;
		});
		expect(notice!.pinged.users).toEqual([]);
		const reopened = await waitForPollMessage(s, poll.message, (message) => /Closes <t:\d+:f>/.test(embedDescription(message)));
		const vote = await clickButton(s, world.carol, reopened, `pv:${home().id}:${poll.number}:0`);
		expect(vote.content).toBe(`Your vote in poll #${poll.number}: **a**.`);
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '2,0');
		const again = await runCommand(s, world.alice, home().id, 'poll reopen', { poll: String(poll.number) });
		expect(again.content).toBe(`Poll #${poll.number} is open: only a closed poll can be reopened.`);
		expectCleanProtocol(s.fake);
	});

	test('WHEN an anonymous poll is reopened THEN it is refused saying its voter keys were wiped', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, home().id, { question: 'Secret?', options: 'a | b', anonymous: true });
		await runCommand(s, world.alice, home().id, 'poll close', { poll: String(poll.number) });
		await waitFor('the close notice', () => repliesTo(s, poll.message, `Poll #${poll.number} is closed.`).length > 0);
		const refused = await runCommand(s, world.alice, home().id, 'poll reopen', { poll: String(poll.number) });
		expect(refused.content).toBe(`Poll #${poll.number} was anonymous: its voter keys were wiped when it closed, so it cannot be reopened.`);
		expect(isEphemeral(refused)).toBe(true);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a member without rights, or anyone in a server not approved, edits, reopens or cancels THEN it is refused and nothing changes', async () => {
		const s = stack();
		const open = await createPollByCommand(s, world.alice, home().id, { question: 'Mine?', options: 'a | b' });
		const closed = await createPollByCommand(s, world.alice, home().id, { question: 'Shut?', options: 'a | b' });
		await runCommand(s, world.alice, home().id, 'poll close', { poll: String(closed.number) });
		const { number: later } = await schedule(s, home(), {});
		const edit = await runCommand(s, world.carol, home().id, 'poll edit', { poll: String(open.number), question: 'Hijacked?' });
		expect(edit.content).toBe(`Only the creator of poll #${open.number} or a member with Manage Server can edit it.`);
		const reopen = await runCommand(s, world.carol, home().id, 'poll reopen', { poll: String(closed.number) });
		expect(reopen.content).toBe(`Only the creator of poll #${closed.number} or a member with Manage Server can reopen it.`);
		const cancel = await runCommand(s, world.carol, home().id, 'poll close', { poll: String(later) });
		expect(cancel.content).toMatch(/can close it/);
		for (const reply of [edit, reopen, cancel]) expect(isEphemeral(reply)).toBe(true);
		const rows = await sql<{ question: string; closed: boolean }[]>`
			select question, closed_at is not null as closed from polls where guild_id = ${home().id} and poll_number in ${sql([open.number, closed.number, later])}
			order by poll_number`;
		expect(rows).toEqual([
			{ question: 'Mine?', closed: false },
			{ question: 'Shut?', closed: true },
			{ question: 'Later?', closed: false }
		]);
		for (const [command, options] of [
			['poll edit', { poll: '1', question: 'x' }],
			['poll reopen', { poll: '1' }],
			['poll create', { question: 'x', options: 'a | b', starts_in: '1h' }]
		] as const) {
			const reply = await runCommand(s, world.bob, world.unapproved.id, command, options);
			expect(reply.content).toMatch(/waiting for approval/);
			expect(isEphemeral(reply)).toBe(true);
		}
		expectCleanProtocol(s.fake);
	});

	test('WHEN the poll option is typed THEN each subcommand offers only the polls it applies to', async () => {
		const s = stack();
		const open = await createPollByCommand(s, world.alice, home().id, { question: 'Pick open', options: 'a | b' });
		const shut = await createPollByCommand(s, world.alice, home().id, { question: 'Pick shut', options: 'a | b' });
		await runCommand(s, world.alice, home().id, 'poll close', { poll: String(shut.number) });
		const { number: later } = await schedule(s, home(), { question: 'Pick later' });
		const offered = async (command: string) => {
			const handle = s.fake.autocomplete({ user: world.alice, guildId: home().id, command, options: { poll: 'Pick' }, focused: 'poll' });
			return ((await handle.response).data?.choices as { value: string }[]).map((choice) => Number(choice.value)).sort((a, b) => a - b);
		};
		expect(await offered('poll edit')).toEqual([open.number, later].sort((a, b) => a - b));
		expect(await offered('poll close')).toEqual([open.number, later].sort((a, b) => a - b));
		expect(await offered('poll reopen')).toEqual([shut.number]);
		expect(await offered('poll results')).toEqual([open.number, shut.number, later].sort((a, b) => a - b));
		expectCleanProtocol(s.fake);
	});

	test('WHEN polls keep coming due THEN a close whose notice failed is retried between two batches, not after all of them', async () => {
		const s = stack();
		// More due polls than one batch of the deadline scheduler (20), and one closed earlier whose notice never went out.
		const created = await inBatches(22, 4, () =>
			createPollByCommand(s, world.alice, home().id, { question: 'Due?', options: 'a | b', duration: '1h' })
		);
		const [stale, ...due] = created;
		await sql.begin(async (tx) => {
			await tx`update polls set closed_at = now(), close_reason = 'deadline' where guild_id = ${home().id} and poll_number = ${stale!.number}`;
			// Back in time (a close is never dated before now: a trigger moves it, see migrations/006).
			await tx`update polls set closed_at = now() - interval '20 seconds' where guild_id = ${home().id} and poll_number = ${stale!.number}`;
			await tx`update polls set closes_at = now() where guild_id = ${home().id} and poll_number = any(${due.map((poll) => poll.number)}::int[])`;
		});
		const noticesOf = (poll: (typeof created)[number]) => repliesTo(s, poll.message, `Poll #${poll.number} is closed.`);
		await waitFor('every closing notice', () => created.every((poll) => noticesOf(poll).length > 0), 30_000);
		const posted = s.fake.messages(home().defaultChannelId).map((message) => message.id);
		const at = (poll: (typeof created)[number]) => posted.indexOf(noticesOf(poll)[0]!.id);
		// The retry came after the first batch, before the last due poll (it waited for them all, for minutes in the soak).
		expect(at(stale!)).toBeLessThan(Math.max(...due.map(at)));
		expect(at(stale!)).toBeGreaterThan(Math.min(...due.map(at)));
		for (const poll of created) expect(noticesOf(poll), `poll #${poll.number}`).toHaveLength(1);
		expectCleanProtocol(s.fake);
	}, 60_000);

	test('WHEN starts, reminders and closes come due with two processes and a restart in the middle THEN each message appears exactly once', async () => {
		const s = stack();
		await s.startSecondBot({ SHARD_IDS: '1' });
		const polls: { guild: FakeGuild; number: number }[] = [];
		for (const guild of world.guilds) {
			for (let index = 0; index < 2; index++) {
				const { number } = await schedule(s, guild, { question: `Life ${index}?`, duration: '1h', remind_before: '10m' });
				polls.push({ guild, number });
			}
		}
		const ids = polls.map((poll) => poll.number);
		await sql`update polls set starts_at = now() where started_at is null and closed_at is null and starts_at is not null`;
		const posted = new Map<string, FakeMessage>();
		for (const poll of polls) {
			const [message] = await waitFor(`poll #${poll.number} of ${poll.guild.name} to start`, () => {
				const found = pollMessagesOf(s, poll.guild, poll.number);
				return found.length > 0 && found;
			});
			posted.set(`${poll.guild.id}:${poll.number}`, message!);
		}
		const restart = s.bot.restart();
		await sql`update polls set closes_at = now() + interval '5 minutes' where closed_at is null and remind_before is not null and reminded_at is null`;
		expect((await restart).code).toBe(0);
		for (const poll of polls) {
			const message = posted.get(`${poll.guild.id}:${poll.number}`)!;
			await waitFor(`poll #${poll.number}'s reminder`, () => repliesTo(s, message, `Poll #${poll.number} closes <t:`).length > 0);
		}
		await sql`update polls set closes_at = now() where closed_at is null`;
		for (const poll of polls) {
			const message = posted.get(`${poll.guild.id}:${poll.number}`)!;
			await waitFor(`poll #${poll.number}'s close`, () => repliesTo(s, message, `Poll #${poll.number} is closed.`).length > 0);
		}
		await sleep(2_000);
		for (const poll of polls) {
			const message = posted.get(`${poll.guild.id}:${poll.number}`)!;
			const where = `poll #${poll.number} of ${poll.guild.name}`;
			expect(pollMessagesOf(s, poll.guild, poll.number), where).toHaveLength(1);
			expect(repliesTo(s, message, `Poll #${poll.number} closes <t:`), where).toHaveLength(1);
			expect(repliesTo(s, message, `Poll #${poll.number} is closed.`), where).toHaveLength(1);
			expect(embedDescription(currentMessage(s, message)), where).toContain('No votes.');
		}
		expect(ids.length).toBe(polls.length);
		expectCleanProtocol(s.fake);
	}, 90_000);
});
