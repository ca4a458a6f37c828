/**
 * Issue 14 end to end: ranked ballots counted by instant runoff, weighted votes by role, charts on the close and on
 * /poll results, and the Voters list; the built bot against the fake Discord and a real PostgreSQL.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
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
	guild: FakeGuild;
	gold: FakeRole;
	silver: FakeRole;
	alice: FakeUser;
	bob: FakeUser;
	carol: FakeUser;
	weighty: FakeUser;
	plain: FakeUser;
	crowd: FakeUser[];
};

const [A, B, C, D, E] = [0, 1, 2, 3, 4];

/** Opens the ballot with **Rank** and submits `ranks` (first choice first; `null` leaves a menu empty). */
async function rank(s: Stack, user: FakeUser, message: FakeMessage, number: number, ranks: readonly (number | null)[]): Promise<FakeMessage> {
	const open = s.fake.click({ user, message: currentMessage(s, message), customId: `pr:${world.guild.id}:${number}` });
	const response = (await open.response) as { type: number };
	expect(response.type, 'Rank answers with a modal').toBe(9);
	const values = Object.fromEntries(ranks.map((option, position) => [`r${position + 1}`, option === null ? [] : [String(option)]]));
	return s.fake.modalSubmit({ from: open, user, values }).waitForOriginal();
}

/** `times` copies of a ranking, for {@link castAll}. */
function times(count: number, ranking: number[]): number[][] {
	return Array.from({ length: count }, () => ranking);
}

async function castAll(s: Stack, message: FakeMessage, number: number, rankings: readonly number[][], offset = 0) {
	await inBatches(rankings.length, 10, async (index) => {
		const answer = await rank(s, world.crowd[offset + index]!, message, number, rankings[index]!);
		expect(answer.content).toMatch(/Your ballot in poll/);
	});
}

