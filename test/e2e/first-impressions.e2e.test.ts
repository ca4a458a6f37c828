/**
 * What a first-time user of the bot runs into (issue 17): /help promising commands that do not work where it is
 * asked, the owner told to wait for themselves, votes answered as if lost, a closed poll's header and shares that
 * say the wrong thing, My vote gone after the close, the stats' bare shard id, and /poll list forgetting closed polls.
 */
import { messageLink } from 'discord.js';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeGuild, FakeMessage, FakeUser } from '../fake-discord/index.js';
import {
	approve,
	type CreatedPoll,
	clickButton,
	createPollByCommand,
	currentMessage,
	embedDescription,
	isEphemeral,
	openStackDatabase,
	runCommand,
	shownCounts,
	submitSelect,
	waitForPollMessage
} from '../support/polls.js';
import { expectCleanProtocol, useStack } from './harness.js';

const world = {} as {
	guild: FakeGuild;
	archive: FakeGuild;
	pending: FakeGuild;
	alice: FakeUser;
	bob: FakeUser;
	carol: FakeUser;
};

function buttonsOf(message: FakeMessage) {
	return ((message.components ?? []) as { components: { custom_id?: string; label?: string; disabled?: boolean }[] }[]).flatMap(
		(row) => row.components
	);
}

function textOf(message: FakeMessage) {
	return `${message.content} ${JSON.stringify(message.embeds)}`;
}

