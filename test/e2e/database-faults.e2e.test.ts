import { createServer } from 'node:net';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { FakeGuild, FakeUser } from '../fake-discord/index.js';
import type { InteractionHandle } from '../fake-discord/interactions.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { expectCleanProtocol, useStack } from './harness.js';
import { approve, createPollByCommand, currentMessage, inBatches, isEphemeral, openStackDatabase } from '../support/polls.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	await new Promise((resolve) => server.close(resolve));
	return typeof address === 'object' && address ? address.port : 0;
}

const world = {} as { guild: FakeGuild; alice: FakeUser; voters: FakeUser[] };
const voterCount = 1_000;

/** What a member was told about a vote: confirmed (with the text), or "temporarily unavailable". */
interface Told {
	readonly voter: FakeUser;
	readonly confirmed: boolean;
	readonly content: string;
	/** From dispatch to the first callback (a reply or a deferral). */
	readonly callbackMs: number;
}

async function toldAbout(handle: InteractionHandle, voter: FakeUser): Promise<Told> {
	await handle.response;
	const answer = await handle.waitForOriginal(20_000);
	expect(isEphemeral(answer)).toBe(true);
	return { voter, confirmed: answer.content.startsWith('Your vote in poll'), content: answer.content, callbackMs: handle.callbackMs ?? Infinity };
}

/**
 * PostgreSQL behind a TCP relay the test controls: restarting the shared test PostgreSQL would break every other
 * file running beside this one, so a cut of every connection (what a restart does to the bot) stands in for it.
 */
describe('GIVEN the database path failing under a burst of votes', () => {
	let proxy: TcpProxy;
	let metricsPort: number;
	beforeAll(async () => {
		const admin = new URL(inject('postgresAdminUrl'));
		proxy = await TcpProxy.start({ host: admin.hostname, port: Number(admin.port) });
		metricsPort = await freePort();
	});
	const stack = useStack({
		databaseUrl: (url) => proxy.rewrite(url),
		env: { DATABASE_POOL_SIZE: '10' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.guild = fake.createGuild({ name: 'Faults', ownerId: world.alice.id });
			fake.addMember(world.guild.id, world.alice.id);
			world.voters = Array.from({ length: voterCount }, (_, index) => {
				const voter = fake.createUser({ username: `v${index}` });
				fake.addMember(world.guild.id, voter.id);
				return voter;
			});
		}
	});
	let sql: postgres.Sql;
	beforeAll(async () => {
		sql = openStackDatabase(stack());
		await approve(sql, world.guild.id);
		// The approval reaches the bot's cache by NOTIFY, a moment later.
		await sleep(1_000);
	});
	afterAll(async () => {
		await sql?.end({ timeout: 1 });
		await proxy?.close();
	});

	/** Each member's answer against the database: confirmed votes are counted, unconfirmed ones are not. */
	async function expectAnswersMatchDatabase(number: number, told: readonly Told[]) {
		const rows = await sql<{ voter: string }[]>`
			select voter from poll_votes where guild_id = ${world.guild.id} and poll_number = ${number}`;
		const stored = new Set(rows.map((row) => row.voter));
		for (const answer of told) {
			if (!answer.confirmed) expect(answer.content, `${answer.voter.username}'s answer`).toMatch(/temporarily unavailable/);
			expect(stored.has(answer.voter.id), `${answer.voter.username} was told: ${answer.content}`).toBe(answer.confirmed);
			expect(answer.callbackMs, `${answer.voter.username} acknowledged within 3 s`).toBeLessThan(3_000);
		}
		const [counts] = await sql<{ deltas: number; votes: number }[]>`
			select (select coalesce(sum(sign(changed.delta)), 0)::int from poll_count_deltas d, unnest(d.deltas) as changed (delta)
					where d.guild_id = ${world.guild.id} and d.poll_number = ${number})
				+ (select coalesce(sum(votes), 0)::int from poll_options o where o.guild_id = ${world.guild.id} and o.poll_number = ${number}) as deltas,
				${rows.length}::int as votes`;
		expect(counts!.deltas, 'counts agree with votes').toBe(counts!.votes);
	}

	test('WHEN every connection is cut mid-burst of 1,000 votes THEN every confirmed vote is counted, every other one told "temporarily unavailable", and voting carries on', async () => {
		const s = stack();
		const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Cut?', options: 'a | b | c', duration: '1h' });
		let sent = 0;
		const burst = inBatches(voterCount, 40, async (index) => {
			const voter = world.voters[index]!;
			sent++;
			const handle = s.fake.click({
				user: voter,
				message: currentMessage(s, poll.message),
				customId: `pv:${world.guild.id}:${poll.number}:${index % 3}`
			});
			return toldAbout(handle, voter);
		});
		while (sent < 300) await sleep(5);
		await proxy.cut();
		await sleep(2_000);
		await proxy.restore();
		const told = await burst;
		expect(
			told.some((answer) => !answer.confirmed),
			'the cut was felt'
		).toBe(true);
		expect(told.filter((answer) => answer.confirmed).length, 'most votes went through').toBeGreaterThan(500);
		await expectAnswersMatchDatabase(poll.number, told);

		// The bot reconnected by itself: a later vote is confirmed, and the scheduler closes a due poll.
		const late = await toldAbout(
			s.fake.click({ user: world.alice, message: currentMessage(s, poll.message), customId: `pv:${world.guild.id}:${poll.number}:0` }),
			world.alice
		);
		expect(late.confirmed).toBe(true);
		await sql`update polls set closes_at = now() where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
		// The closing edit waits its turn behind the burst's own edits (retried after the cut) and draws the first chart
		// of the process, which loads the renderer: allow for that.
		await s.fake.waitForMessage((message) => !isEphemeral(message) && message.content.startsWith(`Poll #${poll.number} is closed.`), 20_000);
		expect(s.output()).not.toContain(new URL(s.database.url).password);
		expectCleanProtocol(s.fake);
	}, 120_000);

	test(
		'WHEN the network goes silent (nothing forwarded, nothing closed) THEN votes are acknowledged within 3 s and told the truth, /healthz turns 503 and back',
		{ timeout: 120_000 },
		async () => {
			const s = stack();
			// A second bot of the stack, with metrics, to read /healthz; it serves the same shard's interactions as well.
			const watched = await s.startSecondBot({ METRICS_PORT: String(metricsPort) });
			const health = async () => {
				try {
					return (await fetch(`http://127.0.0.1:${metricsPort}/healthz`, { signal: AbortSignal.timeout(2_000) })).status;
				} catch {
					return 0;
				}
			};
			const waitForHealth = async (status: number, withinMs: number) => {
				const since = Date.now();
				while (Date.now() - since < withinMs) {
					if ((await health()) === status) return Date.now() - since;
					await sleep(250);
				}
				throw new Error(`/healthz did not answer ${status} within ${withinMs} ms`);
			};
			await waitForHealth(200, 10_000);
			const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Silent?', options: 'a | b', duration: '1h' });

			proxy.silence();
			const voters = world.voters.slice(0, 20);
			const handles = voters.map((voter, index) =>
				s.fake.click({ user: voter, message: currentMessage(s, poll.message), customId: `pv:${world.guild.id}:${poll.number}:${index % 2}` })
			);
			expect(await waitForHealth(503, 10_000)).toBeLessThan(10_000);
			for (const handle of handles) {
				await handle.response;
				expect(handle.callbackMs, 'acknowledged (answered or deferred) within 3 s').toBeLessThan(3_000);
			}
			await sleep(3_000);
			await proxy.restore();
			expect(await waitForHealth(200, 10_000)).toBeLessThan(10_000);
			const told = await Promise.all(handles.map((handle, index) => toldAbout(handle, voters[index]!)));
			await expectAnswersMatchDatabase(poll.number, told);
			expect(watched.running).toBe(true);
			expectCleanProtocol(s.fake);
		}
	);
});