/** Checks an attachment is a real PNG chart: signature, IHDR size, and drawn (not blank) pixels. */
async function expectChart(attachment: { filename: string; data: Buffer } | undefined, number: number) {
	expect(attachment?.filename).toBe(`poll-${number}.png`);
	const data = attachment!.data;
	expect([...data.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	expect(data.toString('ascii', 12, 16)).toBe('IHDR');
	const width = data.readUInt32BE(16);
	const height = data.readUInt32BE(20);
	expect(width).toBeGreaterThanOrEqual(600);
	expect(height).toBeGreaterThanOrEqual(150);
	const image = await loadImage(data);
	expect([image.width, image.height]).toEqual([width, height]);
	const canvas = createCanvas(width, height);
	const context = canvas.getContext('2d');
	context.drawImage(image, 0, 0);
	const pixels = context.getImageData(0, 0, width, height).data;
	let drawn = 0;
	for (let index = 0; index < pixels.length; index += 4)
		if (pixels[index] !== 255 || pixels[index + 1] !== 255 || pixels[index + 2] !== 255) drawn++;
	expect(drawn / (width * height), 'share of non-background pixels').toBeGreaterThan(0.02);
}

function isClosedMessage(message: FakeMessage): boolean {
	return ((message.embeds[0] as { title?: string } | undefined)?.title ?? '').endsWith('(closed)');
}

describe('GIVEN an approved server with ranked, weighted and voter-showing polls', () => {
	const stack = useStack({
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.bob = fake.createUser({ username: 'bob' });
			world.carol = fake.createUser({ username: 'carol' });
			world.weighty = fake.createUser({ username: 'weighty' });
			world.plain = fake.createUser({ username: 'plain' });
			world.guild = fake.createGuild({ name: 'Ballots Inc', ownerId: world.alice.id });
			world.gold = fake.createRole(world.guild.id, { name: 'Gold' });
			world.silver = fake.createRole(world.guild.id, { name: 'Silver' });
			fake.addMember(world.guild.id, world.bob.id);
			fake.addMember(world.guild.id, world.carol.id);
			fake.addMember(world.guild.id, world.weighty.id, { roles: [world.gold.id, world.silver.id] });
			fake.addMember(world.guild.id, world.plain.id);
			world.crowd = Array.from({ length: 500 }, (_, index) => fake.createUser({ username: `voter${index}` }));
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id);
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test('WHEN 60 ranked ballots make the leader lose in the runoff THEN the rounds match a hand count, and the close, chart and export follow', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Mascot?',
			options: 'Alpha | Bravo | Charlie | Delta | Echo',
			ranked: true
		});
		const buttons = (poll.message.components as { components: { custom_id: string }[] }[]).flatMap((row) =>
			row.components.map((c) => c.custom_id)
		);
		expect(buttons).toEqual([
			`pr:${world.guild.id}:${poll.number}`,
			`pm:${world.guild.id}:${poll.number}`,
			`pc:${world.guild.id}:${poll.number}`
		]);
		expect(embedDescription(poll.message)).toMatch(/Rank the options/);

		// The modal: one menu per rank, five for five options, each inside a Label.
		const open = s.fake.click({ user: world.bob, message: poll.message, customId: `pr:${world.guild.id}:${poll.number}` });
		const modal = (await open.response).data as unknown as { components: { type: number; component: { custom_id: string } }[] };
		expect(modal.components.map((component) => [component.type, component.component.custom_id])).toEqual([
			[18, 'r1'],
			[18, 'r2'],
			[18, 'r3'],
			[18, 'r4'],
			[18, 'r5']
		]);
		// An option used twice is refused, and nothing is written.
		const twice = await s.fake.modalSubmit({ from: open, values: { r1: ['1'], r2: ['1'] } }).waitForOriginal();
		expect(isEphemeral(twice)).toBe(true);
		expect(twice.content).toBe('You picked “Bravo” as choice 1 and choice 2: each option can take one rank only. Nothing was recorded.');
		// A ballot, shown back by My vote; then an empty first choice removes it.
		expect((await rank(s, world.bob, poll.message, poll.number, [C, A])).content).toBe(
			`Your ballot in poll #${poll.number}: 1. **Charlie**, 2. **Alpha**.`
		);
		expect((await clickButton(s, world.bob, poll.message, `pm:${world.guild.id}:${poll.number}`)).content).toMatch(
			/1\. \*\*Charlie\*\*, 2\. \*\*Alpha\*\*/
		);
		expect((await rank(s, world.bob, poll.message, poll.number, [null, B])).content).toBe(`You have no vote in poll #${poll.number}.`);
		const [{ left }] = await sql<{ left: number }[]>`
			select count(*)::int as left from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}
		`;
		expect(left).toBe(0);

		// By hand: R1 A22 B16 C12 D6 E4 of 60. E goes (4 to D). R2 A22 B16 C12 D10. D goes (10 to B). R3 A22 B26 C12.
		// C goes (12 to B). R4 A22 B38: Bravo wins although Alpha led the first choices.
		await castAll(s, poll.message, poll.number, [
			...times(22, [A]),
			...times(16, [B, C]),
			...times(12, [C, B]),
			...times(6, [D, B]),
			...times(4, [E, D, B])
		]);
		const results = await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(results.content).toContain('Voters: 60');
		expect(results.content).toContain(
			[
				'Round 1: Alpha 22 · Bravo 16 · Charlie 12 · Delta 6 · Echo 4',
				'Echo is eliminated; its votes went to Delta 4.',
				'Round 2: Alpha 22 · Bravo 16 · Charlie 12 · Delta 10',
				'Delta is eliminated; its votes went to Bravo 10.',
				'Round 3: Alpha 22 · Bravo 26 · Charlie 12',
				'Charlie is eliminated; its votes went to Bravo 12.',
				'Round 4: Alpha 22 · Bravo 38'
			].join('\n')
		);
		await expectChart(results.attachments[0], poll.number);
		const open60 = await waitForPollMessage(s, poll.message, (message) => shownCounts(message).join() === '22,16,12,6,4');
		expect(embedDescription(open60)).toContain('Round 4: Alpha 22 · Bravo 38');

		await clickButton(s, world.alice, poll.message, `pc:${world.guild.id}:${poll.number}`);
		const closed = await waitForPollMessage(s, poll.message, (message) => message.attachments.length === 1 && isClosedMessage(message));
		expect(embedDescription(closed)).toContain('**Winner: Bravo**');
		expect((closed.embeds[0] as { image?: { url: string } }).image?.url).toBe(`attachment://poll-${poll.number}.png`);
		await expectChart(closed.attachments[0], poll.number);
		const notice = await s.fake.waitForMessage(
			(message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`)
		);
		expect(notice.content).toContain('Winner: Bravo');
		await expectChart(notice.attachments[0], poll.number);

		const exported = await runCommand(s, world.alice, world.guild.id, 'poll export', { poll: String(poll.number) });
		const counts = exported.attachments.find((file) => file.filename === `poll-${poll.number}.csv`)!.text;
		expect(counts).toBe('option,first_choices,final_round\r\nAlpha,22,22\r\nBravo,16,38\r\nCharlie,12,0\r\nDelta,6,0\r\nEcho,4,0\r\n');
		const votes = exported.attachments
			.find((file) => file.filename === `poll-${poll.number}-votes.csv`)!
			.text.trim()
			.split('\r\n');
		expect(votes[0]).toBe('user_id,rank,option,voted_at');
		expect(votes).toHaveLength(1 + 22 + 16 * 2 + 12 * 2 + 6 * 2 + 4 * 3);
		const echoVoter = world.crowd[22 + 16 + 12 + 6]!.id;
		expect(votes.filter((line) => line.startsWith(`${echoVoter},`)).map((line) => line.split(',').slice(1, 3).join())).toEqual([
			'1,Echo',
			'2,Delta',
			'3,Bravo'
		]);
		expectCleanProtocol(s.fake);
	});

	test('WHEN ranked ballots tie for fewest THEN the previous round, then the option order, decide and the answer says so', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Tie?',
			options: 'Alpha | Bravo | Charlie',
			ranked: true
		});
		// By hand: R1 A2 B1 C1, no round before: C (listed last) goes, to B. R2 A2 B2: B had 1 before, A 2: B goes.
		await castAll(s, poll.message, poll.number, [...times(2, [A]), [B, A], [C, B]], 100);
		const results = await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		expect(results.content).toBe(`Poll #${poll.number} is closed.`);
		const answer = await runCommand(s, world.bob, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(answer.content).toContain(
			'Charlie is eliminated, tied for fewest with Bravo (no fewer votes in the round before: the option listed last goes); its votes went to Bravo 1.'
		);
		expect(answer.content).toContain(
			'Bravo is eliminated, tied for fewest with Alpha (fewer votes in the previous round); its votes went to Alpha 1, 1 had no choice left.'
		);
		expect(answer.content).toContain('Winner: Alpha');
		expectCleanProtocol(s.fake);
	});

	test('WHEN roles carry weights THEN a vote counts with the highest, kept after a role change; raw and weighted totals are shown and exported', async () => {
		const s = stack();
		expect((await runCommand(s, world.alice, world.guild.id, 'settings weight', { role: world.gold.id, weight: 5 })).content).toMatch(/weight 5/);
		await runCommand(s, world.alice, world.guild.id, 'settings weight', { role: world.silver.id, weight: 3 });
		const shown = await runCommand(s, world.alice, world.guild.id, 'settings show');
		// /settings show lists every setting in one embed: the language first, then the weights.
		expect(embedDescription(shown)).toContain(`Role weights (in weighted polls):\n<@&${world.gold.id}>: 5\n<@&${world.silver.id}>: 3`);

		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Colour?', options: 'Red | Blue', weighted: true });
		expect(embedDescription(poll.message)).toMatch(/weighted by role/);
		await clickButton(s, world.weighty, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		await clickButton(s, world.plain, poll.message, `pv:${world.guild.id}:${poll.number}:1`);
		// Gold is taken away after the vote: the vote keeps the weight it was cast with.
		s.fake.addMember(world.guild.id, world.weighty.id, { roles: [world.silver.id] });
		const message = await waitForPollMessage(s, poll.message, (candidate) => shownCounts(candidate).join() === '5,1');
		expect(shownCounts(message)).toEqual(['5', '1']);
		const results = await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(results.content).toMatch(/1\. Red: .*5 votes.*\(5 weighted, 1 raw\)/);
		expect(results.content).toMatch(/2\. Blue: .*1 vote.*\(1 weighted, 1 raw\)/);
		const exported = await runCommand(s, world.alice, world.guild.id, 'poll export', { poll: String(poll.number) });
		expect(exported.attachments.find((file) => file.filename === `poll-${poll.number}.csv`)!.text).toBe(
			'option,votes,weighted_votes\r\nRed,1,5\r\nBlue,1,1\r\n'
		);

		// An anonymous weighted poll stores the weight (Silver's 3 now) under the voter key, never the member.
		const secret = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Secret?',
			options: 'Yes | No',
			weighted: true,
			anonymous: true
		});
		await clickButton(s, world.weighty, secret.message, `pv:${world.guild.id}:${secret.number}:0`);
		const rows = await sql<{ voter: string; weight: number }[]>`
			select voter, weight from poll_votes where guild_id = ${world.guild.id} and poll_number = ${secret.number}
		`;
		expect(rows).toHaveLength(1);
		expect(rows[0]!.weight).toBe(3);
		expect(rows[0]!.voter).not.toContain(world.weighty.id);
		await runCommand(s, world.alice, world.guild.id, 'settings weight', { role: world.gold.id, weight: 1 });
		expect((await runCommand(s, world.alice, world.guild.id, 'settings show')).content).not.toContain(world.gold.id);
		expectCleanProtocol(s.fake);
	});

	test('WHEN a poll hides its results THEN /poll results attaches no chart before the close and one after', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Hidden?', options: 'Yes | No', hide_results: true });
		await clickButton(s, world.bob, poll.message, `pv:${world.guild.id}:${poll.number}:0`);
		const before = await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(before.content).toMatch(/hidden until it closes/);
		expect(before.attachments).toEqual([]);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(poll.number) });
		const after = await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) });
		await expectChart(after.attachments[0], poll.number);
		expectCleanProtocol(s.fake);
	});

	test('WHEN show_voters is always, after_close, or asked with anonymous THEN Voters lists, waits for the close, or is refused with the reason', async () => {
		const s = stack();
		const always = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Open book?',
			options: 'Pizza | Sushi',
			show_voters: 'always'
		});
		await clickButton(s, world.bob, always.message, `pv:${world.guild.id}:${always.number}:1`);
		const list = await clickButton(s, world.carol, always.message, `pw:${world.guild.id}:${always.number}:0`);
		expect(isEphemeral(list)).toBe(true);
		expect(list.content).toBe(`Who voted in poll #${always.number}, page 1 of 1:\n<@${world.bob.id}>: Sushi`);
		// Past one page (20 members), Next turns the ephemeral answer's page in place.
		await inBatches(24, 8, (index) => clickButton(s, world.crowd[200 + index]!, always.message, `pv:${world.guild.id}:${always.number}:0`));
		const first = await clickButton(s, world.carol, always.message, `pw:${world.guild.id}:${always.number}:0`);
		expect(first.content.split('\n')).toHaveLength(21);
		expect(first.content).toMatch(/page 1 of 2:/);
		const next = s.fake.click({ user: world.carol, message: first, customId: `pw:${world.guild.id}:${always.number}:1` });
		expect(((await next.response) as { type: number }).type, 'the page is updated in place').toBe(7);
		const second = s.fake.message(first.id)!;
		expect(second.content).toMatch(/page 2 of 2:/);
		expect(second.content.split('\n')).toHaveLength(1 + 5);

		const later = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Later?',
			options: 'Yes | No',
			show_voters: 'after_close'
		});
		const votersButton = (later.message.components.at(-1) as { components: { custom_id: string; disabled?: boolean }[] }).components.at(-1)!;
		expect(votersButton).toMatchObject({ custom_id: `pw:${world.guild.id}:${later.number}:0`, disabled: true });
		await clickButton(s, world.bob, later.message, `pv:${world.guild.id}:${later.number}:0`);
		await runCommand(s, world.alice, world.guild.id, 'poll close', { poll: String(later.number) });
		await waitForPollMessage(s, later.message, (message) => isClosedMessage(message));
		const afterClose = await clickButton(s, world.carol, later.message, `pw:${world.guild.id}:${later.number}:0`);
		expect(afterClose.content).toContain(`<@${world.bob.id}>: Yes`);

		const refused = await runCommand(s, world.alice, world.guild.id, 'poll create', {
			question: 'Q',
			options: 'a | b',
			anonymous: true,
			show_voters: 'always'
		});
		expect(isEphemeral(refused)).toBe(true);
		expect(refused.content).toBe(
			'An anonymous poll cannot show its voters: it never stores who voted. Choose anonymous or show_voters, not both.'
		);
		expectCleanProtocol(s.fake);
	});

	test('WHEN 500 members submit ranked ballots at once THEN every ballot counts exactly once', { timeout: 120_000 }, async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, {
			question: 'Crowd?',
			options: 'Alpha | Bravo | Charlie',
			ranked: true
		});
		await inBatches(500, 50, async (index) => {
			const answer = await rank(s, world.crowd[index]!, poll.message, poll.number, [index % 3, (index + 1) % 3]);
			expect(answer.content).toMatch(/Your ballot in poll/);
		});
		const [row] = await sql<{ voters: number; rows: number; firsts: number }[]>`
			select count(distinct voter)::int as voters, count(*)::int as rows, count(*) filter (where rank = 1)::int as firsts
			from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}
		`;
		expect(row).toEqual({ voters: 500, rows: 1000, firsts: 500 });
		const results = await runCommand(s, world.alice, world.guild.id, 'poll results', { poll: String(poll.number) });
		expect(results.content).toContain('Voters: 500');
		expect(results.content).toContain('Round 1: Alpha 167 · Bravo 167 · Charlie 166');
		expectCleanProtocol(s.fake);
	});
});
