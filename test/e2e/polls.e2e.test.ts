import type postgres from 'postgres';
import { messageLink } from 'discord.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Permission, type FakeGuild, type FakeMessage, type FakeRole, type FakeUser } from '../fake-discord/index.js';
import { closePoll } from '../../src/lib/polls/repository.js';
import { expectCleanProtocol, useStack } from './harness.js';
import {
	approve,
	clickButton,
	createPollByCommand,
	currentMessage,
	embedDescription,
	enabledComponentIds,
	inBatches,
	isEphemeral,
	openStackDatabase,
	pollMessageEdits,
	runCommand,
	shownCounts,
	submitSelect,
	waitForPollMessage
} from '../support/polls.js';

const world = {} as {
	guild: FakeGuild;
	other: FakeGuild;
	unapproved: FakeGuild;
	voters: FakeRole;
	alice: FakeUser;
	bob: FakeUser;
	carol: FakeUser;
	mod: FakeUser;
};

/**
 * The poll message as a client that has not seen the closing edit yet still shows it, components enabled (under
 * another id, since the fake would otherwise use its stored, disabled state).
 */
function staleCopy(message: FakeMessage) {
	const {
		wouldPing: _pings,
		allowed_mentions: _mentions,
		editCount: _edits,
		deleted: _deleted,
		interactionId: _interaction,
		...raw
	} = structuredClone(message);
	const enable = (rows: unknown[]) =>
		rows.map((row) => ({
			...(row as object),
			components: (row as { components: object[] }).components.map((component) => ({ ...component, disabled: false }))
		}));
	return { ...raw, id: String(BigInt(message.id) + 7n), components: enable(raw.components) };
}

