import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeGuild, FakeMessage } from '../fake-discord/index.js';
import { expectCleanProtocol, useStack, type Stack } from './harness.js';
import { approve, embedDescription, isEphemeral, openStackDatabase, submitSelect } from '../support/polls.js';

const world = {} as { guild: FakeGuild };
const long = (index: number) => `${String(index).padStart(2, '0')}${'*'.repeat(78)}`;

/** What members send, and what the answer must be. Adding a case is one line. */
const cases: Array<[name: string, send: (s: Stack) => Promise<FakeMessage>, expect: (answer: FakeMessage) => void]> = [
	['a question of zero-width spaces', (s) => create(s, { question: '\u200B\u200B', options: 'a | b' }), refusedWith(/no visible character/)],
	['an option of a braille blank', (s) => create(s, { question: 'Q?', options: 'a | \u2800' }), refusedWith(/Option 2 has no visible character/)],
	['a duration of 1e9m', (s) => create(s, { question: 'Q?', options: 'a | b', duration: '1e9m' }), refusedWith(/is not a duration/)],
	['a duration in full-width digits', (s) => create(s, { question: 'Q?', options: 'a | b', duration: '１０m' }), refusedWith(/is not a duration/)],
	['a right-to-left override', (s) => create(s, { question: 'Open \u202Eexe.gpj?', options: 'a | b' }), posted((text) => !text.includes('\u202E'))],
	[
		'a masked link',
		(s) => create(s, { question: '[click me](https://example.com/x)?', options: 'a | b' }),
		posted((text) => text.includes('[click me] (https://example.com/x)'))
	],
	['every mention form', (s) => create(s, { question: '@everyone @here <@1> <@&2> <#3> </poll create:4>', options: 'a | b' }), posted(() => true)],
	[
		'a 20-digit server id',
		(s) => s.fake.slash({ user: s.owner, command: 'admin approve', options: { server: '99999999999999999999' } }).waitForOriginal(),
		refusedWith(/is not a server id/)
	]
];

function create(s: Stack, options: Record<string, string | number>) {
	return s.fake.slash({ user: s.owner, guildId: world.guild.id, command: 'poll create', options }).waitForOriginal();
}

function refusedWith(pattern: RegExp) {
	return (answer: FakeMessage) => {
		expect(isEphemeral(answer)).toBe(true);
		expect(answer.content).toMatch(pattern);
	};
}

function posted(check: (description: string) => boolean) {
	return (answer: FakeMessage) => {
		expect(isEphemeral(answer), answer.content).toBe(false);
		expect(check(embedDescription(answer)), embedDescription(answer)).toBe(true);
		expect(answer.pinged).toEqual({ everyone: false, roles: [], users: [] });
	};
}

describe('GIVEN members sending hostile input', () => {
	const stack = useStack({
		setup: (fake) => {
			world.guild = fake.createGuild({ name: 'Hostile' });
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		stack().fake.addMember(world.guild.id, stack().owner.id);
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
	});

	test.each(cases)('WHEN a member sends %s THEN the answer is as expected', async (_name, send, check) => {
		check(await send(stack()));
		expectCleanProtocol(stack().fake);
	});

	test('WHEN a member picks all 25 long options THEN the confirmation fits in 2,000 characters and the vote counts', async () => {
		const s = stack();
		const options = Array.from({ length: 25 }, (_, index) => long(index)).join(' | ');
		const poll = await create(s, { question: 'Long?', options, max_choices: 25 });
		const number = Number(/Poll #(\d+)/.exec((poll.embeds[0] as { title?: string }).title ?? '')?.[1]);
		const values = Array.from({ length: 25 }, (_, index) => String(index));
		const answer = await submitSelect(s, s.owner, poll, `ps:${world.guild.id}:${number}`, values);
		expect(answer.content.startsWith(`Your vote in poll #${number}:`), answer.content).toBe(true);
		expect(answer.content.length).toBeLessThanOrEqual(2_000);
		expect(answer.content).toMatch(/… and \d+ more/);
		const [row] = await sql<
			{ count: number }[]
		>`select count(*)::int as count from poll_votes where guild_id = ${world.guild.id} and poll_number = ${number}`;
		expect(row!.count).toBe(25);
		expectCleanProtocol(s.fake);
	});

	test('WHEN autocomplete gets SQL-looking or 200-character text THEN it suggests (maybe nothing) and nothing breaks', async () => {
		const s = stack();
		for (const typed of ["'; drop table polls; --", '%_\\', 'x'.repeat(200)]) {
			const handle = s.fake.autocomplete({
				user: s.owner,
				guildId: world.guild.id,
				command: 'poll results',
				options: { poll: typed },
				focused: 'poll'
			});
			const body = (await handle.response) as { type: number; data: { choices: unknown[] } };
			expect(body.type).toBe(8);
			expect(Array.isArray(body.data.choices)).toBe(true);
		}
		expect(await sql`select 1 from polls limit 1`).toBeDefined();
		expect(s.output()).not.toMatch(/ ERROR /);
		expectCleanProtocol(s.fake);
	});
});
