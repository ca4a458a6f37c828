import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FakeGuild, FakeUser } from '../fake-discord/index.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { approve, holdLock, isEphemeral, openStackDatabase } from '../support/polls.js';
import { expectCleanProtocol, useStack, type BotProcess } from './harness.js';

const world = {} as { guild: FakeGuild; alice: FakeUser };

/**
 * A deploy overlap in which one process cannot reach the database (its network to it is cut) while the other can: the
 * first cannot claim a `/poll create`, so it cannot know whether the other did. It must neither answer first nor
 * delete the public reply, which may already be the new poll.
 */
describe('GIVEN two processes on the same shard, one of them cut off from the database', () => {
	const stack = useStack({
		env: { SHARD_COUNT: '1', SHARD_IDS: '0', LOG_LEVEL: 'debug' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.guild = fake.createGuild({ name: 'Half cut', ownerId: world.alice.id });
			fake.addMember(world.guild.id, world.alice.id);
		}
	});
	let sql: postgres.Sql;
	let proxy: TcpProxy;
	let cutOff: BotProcess;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id);
		const database = new URL(stack().database.url);
		proxy = await TcpProxy.start({ host: database.hostname, port: Number(database.port) });
		cutOff = await stack().startSecondBot({ DATABASE_URL: proxy.rewrite(stack().database.url) });
		await proxy.cut();
	}, 60_000);
	afterAll(async () => {
		await proxy.close();
		await sql.end({ timeout: 1 });
	});

	test('WHEN a member creates a poll THEN it is posted once, in public, and nobody tells its creator it failed', async () => {
		const s = stack();
		const create = s.fake.slash({
			user: world.alice,
			guildId: world.guild.id,
			command: 'poll create',
			options: { question: 'Who answers?', options: 'a | b' }
		});
		const posted = await create.waitForOriginal(10_000);
		expect((posted.embeds[0] as { title?: string }).title).toMatch(/^Poll #\d+$/);
		expect(isEphemeral(posted)).toBe(false);
		expect(create.callbackMs).toBeLessThan(3_000);
		// The cut-off process looks again once the other has had its time, and finds the reply answered.
		await cutOff.waitForOutput('Answered by another process', 15_000);
		expect(create.original?.deleted ?? false).toBe(false);
		expect(create.followUps).toEqual([]);
		const [polls] = await sql<{ count: number }[]>`select count(*)::int as count from polls where guild_id = ${world.guild.id}`;
		expect(polls!.count).toBe(1);
		expect(s.output()).not.toMatch(/ERROR Unexpected error while handling an interaction/);
		expectCleanProtocol(s.fake);
	}, 30_000);

	test('WHEN the other process posts the poll only after the cut-off one gave up and told the member THEN the poll is undone, and nothing more is said', async () => {
		const s = stack();
		// The create waits on the database past the deferral, so the poll goes out as an edit of the public reply; that
		// edit is held until the cut-off process has looked at the reply (still thinking), deleted it and answered.
		const counters = await holdLock(sql, 'poll_counters');
		const held = s.fake.holdNext((request) => request.method === 'PATCH' && request.path.endsWith('/messages/@original'));
		const create = s.fake.slash({
			user: world.alice,
			guildId: world.guild.id,
			command: 'poll create',
			options: { question: 'Too late?', options: 'a | b' }
		});
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		await counters.release();
		await held.arrived;
		const told = await create.waitForFollowUp(0, 15_000);
		expect(told.content).toMatch(/temporarily unavailable/);
		held.release();
		await s.bot.waitForOutput('The reply was removed by another process', 10_000);
		expect(create.followUps).toHaveLength(1);
		const [polls] = await sql<{ count: number }[]>`
			select count(*)::int as count from polls where guild_id = ${world.guild.id} and question = 'Too late?'`;
		expect(polls!.count, 'the poll whose message could not be posted').toBe(0);
		expect(s.output()).not.toMatch(/ ERROR /);
		expectCleanProtocol(s.fake);
	}, 30_000);

	test('WHEN only the cut-off process is left and a member creates a poll THEN it tells its creator, alone, once the reply is still thinking', async () => {
		const s = stack();
		await s.bot.stop('SIGTERM');
		const create = s.fake.slash({
			user: world.alice,
			guildId: world.guild.id,
			command: 'poll create',
			options: { question: 'Anyone?', options: 'a | b' }
		});
		const told = await create.waitForFollowUp(0, 15_000);
		expect(told.content).toMatch(/temporarily unavailable/);
		expect(isEphemeral(told)).toBe(true);
		expect(create.record.callback?.type).toBe(5);
		expect(create.callbackMs).toBeLessThan(3_000);
		expect(create.original?.deleted).toBe(true);
		expectCleanProtocol(s.fake);
	}, 30_000);
});