describe('GIVEN an approved server with the bot running', () => {
	const stack = useStack({
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.bob = fake.createUser({ username: 'bob' });
			world.carol = fake.createUser({ username: 'carol' });
			world.mod = fake.createUser({ username: 'mod' });
			world.guild = fake.createGuild({ name: 'Polls Inc', ownerId: world.alice.id });
			world.other = fake.createGuild({ name: 'Elsewhere', ownerId: world.alice.id });
			world.unapproved = fake.createGuild({ name: 'Waiting', ownerId: world.alice.id });
			// Created before the bot connects, so discord.js knows it from GUILD_CREATE.
			world.voters = fake.createRole(world.guild.id, { name: 'Voters' });
			const mods = fake.createRole(world.guild.id, { name: 'Mods', permissions: Permission.ManageGuild });
			fake.addMember(world.guild.id, world.alice.id);
			fake.addMember(world.guild.id, world.bob.id, { roles: [world.voters.id] });
			fake.addMember(world.guild.id, world.carol.id);
			fake.addMember(world.guild.id, world.mod.id, { roles: [mods.id] });
			for (const guild of [world.other, world.unapproved]) fake.addMember(guild.id, world.bob.id);
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id, world.other.id);
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN /poll create is run THEN the poll is posted with buttons, a select when needed, and the commands are guild-only', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Lunch?',
			options: 'Pizza | Sushi | Tacos',
			duration: '2h'
		});
		expect(poll.message.components).toHaveLength(2);
		expect(embedDescription(poll.message)).toMatch(/Closes <t:\d+:f>/);
		expect(shownCounts(poll.message)).toEqual(['0', '0', '0']);
		const multi = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Toppings?', options: 'a | b | c | d', max_choices: 3 });
		const menu = (multi.message.components[0] as { components: { type: number; max_values: number }[] }).components[0]!;
		expect(menu).toMatchObject({ type: 3, max_values: 3 });
		expect(multi.number).toBe(poll.number + 1);
		const command = s.fake.commands.find((entry) => entry.name === 'poll') as { contexts?: number[] } | undefined;
		expect(command?.contexts).toEqual([0]);
		expectCleanProtocol(s.fake);
	});

	test.each([
		[{ question: 'Q', options: 'Only one' }, /at least 2 options/],
		[{ question: 'Q', options: 'a | A' }, /Options 1 and 2 are the same/],
		[{ question: 'Q', options: `a | ${'b'.repeat(81)}` }, /Option 2 is 81 characters long/],
		[{ question: 'Q', options: Array.from({ length: 26 }, (_, index) => `o${index}`).join('|') }, /26 options/],
		[{ question: 'Q', options: 'a | b', duration: 'tomorrow' }, /“tomorrow” is not a duration: write it like 30m/],
		[{ question: 'Q', options: 'a | b', duration: '33d' }, /too long: a poll runs for at most 32 days/],
		[{ question: 'Q', options: 'a | b', duration: '0m' }, /too short/],
		[{ question: 'Q', options: 'a | b', max_choices: 3 }, /max_choices is 3 but the poll has only 2 options/]
	])('WHEN /poll create gets bad input %j THEN it says what to fix, ephemerally, and stores nothing', async (options, reason) => {
		const s = stack();
		const [before] = await sql<{ count: number }[]>`select count(*)::int as count from polls`;
		const reply = await runCommand(s, world.alice, world.guild.id, 'poll create', options);
		expect(reply.content).toMatch(reason);
		expect(isEphemeral(reply)).toBe(true);
		const [after] = await sql<{ count: number }[]>`select count(*)::int as count from polls`;
		expect(after!.count).toBe(before!.count);
		expectCleanProtocol(s.fake);
	});

	test('WHEN members click buttons THEN votes are recorded, moved, kept on a double click and retracted, with ephemeral confirmations', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Tea or coffee?', options: 'Tea | Coffee' });
		const [tea, coffee] = [`pv:${world.guild.id}:${poll.number}:0`, `pv:${world.guild.id}:${poll.number}:1`];
		const first = await clickButton(s, world.bob, poll.message, tea);
		expect(first.content).toBe(`Your vote in poll #${poll.number}: **Tea**.`);
		expect(isEphemeral(first)).toBe(true);
		expect((await clickButton(s, world.bob, poll.message, tea)).content).toContain('**Tea**'); // a double click keeps it
		expect((await clickButton(s, world.bob, poll.message, coffee)).content).toContain('**Coffee**');
		await clickButton(s, world.carol, poll.message, coffee);
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '0,2');
		expect((await clickButton(s, world.carol, poll.message, `pm:${world.guild.id}:${poll.number}`)).content).toContain('**Coffee**');
		await sql`update poll_votes set voted_at = voted_at - interval '10 seconds' where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		expect((await clickButton(s, world.carol, poll.message, coffee)).content).toBe(
			`Your vote for **Coffee** in poll #${poll.number} was removed.`
		);
		await waitForPollMessage(
			s,
			poll.message,
			(message) => shownCounts(message).join() === '0,1' && embedDescription(message).includes('Voters: 1 ')
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN members use the select menu THEN choices are replaced and an empty submission removes them', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Languages?', options: 'TS | Rust | Go', max_choices: 2 });
		const menu = `ps:${world.guild.id}:${poll.number}`;
		expect((await submitSelect(s, world.bob, poll.message, menu, ['0', '2'])).content).toBe(`Your vote in poll #${poll.number}: **TS**, **Go**.`);
		expect((await submitSelect(s, world.carol, poll.message, menu, ['2'])).content).toContain('**Go**');
		expect((await submitSelect(s, world.bob, poll.message, menu, ['1'])).content).toBe(
			`Your vote in poll #${poll.number} changed from **TS**, **Go** to **Rust**.`
		);
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '0,1,1');
		expect((await submitSelect(s, world.carol, poll.message, menu, [])).content).toBe(
			`Your vote for **Go** in poll #${poll.number} was removed.`
		);
		await waitForPollMessage(
			s,
			poll.message,
			(message) => shownCounts(message).join() === '0,1,0' && embedDescription(message).includes('1 voter, 1 choice ')
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll is restricted to a role THEN members without it are refused and members with it vote', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Voters only?',
			options: 'Yes | No',
			role: world.voters.id
		});
		const refused = await clickButton(s, world.carol, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		expect(refused.content).toBe(`Only members with the <@&${world.voters.id}> role may vote in poll #${poll.number}.`);
		expect(isEphemeral(refused)).toBe(true);
		expect((await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`)).content).toContain('**Yes**');
		expectCleanProtocol(s.fake);
	});

	test('WHEN /poll close, results, list and export are used THEN permissions hold, voters show only to managers, and the CSV is safe', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Formula?', options: '=1+1 | a, "b" | @here' });
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		await clickButton(s, world.carol, poll.message, `pv:${world.guild.id}:${poll.number}:1`);

		const list = await runCommand(s, world.carol, world.guild.id, 'poll list');
		expect(list.content).toContain(`**#${poll.number}** [Formula?](${messageLink(poll.message.channel_id, poll.message.id, world.guild.id)})`);

		const asMember = await runCommand(s, world.carol, world.guild.id, 'poll results', { poll: `#${poll.number}` });
		expect(asMember.content).toContain('1 vote');
		expect(asMember.content).not.toContain(`<@${world.bob.id}>`);
		const asMod = await runCommand(s, world.mod, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(asMod.content).toContain(`<@${world.bob.id}>`);
		expect(asMod.wouldPing).toEqual({ everyone: false, roles: [], users: [] });

		expect((await runCommand(s, world.carol, world.guild.id, 'poll export', { poll: String(poll.number) })).content).toMatch(
			/Only the creator .* can export it/
		);
		const exported = await runCommand(s, world.mod, world.guild.id, 'poll export', { poll: String(poll.number) });
		expect(isEphemeral(exported)).toBe(true);
		const files = Object.fromEntries(exported.attachments.map((file) => [file.filename, file.text]));
		expect(files[`poll-${poll.number}.csv`]).toBe(`option,votes\r\n'=1+1,1\r\n"a, ""b""",1\r\n'@here,0\r\n`);
		const votes = files[`poll-${poll.number}-votes.csv`]!.split('\r\n');
		expect(votes[0]).toBe('user_id,option,voted_at');
		expect(votes).toContain(
			`${world.bob.id},'=1+1,${votes
				.find((line) => line.startsWith(world.bob.id))!
				.split(',')
				.at(-1)}`
		);
		expect(votes.find((line) => line.startsWith(world.carol.id))).toMatch(/^\d+,"a, ""b""",\d{4}-\d\d-\d\dT/);

		expect((await runCommand(s, world.carol, world.guild.id, 'poll close', { poll: String(poll.number) })).content).toMatch(
			/Only the creator .* can close it/
		);
		expect((await runCommand(s, world.mod, world.guild.id, 'poll close', { poll: String(poll.number) })).content).toBe(
			`Poll #${poll.number} is closed.`
		);
		expect((await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) })).content).toBe(
			`Poll #${poll.number} is already closed.`
		);
		const notice = await s.fake.waitForMessage(
			(message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`)
		);
		expect(notice.content).toContain('Tie: =1+1, a, "b"');
		expect(notice.content).toContain(poll.message.id);
		const closed = await waitForPollMessage(
			s,
			poll.message,
			(message) => embedDescription(message).includes('Winner') || embedDescription(message).includes('Tie')
		);
		expect(enabledComponentIds(closed)).toEqual([`pm:${world.guild.id}:${poll.number}`]);
		const refused = await s.fake
			.click({ user: world.bob, message: staleCopy(poll.message), customId: `pv:${world.guild.id}:${poll.number}:1` })
			.waitForOriginal();
		expect(refused.content).toBe(`Poll #${poll.number} is closed: votes are no longer accepted.`);

		expect((await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: '9999' })).content).toBe(
			'There is no poll #9999 in this server.'
		);
		expect((await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: 'twelve' })).content).toMatch(
			/“twelve” is not a poll number/
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll has 100,001 votes THEN results and export are deferred then edited, the voters listed are bounded and the cut file says so', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Big?', options: 'A | B', max_choices: 2 });
		// Votes written straight into the database: 50,001 members on both options, as the vote statement stores them
		// (one delta row per member's vote).
		await sql`
			with members as (select (300000000000000000 + n)::text as voter from generate_series(1, 50001) as n),
			votes as (
				insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at)
				select ${world.guild.id}::bigint, ${poll.number}::int, voter, option, now() from members, (values (0::smallint), (1::smallint)) as o (option)
			)
			insert into poll_count_deltas (guild_id, poll_number, voters, options, deltas)
			select ${world.guild.id}::bigint, ${poll.number}::int, 1, '{0,1}', '{1,1}' from members
		`;

		const results = s.fake.slash({ user: world.alice, guildId: world.guild.id, command: 'poll results', options: { poll: String(poll.number) } });
		expect((await results.response).type).toBe(5);
		const answer = await results.waitForOriginal(15_000);
		expect(isEphemeral(answer)).toBe(true);
		expect(answer.content).toContain('50,001 voters, 100,002 choices');
		expect(answer.content.length).toBeLessThanOrEqual(2000);
		const mentions = answer.content.match(/<@\d+>/g) ?? [];
		expect(mentions.length).toBeGreaterThan(0);
		expect(mentions.length).toBeLessThanOrEqual(100);
		expect(answer.content).toMatch(/…and [\d,]+ more/);

		const exported = s.fake.slash({ user: world.alice, guildId: world.guild.id, command: 'poll export', options: { poll: String(poll.number) } });
		expect((await exported.response).type).toBe(5);
		const file = await exported.waitForOriginal(30_000);
		expect(isEphemeral(file)).toBe(true);
		expect(file.content).toContain('the first 100,000 of 100,002 votes');
		const files = Object.fromEntries(file.attachments.map((attachment) => [attachment.filename, attachment.text]));
		expect(files[`poll-${poll.number}.csv`]).toBe('option,votes\r\nA,50001\r\nB,50001\r\n');
		const lines = files[`poll-${poll.number}-votes.csv`]!.trimEnd().split('\r\n');
		expect(lines).toHaveLength(1 + 100_000);
		expect(lines[1]).toMatch(/^300000000000000001,A,/);

		const forbidden = s.fake.slash({
			user: world.carol,
			guildId: world.guild.id,
			command: 'poll export',
			options: { poll: String(poll.number) }
		});
		expect((await forbidden.response).type).toBe(5);
		expect((await forbidden.waitForOriginal()).content).toMatch(/Only the creator .* can export it/);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll was closed but its close never announced (its process stopped first) THEN the running bot announces it', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Orphaned?', options: 'Yes | No' });
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		// What a process that crashed right after the close leaves behind: closed in the database, nothing sent.
		expect((await closePoll(sql, world.guild.id, poll.number, { reason: 'deadline', userId: null })).isOk()).toBe(true);
		await sql`update polls set closed_at = closed_at - interval '11 seconds' where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		const notice = await s.fake.waitForMessage(
			(message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`),
			5_000
		);
		expect(notice.content).toContain('Winner: Yes');
		const closed = currentMessage(s, poll.message);
		expect(embedDescription(closed)).toContain('**Winner: Yes**');
		expect(enabledComponentIds(closed)).toEqual([`pm:${world.guild.id}:${poll.number}`]);
		const announcedAt = async () =>
			(
				await sql<{ announced: Date | null }[]>`
					select announced_at as announced from polls where guild_id = ${world.guild.id} and poll_number = ${poll.number}
				`
			)[0]!.announced;
		await expect.poll(announcedAt, { timeout: 2_000 }).not.toBeNull();
		// Announced once: the scheduler keeps ticking and must not post it again.
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const notices = s.fake
			.messages(poll.message.channel_id)
			.filter((message) => message.content.startsWith(`Poll #${poll.number} is closed.`) && !isEphemeral(message));
		expect(notices).toHaveLength(1);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a process posted the closing notice but stopped before recording it THEN the retry posts no second notice', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Twice?', options: 'Yes | No' });
		const notices = () =>
			s.fake
				.messages(poll.message.channel_id)
				.filter((message) => message.content.startsWith(`Poll #${poll.number} is closed.`) && !isEphemeral(message));
		const announced = async () =>
			(await sql`select 1 from polls where guild_id = ${world.guild.id} and poll_number = ${poll.number} and announced_at is not null`).length;
		// Closed long enough ago that the scheduler announces it, as it would after a crash.
		expect((await closePoll(sql, world.guild.id, poll.number, { reason: 'deadline', userId: null })).isOk()).toBe(true);
		await sql`update polls set closed_at = closed_at - interval '11 seconds' where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		await expect.poll(() => notices().length, { timeout: 5_000 }).toBe(1);
		await expect.poll(announced, { timeout: 3_000 }).toBe(1);
		// What a crash between the notice and its record leaves: the notice out, the poll not marked announced.
		await sql`update polls set announced_at = null, announce_attempted_at = null where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		await expect.poll(announced, { timeout: 5_000 }).toBe(1);
		expect(notices()).toHaveLength(1);
		expectCleanProtocol(s.fake);
	});

	test('WHEN the poll option is typed THEN autocomplete offers only this server’s polls', async () => {
		const s = stack();
		await createPollByCommand(s, world.bob, world.other.id, { question: 'Elsewhere poll', options: 'x | y' });
		const handle = s.fake.autocomplete({
			user: world.alice,
			guildId: world.guild.id,
			command: 'poll results',
			options: { poll: 'Lunch' },
			focused: 'poll'
		});
		const choices = (await handle.response).data?.choices as { name: string; value: string }[];
		expect(choices.map((choice) => choice.name)).toEqual([expect.stringMatching(/^#1 Lunch\?/)]);
		const elsewhere = s.fake.autocomplete({
			user: world.bob,
			guildId: world.unapproved.id,
			command: 'poll results',
			options: { poll: '' },
			focused: 'poll'
		});
		expect((await elsewhere.response).data?.choices).toEqual([]);
		expectCleanProtocol(s.fake);
	});

	test('WHEN results are hidden THEN no answer shows counts until close, not even to the creator; then they do', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Secret?', options: 'A | B', hide_results: true });
		const editsBefore = pollMessageEdits(s, poll.message.id).length;
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:1`);
		// The edit the vote causes must come, and still hide the counts.
		await expect.poll(() => pollMessageEdits(s, poll.message.id).length, { timeout: 4_000 }).toBeGreaterThan(editsBefore);
		expect(currentMessage(s, poll.message).editCount).toBeGreaterThan(0);
		expect(shownCounts(currentMessage(s, poll.message))).toEqual(['hidden until close', 'hidden until close']);
		expect((await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) })).content).toMatch(
			/hidden until it closes/
		);
		expect((await runCommand(s, world.alice, world.guild.id, 'poll export', { poll: String(poll.number) })).content).toMatch(
			/hides its results until it closes/
		);
		await clickButton(s, world.alice, poll.message, `pc:${world.guild.id}:${poll.number}`);
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '0,1');
		expect((await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) })).content).toContain(
			`<@${world.bob.id}>`
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll is anonymous THEN nobody sees who voted, the export has counts only, and the database holds no user id', async () => {
		const s = stack();
		const logStart = s.output().length;
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Anonymous?', options: 'A | B', anonymous: true });
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		expect((await clickButton(s, world.bob, poll.message, `pm:${world.guild.id}:${poll.number}`)).content).toContain('**A**');
		for (const viewer of [world.alice, world.mod]) {
			const results = await runCommand(s, viewer, world.guild.id, 'poll results', { poll: String(poll.number) });
			expect(results.content).toContain('1 vote');
			expect(results.content).not.toContain(world.bob.id);
		}
		const stored = await sql<
			{ voter: string }[]
		>`select voter from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		expect(stored).toHaveLength(1);
		expect(stored[0]!.voter).not.toContain(world.bob.id);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		const exported = await runCommand(s, world.alice, world.guild.id, 'poll export', { poll: String(poll.number) });
		expect(exported.attachments.map((file) => file.filename)).toEqual([`poll-${poll.number}.csv`]);
		expect(JSON.stringify(exported)).not.toContain(world.bob.id);
		expect(
			(
				await s.fake
					.click({ user: world.bob, message: staleCopy(poll.message), customId: `pm:${world.guild.id}:${poll.number}` })
					.waitForOriginal()
			).content
		).toMatch(/anonymous and is closed: its votes can no longer be linked to anyone/);
		expect(s.output().slice(logStart), 'the logs name no voter of an anonymous poll').not.toContain(world.bob.id);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a question and options carry @everyone and mentions THEN nothing the bot sends can ping', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: `@everyone <@&${world.voters.id}> <@${world.bob.id}> vote!`,
			options: `@everyone | <@${world.bob.id}>`
		});
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		const notice = await s.fake.waitForMessage(
			(message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`)
		);
		expect(notice.content).toContain('Winner: @everyone');
		await waitForPollMessage(s, poll.message, (message) => embedDescription(message).includes('Winner'));
		const sent = s.fake.messages(poll.message.channel_id).filter((message) => message.author.id === s.fake.botUser.id);
		for (const message of sent) expect(message.wouldPing, message.content).toEqual({ everyone: false, roles: [], users: [] });
		expectCleanProtocol(s.fake);
	});

	test('WHEN components name a poll of another server or are malformed, or the server is not approved THEN they are refused', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Here?', options: 'a | b' });
		const channel = world.other.defaultChannelId;
		const forged = (customId: string, guild: FakeGuild = world.other) => ({
			...poll.message,
			// Another message, in another server, carrying this poll's custom id.
			id: String(BigInt(poll.message.id) + 1n),
			guild_id: guild.id,
			channel_id: guild.id === world.other.id ? channel : world.unapproved.defaultChannelId,
			components: [{ type: 1, components: [{ type: 2, style: 2, label: 'x', custom_id: customId }] }]
		});
		const crossServer = await s.fake
			.click({ user: world.bob, message: forged(`pv:${world.guild.id}:${poll.number}:0`), customId: `pv:${world.guild.id}:${poll.number}:0` })
			.waitForOriginal();
		expect(crossServer.content).toMatch(/names a poll of another server/);
		expect(isEphemeral(crossServer)).toBe(true);
		const malformed = await s.fake.click({ user: world.bob, message: forged('pv:nonsense'), customId: 'pv:nonsense' }).waitForOriginal();
		expect(malformed.content).toMatch(/not one the bot made/);
		const unapproved = await s.fake
			.click({ user: world.bob, message: forged(`pv:${world.unapproved.id}:1:0`, world.unapproved), customId: `pv:${world.unapproved.id}:1:0` })
			.waitForOriginal();
		expect(unapproved.content).toMatch(/waiting for approval/);
		expect((await runCommand(s, world.bob, world.unapproved.id, 'poll list')).content).toMatch(/waiting for approval/);
		const [count] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		expect(count!.count).toBe(0);
		expectCleanProtocol(s.fake);
	});

	test('WHEN the poll message was deleted THEN the poll can still be closed and exported', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Gone?', options: 'a | b' });
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		const response = await fetch(`${s.fake.restBase}/v10/channels/${poll.message.channel_id}/messages/${poll.message.id}`, {
			method: 'DELETE',
			headers: { Authorization: 'Bot moderator-deletes-it' }
		});
		expect(response.status).toBe(204);
		expect((await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) })).content).toBe(
			`Poll #${poll.number} is closed.`
		);
		const exported = await runCommand(s, world.alice, world.guild.id, 'poll export', { poll: String(poll.number) });
		expect(exported.attachments.find((file) => file.filename === `poll-${poll.number}.csv`)?.text).toBe('option,votes\r\na,1\r\nb,0\r\n');
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		expect(s.output()).not.toMatch(/Unexpected error|Updating poll message .* failed|Announcing the close/);
		expectCleanProtocol(s.fake);
	});

	test('WHEN 1,000 members vote at once THEN the count is exactly 1,000, edits are at most one per 2 s, and the last is exact', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Busy?', options: 'a | b | c' });
		const members = Array.from({ length: 1_000 }, (_, index) => {
			const user = s.fake.createUser({ username: `voter${index}` });
			s.fake.addMember(world.guild.id, user.id);
			return user;
		});
		const commits = async () => {
			const [row] = await sql<
				{ commits: number }[]
			>`select xact_commit::int as commits from pg_stat_database where datname = current_database()`;
			return row!.commits;
		};
		const commitsBefore = await commits();
		const started = Date.now();
		const replies = await inBatches(members.length, 40, (index) =>
			clickButton(s, members[index]!, poll.message, `pv:${world.guild.id}:${poll.number}:${index % 3}`)
		);
		expect(replies.every((reply) => reply.content.startsWith(`Your vote in poll #${poll.number}`))).toBe(true);
		const final = await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '334,333,333', 8_000);
		expect(embedDescription(final)).toContain('Voters: 1,000 ');
		await new Promise((resolve) => setTimeout(resolve, 2_500));
		const patches = pollMessageEdits(s, poll.message.id).filter((entry) => entry.at >= started);
		for (let index = 1; index < patches.length; index++) expect(patches[index]!.at - patches[index - 1]!.at).toBeGreaterThanOrEqual(1_900);
		expect(patches.length).toBeLessThanOrEqual(Math.ceil((patches.at(-1)!.at - started) / 2_000) + 1);
		expect(shownCounts(currentMessage(s, poll.message))).toEqual(['334', '333', '333']);
		const [count] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		expect(count!.count).toBe(1_000);
		// The votes in flight share their statements (src/lib/polls/vote-batches.ts): far fewer commits than votes.
		// PostgreSQL publishes a backend's counts within a second of its last transaction; the wait above covers it.
		const votesCommitted = (await commits()) - commitsBefore;
		expect(votesCommitted, 'transactions committed for 1,000 votes').toBeLessThan(500);
		expectCleanProtocol(s.fake);
	}, 90_000);
});