describe('GIVEN the bot in an approved server, a second approved server and a pending one', () => {
	const stack = useStack({
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.bob = fake.createUser({ username: 'bob' });
			world.carol = fake.createUser({ username: 'carol' });
			world.guild = fake.createGuild({ name: 'Trips', ownerId: world.alice.id });
			world.archive = fake.createGuild({ name: 'Archive', ownerId: world.alice.id });
			world.pending = fake.createGuild({ name: 'Not Yet', ownerId: world.alice.id });
			for (const user of [world.alice, world.bob, world.carol]) fake.addMember(world.guild.id, user.id);
			fake.addMember(world.archive.id, world.alice.id);
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id, world.archive.id);
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN /help is asked in a DM THEN it lists only commands Discord offers there, and in a server it lists /poll', async () => {
		const s = stack();
		const inDm = await s.fake.slash({ user: world.alice, command: 'help' }).waitForOriginal();
		expect(textOf(inDm)).toContain('/ping');
		expect(textOf(inDm)).not.toContain('/poll');
		// What the DM list used to promise: Discord has no /poll in DMs.
		expect(() => s.fake.slash({ user: world.alice, command: 'poll list' })).toThrow(/not available in DMs/);
		const ownerInDm = await s.fake.slash({ user: s.owner, command: 'help' }).waitForOriginal();
		expect(textOf(ownerInDm)).toContain('**/admin**');
		expect(textOf(ownerInDm)).not.toContain('/poll');
		const inServer = await runCommand(s, world.alice, world.guild.id, 'help');
		expect(textOf(inServer)).toContain('**/poll**');
		expectCleanProtocol(s.fake);
	});

	test('WHEN the bot’s owner runs /poll in a pending server THEN they are told how to approve it, not to wait for the owner', async () => {
		const s = stack();
		const refused = await runCommand(s, s.owner, world.pending.id, 'poll list');
		expect(isEphemeral(refused)).toBe(true);
		expect(refused.content).toContain(`/admin approve server:${world.pending.id}`);
		expect(refused.content).not.toContain('approval by the bot’s owner');
		expect((await runCommand(s, world.bob, world.pending.id, 'poll list')).content).toMatch(/waiting for approval by the bot’s owner/);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a member changes, then retracts their vote THEN each answer says what happened to it', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Where?', options: 'Beach | Rooftop' });
		const [beach, rooftop] = [0, 1].map((option) => `pv:${world.guild.id}:${poll.number}:${option}`);
		expect((await clickButton(s, world.bob, poll.message, beach!)).content).toBe(`Your vote in poll #${poll.number}: **Beach**.`);
		expect((await clickButton(s, world.bob, poll.message, rooftop!)).content).toBe(
			`Your vote in poll #${poll.number} changed from **Beach** to **Rooftop**.`
		);
		// Past the double-click window, a click on one's own option retracts it.
		await sql`update poll_votes set voted_at = voted_at - interval '10 seconds' where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		const retracted = await clickButton(s, world.bob, poll.message, rooftop!);
		expect(retracted.content).toBe(`Your vote for **Rooftop** in poll #${poll.number} was removed.`);
		expect(isEphemeral(retracted)).toBe(true);
		expect((await clickButton(s, world.bob, poll.message, `pm:${world.guild.id}:${poll.number}`)).content).toBe(
			`You have no vote in poll #${poll.number}.`
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN two voters make three choices THEN each option shows its share of the voters, and the message counts both', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Which days?',
			options: 'Friday | Saturday | Sunday',
			max_choices: 3
		});
		const menu = `ps:${world.guild.id}:${poll.number}`;
		await submitSelect(s, world.bob, poll.message, menu, ['0', '1']);
		await submitSelect(s, world.carol, poll.message, menu, ['2']);
		const shown = await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '1,1,1');
		const fields = (shown.embeds[0] as { fields: { value: string }[] }).fields.map((field) => field.value);
		expect(fields.every((value) => value.endsWith('1 vote · 50%'))).toBe(true);
		expect(embedDescription(shown)).toContain('2 voters, 3 choices · Created by');
		// The footer only repeated the title's "Poll #N".
		expect((shown.embeds[0] as { footer?: unknown }).footer).toBeUndefined();
		expectCleanProtocol(s.fake);
	});

	test('WHEN an anonymous poll with hidden results closes THEN its header no longer says hidden, and My vote still answers', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Secret?',
			options: 'Yes | No',
			anonymous: true,
			hide_results: true
		});
		expect(embedDescription(poll.message)).toContain('anonymous · results hidden until close');
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		const closed = await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('Winner'));
		expect(embedDescription(closed)).toContain('Pick one · anonymous\n');
		expect(embedDescription(closed)).not.toContain('hidden');
		expect(shownCounts(closed)).toEqual(['1', '0']);
		const mine = buttonsOf(closed).find((button) => button.custom_id === `pm:${world.guild.id}:${poll.number}`)!;
		expect(mine.disabled).toBe(false);
		expect((await clickButton(s, world.bob, poll.message, mine.custom_id!)).content).toMatch(/can no longer be linked to anyone/);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a named poll closes THEN its voters can still see what they picked with My vote', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Tea?', options: 'Tea | Coffee' });
		await clickButton(s, world.carol, poll.message, `pv:${world.guild.id}:${poll.number}:1`);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		const closed = await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('Winner'));
		const enabled = buttonsOf(closed).filter((button) => button.disabled !== true);
		expect(enabled.map((button) => button.label)).toEqual(['My vote']);
		const answer = await clickButton(s, world.carol, currentMessage(s, poll.message), `pm:${world.guild.id}:${poll.number}`);
		expect(answer.content).toBe(`Your vote in poll #${poll.number}: **Coffee**.`);
		expect(isEphemeral(answer)).toBe(true);
		expectCleanProtocol(s.fake);
	});

	test('WHEN the owner asks for /admin stats THEN the shard line names the shard and the total', async () => {
		const s = stack();
		const stats = await s.fake.slash({ user: s.owner, command: 'admin stats' }).waitForOriginal();
		expect(textOf(stats)).toContain('**Shards in this process**: shard 0 of 1');
		expectCleanProtocol(s.fake);
	});

	test('WHEN /poll list is run in a server with open and closed polls THEN closed ones follow, most recent first, as links, over pages', async () => {
		const s = stack();
		const polls: CreatedPoll[] = [];
		for (let index = 1; index <= 9; index++) {
			const question = index === 3 ? 'Is [this] *bold*?' : `Question ${index}`;
			polls.push(await createPollByCommand(s, world.alice, world.archive.id, { question, options: 'a | b' }));
		}
		await runCommand(s, world.alice, world.archive.id, 'poll close', { poll: '2' });
		await runCommand(s, world.alice, world.archive.id, 'poll close', { poll: '5' });

		const first = await runCommand(s, world.alice, world.archive.id, 'poll list');
		expect(isEphemeral(first)).toBe(true);
		const link = (number: number) => messageLink(polls[number - 1]!.message.channel_id, polls[number - 1]!.message.id, world.archive.id);
		const lines = first.content.split('\n');
		expect(lines[0]).toBe('**Open polls** (7)');
		expect(lines.slice(1, 8).map((line) => /^\*\*#(\d+)\*\*/.exec(line)?.[1])).toEqual(['9', '8', '7', '6', '4', '3', '1']);
		expect(lines).toContain(`**#3** [Is \\[this\\] \\*bold\\*?](${link(3)})`);
		expect(lines[9]).toBe('**Closed polls** (2)');
		expect(lines[10]).toMatch(new RegExp(`^\\*\\*#5\\*\\* \\[Question 5\\]\\(${link(5).replaceAll('/', '\\/')}\\) · closed <t:\\d+:R>$`));
		expect(lines.at(-1)).toBe('Page 1 of 2');

		const next = buttonsOf(first).find((button) => button.label === 'Next')!;
		expect(next.custom_id).toBe(`pl:${world.archive.id}:1`);
		const paged = s.fake.click({ user: world.alice, message: first, customId: next.custom_id! });
		expect(((await paged.response) as { type: number }).type).toBe(7);
		const second = currentMessage(s, first);
		expect(second.content).not.toContain('Open polls');
		expect(second.content).toContain(`**#2** [Question 2](${link(2)})`);
		expect(second.content).toContain('Page 2 of 2');
		expect(buttonsOf(second).find((button) => button.label === 'Next')!.disabled).toBe(true);
		expect(second.wouldPing).toEqual({ everyone: false, roles: [], users: [] });
		expectCleanProtocol(s.fake);
	});
});