describe('GIVEN a pool with one connection, held by a statement stuck on a lock', () => {
	const stack = useStack({
		env: { DATABASE_POOL_SIZE: '1' },
		setup: (fake) => {
			world.alice = fake.createUser({ username: 'alice' });
			world.guild = fake.createGuild({ name: 'Exhausted', ownerId: world.alice.id });
			fake.addMember(world.guild.id, world.alice.id);
			world.voters = Array.from({ length: 30 }, (_, index) => {
				const voter = fake.createUser({ username: `p${index}` });
				fake.addMember(world.guild.id, voter.id);
				return voter;
			});
		}
	});

	test('WHEN 30 votes queue for the connection THEN each is acknowledged within 3 s and told what was stored', async () => {
		const s = stack();
		const sql = openStackDatabase(s);
		try {
			await approve(sql, world.guild.id);
			await sleep(1_000);
			const poll = await createPollByCommand(s, world.alice, world.guild.id, { question: 'Queue?', options: 'a | b', duration: '1h' });
			let release!: () => void;
			const released = new Promise<void>((resolve) => (release = resolve));
			let locked!: () => void;
			const isLocked = new Promise<void>((resolve) => (locked = resolve));
			// Every vote locks its poll row FOR KEY SHARE: an exclusive lock holds the first one on the bot's only connection.
			const holding = sql.begin(async (tx) => {
				await tx`select 1 from polls where guild_id = ${world.guild.id} and poll_number = ${poll.number} for update`;
				locked();
				await released;
			});
			await isLocked;
			const handles = world.voters.map((voter, index) =>
				s.fake.click({ user: voter, message: currentMessage(s, poll.message), customId: `pv:${world.guild.id}:${poll.number}:${index % 2}` })
			);
			await sleep(3_500);
			release();
			await holding;
			const told = await Promise.all(handles.map((handle, index) => toldAbout(handle, world.voters[index]!)));
			const rows = await sql<
				{ voter: string }[]
			>`select voter from poll_votes where guild_id = ${world.guild.id} and poll_number = ${poll.number}`;
			const stored = new Set(rows.map((row) => row.voter));
			for (const answer of told) {
				expect(answer.callbackMs, `${answer.voter.username} acknowledged within 3 s`).toBeLessThan(3_000);
				expect(stored.has(answer.voter.id), `${answer.voter.username} was told: ${answer.content}`).toBe(answer.confirmed);
				if (!answer.confirmed) expect(answer.content).toMatch(/temporarily unavailable/);
			}
			const after = await toldAbout(
				s.fake.click({ user: world.alice, message: currentMessage(s, poll.message), customId: `pv:${world.guild.id}:${poll.number}:0` }),
				world.alice
			);
			expect(after.confirmed, 'the pool recovered').toBe(true);
			expectCleanProtocol(s.fake);
		} finally {
			await sql.end({ timeout: 1 });
		}
	}, 60_000);
});
