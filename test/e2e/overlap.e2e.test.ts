import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Route, type FakeGuild, type FakeUser } from '../fake-discord/index.js';
import type { InteractionHandle } from '../fake-discord/interactions.js';
import { expectCleanProtocol, useStack, type BotProcess } from './harness.js';
import {
	approve,
	clickButton,
	createPollByCommand,
	currentMessage,
	embedDescription,
	inBatches,
	isEphemeral,
	openStackDatabase,
	shownCounts,
	waitForPollMessage
} from '../support/polls.js';

const world = {} as { guild: FakeGuild; alice: FakeUser; voters: FakeUser[] };
const voterCount = 40;

/** Whether `promise` settles within `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
	return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(resolve, ms, false))]);
}

/** How many times each process said it stood down; one line per interaction it lost. */
function standDowns(bot: BotProcess) {
	return (bot.output().match(/standing down|already acknowledged \(40060\)/g) ?? []).length;
}

/**
 * A deploy overlap: two bot processes identify the same shard, so each INTERACTION_CREATE reaches both (as on Discord).
 * Whatever a member does must happen once and be answered once.
 */
describe('GIVEN two bot processes on the same shard (a deploy overlap)', () => {
	const stack = useStack({
		env: { SHARD_COUNT: '1', SHARD_IDS: '0', LOG_LEVEL: 'debug' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.guild = fake.createGuild({ name: 'Overlap', ownerId: world.alice.id });
			fake.addMember(world.guild.id, world.alice.id);
			world.voters = Array.from({ length: voterCount }, (_, index) => {
				const voter = fake.createUser({ username: `voter${index}` });
				fake.addMember(world.guild.id, voter.id);
				return voter;
			});
		}
	});
	let sql: postgres.Sql;
	let second: BotProcess;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id);
		second = await stack().startSecondBot();
	}, 60_000);
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	/** Every interaction reached both processes, and exactly one answered it (nobody tried a second callback). */
	async function expectAnsweredOnce(handles: readonly InteractionHandle[]) {
		for (const handle of handles) {
			await handle.response;
			expect(handle.record.deliveredTo, `interaction ${handle.id} reached both sessions`).toBe(2);
			expect(handle.record.repeatedCallbacks, `interaction ${handle.id} answered once`).toEqual([]);
		}
	}

	test('WHEN members create, vote by button and by menu, and close THEN each happens once, one answer each, the loser silent', async () => {
		const s = stack();
		expect(s.fake.sessions(0).filter((session) => session.connected)).toHaveLength(2);
		const before = standDowns(s.bot) + standDowns(second);

		const buttons = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Buttons?', options: 'a | b | c', duration: '1h' });
		const menu = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Menu?',
			options: 'a | b | c',
			max_choices: 2,
			duration: '1h'
		});
		const [created] = await sql<{ count: number }[]>`select count(*)::int as count from polls where guild_id = ${world.guild.id}`;
		expect(created!.count, 'one poll per /poll create').toBe(2);

		// The burst: every voter toggles a button and submits the menu, all at once.
		const vote = (index: number) => `pv:${world.guild.id}:${buttons.number}:${index % 3}`;
		const picks = (index: number) => [String(index % 3), String((index + 1) % 3)];
		const burst = await inBatches(voterCount * 2, 20, async (index) => {
			const voter = world.voters[index % voterCount]!;
			return index < voterCount
				? s.fake.click({ user: voter, message: currentMessage(s, buttons.message), customId: vote(index) })
				: s.fake.select({
						user: voter,
						message: currentMessage(s, menu.message),
						customId: `ps:${world.guild.id}:${menu.number}`,
						values: picks(index % voterCount)
					});
		});
		await expectAnsweredOnce(burst);
		for (const handle of burst) expect(isEphemeral(await handle.waitForOriginal())).toBe(true);

		// Past the double-click window, every other voter toggles again: a retraction, also once.
		await new Promise((resolve) => setTimeout(resolve, 1_700));
		const retractions = await inBatches(voterCount / 2, 20, (half) =>
			Promise.resolve(s.fake.click({ user: world.voters[half * 2]!, message: currentMessage(s, buttons.message), customId: vote(half * 2) }))
		);
		await expectAnsweredOnce(retractions);
		for (const handle of retractions)
			expect((await handle.waitForOriginal()).content).toMatch(
				new RegExp(`^Your vote for \\*\\*.+\\*\\* in poll #${buttons.number} was removed\\.$`)
			);

		const rows = await sql<{ poll: number; voter: string; option: number }[]>`
			select poll_number as poll, voter, option_index as option from poll_votes where guild_id = ${world.guild.id}`;
		const votesOf = (poll: number, voter: FakeUser) =>
			rows
				.filter((row) => row.poll === poll && row.voter === voter.id)
				.map((row) => row.option)
				.sort();
		world.voters.forEach((voter, index) => {
			expect(votesOf(buttons.number, voter), `${voter.username}'s button vote`).toEqual(index % 2 === 0 ? [] : [index % 3]);
			expect(votesOf(menu.number, voter), `${voter.username}'s menu vote`).toEqual(picks(index).map(Number).sort());
		});

		const close = s.fake.click({
			user: world.alice,
			message: currentMessage(s, buttons.message),
			customId: `pc:${world.guild.id}:${buttons.number}`
		});
		await expectAnsweredOnce([close]);
		expect((await close.waitForOriginal()).content).toContain(`#${buttons.number}`);
		await waitForPollMessage(s, buttons.message, (message) => /Winner|Tie/.test(embedDescription(message)), 10_000);
		// The notice follows the closing edit (and its chart); then a second one would have had time to come.
		const notices = () =>
			s.fake
				.messages(buttons.message.channel_id)
				.filter((message) => !isEphemeral(message) && message.content.startsWith(`Poll #${buttons.number} is closed.`));
		await expect.poll(() => notices().length, { timeout: 10_000 }).toBeGreaterThan(0);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		expect(notices(), 'one closing notice').toHaveLength(1);

		// Each interaction that changed something was claimed once; the process that lost said one debug line, no more.
		const changes = 2 + burst.length + retractions.length + 1;
		const [claims] = await sql<{ count: number }[]>`select count(*)::int as count from interaction_claims`;
		expect(claims!.count).toBe(changes);
		expect(standDowns(s.bot) + standDowns(second) - before).toBe(changes);
		expect(s.output()).not.toMatch(/ ERROR |40060.*\n\s+at /);
		expectCleanProtocol(s.fake);
	}, 90_000);

	test('WHEN the process that cast a vote cannot get its answer out THEN the other answers for it within 3 s, with what was stored', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Stand-by?', options: 'a | b', duration: '1h' });
		const voter = world.voters[0]!;
		// The winner's answer meets a 429 that holds it for 6 s: to the member, as if that process had stopped.
		s.fake.rateLimitNext(Route.interactionCallback, 1, 6);
		const click = s.fake.click({ user: voter, message: currentMessage(s, poll.message), customId: `pv:${world.guild.id}:${poll.number}:0` });
		const answer = await click.waitForOriginal();
		expect(click.callbackMs).toBeLessThan(3_000);
		expect(answer.content).toBe(`Your vote in poll #${poll.number}: **a**.`);
		expect(isEphemeral(answer)).toBe(true);
		const rows = await sql`select 1 from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number} and voter = ${voter.id}`;
		expect(rows).toHaveLength(1);
		expect(s.output()).toContain('did not answer it; answering for it');
		// The held answer goes out 6 s in, past Discord's 3 s: refused (10062), as a stalled process's would be, and
		// the member's reply stays as it was. Those late callbacks are the only rule the bots broke.
		await new Promise((resolve) => setTimeout(resolve, 5_000));
		expect(click.original?.content).toBe(`Your vote in poll #${poll.number}: **a**.`);
		expect(s.output()).not.toMatch(/ ERROR /);
		const problems = s.fake.protocolProblems();
		expect(problems.length).toBeGreaterThan(0);
		for (const problem of problems)
			expect(problem).toMatch(
				new RegExp(`callback → 404 10062: click pv:${world.guild.id}:${poll.number}:0: callback \\d+ ms after the 3 s deadline`)
			);
	}, 30_000);
	test("WHEN one process's older edit of a poll lands after the other's newer one THEN it sees so and edits again", async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Order?', options: 'a | b', duration: '1h' });
		const bots = [s.bot, second];
		const held = s.fake.holdNext((request) => request.method === 'PATCH' && request.path.endsWith(`/messages/${poll.message.id}`));
		let caster: BotProcess | undefined;
		try {
			const first = s.fake.click({
				user: world.voters[1]!,
				message: currentMessage(s, poll.message),
				customId: `pv:${world.guild.id}:${poll.number}:0`
			});
			await first.waitForOriginal();
			// The process that cast the first vote sends the edit showing it, and that edit is held: slow at Discord.
			await expect(within(held.arrived, 10_000), 'the edit of the first vote reached Discord').resolves.toBe(true);
			const stoodDown = (bot: BotProcess) =>
				bot
					.output()
					.split('\n')
					.some((line) => line.includes(first.id) && /standing down|already acknowledged \(40060\)/.test(line));
			await expect.poll(() => bots.filter(stoodDown).length, { timeout: 10_000 }).toBe(1);
			caster = bots.find((bot) => !stoodDown(bot))!;
			// The caster stops, so the other casts the second vote and its edit (showing both) lands first.
			process.kill(caster.pid!, 'SIGSTOP');
			await clickButton(s, world.voters[2]!, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
			await waitForPollMessage(s, poll.message, (message) => shownCounts(message)[0] === '2');
			held.release();
			await waitForPollMessage(s, poll.message, (message) => shownCounts(message)[0] === '1');
		} finally {
			// Released whatever happened: a request held forever would hang the stack's shutdown and hide the failure.
			held.release();
			if (caster !== undefined) process.kill(caster.pid!, 'SIGCONT');
		}
		// The held edit, older, landed last; the process that sent it reads the database once it has landed.
		await waitForPollMessage(s, poll.message, (message) => shownCounts(message)[0] === '2', 8_000);
		const [deltas] = await sql<{ count: number }[]>`
			select count(*)::int as count from poll_count_deltas where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		expect(deltas!.count, 'every vote shown, so folded').toBe(0);
		expect(s.output()).not.toMatch(/ ERROR /);
	}, 30_000);
});
