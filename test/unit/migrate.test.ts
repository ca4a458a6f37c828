import { afterEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { migrate } from '../../src/lib/database/migrate.js';
import { createPoll, readPollState } from '../../src/lib/polls/repository.js';
import { createMigratedDatabase, createTestDatabase, type TestDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

describe('migrate', () => {
	let database: TestDatabase | null = null;
	afterEach(async () => {
		await database?.drop();
		database = null;
	});

	it('GIVEN two processes migrating one empty database at once THEN the migrations run once and neither fails', async () => {
		database = await createTestDatabase();
		const url = database.url;
		const [first, second] = await Promise.all([migrate(url), migrate(url)]);
		const applied = [...first, ...second];
		expect(applied.length).toBeGreaterThan(0);
		expect(new Set(applied).size).toBe(applied.length);
		expect(first.length === 0 || second.length === 0).toBe(true);

		const sql = postgres(url, { max: 1, onnotice: () => {} });
		try {
			const rows = await sql<{ name: string }[]>`select name from migrations order by id`;
			expect(rows.map((row) => row.name)).toEqual(applied);
		} finally {
			await sql.end();
		}
		expect(await migrate(url)).toEqual([]);
	});
});

describe('011_vote_statement', () => {
	it('GIVEN the migrated vote function WHEN 011 is undone and redone THEN the vote answer loses, then regains, the choices before, and no pending count is lost', async () => {
		const db = await createMigratedDatabase();
		try {
			// Plain .js outside the typed sources: imported by URL, with the shape ley runs.
			const migration = new URL('../../migrations/011_vote_statement.js', import.meta.url).href;
			const { down, up } = (await import(migration)) as Record<'up' | 'down', (sql: postgres.Sql) => Promise<void>>;
			const poll = await createPoll(db.sql, {
				guildId: '110000000000000001',
				channelId: '120000000000000001',
				creatorId: '1',
				draft: pollDraft()
			});
			const answer = async (voter: string, option: number) => {
				const [row] = await db.sql<{ result: Record<string, unknown> }[]>`
					select poll_cast_vote(${poll.guildId}::bigint, ${poll.number}::int, ${voter}, null, '{}', ${option}::smallint, '{}', '0 seconds', false) as result
				`;
				return row!.result;
			};
			expect(await answer('2', 0)).toMatchObject({ outcome: 'ok', before: [], choices: [0] });
			await down(db.sql);
			expect(await answer('2', 1)).not.toHaveProperty('before');
			expect(await answer('3', 1)).toMatchObject({ outcome: 'ok', choices: [1] });
			await up(db.sql);
			expect(await answer('2', 2)).toMatchObject({ before: [1], choices: [2] });
			// Deltas written before, under and after the undo, each rewritten on the way: member 2 on option 2, 3 on 1.
			const state = (await readPollState(db.sql, poll.guildId, poll.number)).unwrap();
			expect(state.options.map((option) => option.votes)).toEqual([0, 1, 1]);
			expect(state.poll.voterCount).toBe(2);
		} finally {
			await db.drop();
		}
	});
});

describe('013_vote_batches', () => {
	it('GIVEN batched votes WHEN 013 is undone and redone THEN a process older than it votes through poll_cast_vote throughout, once per interaction, and batches come back', async () => {
		const db = await createMigratedDatabase();
		try {
			const migration = new URL('../../migrations/013_vote_batches.js', import.meta.url).href;
			const { down, up } = (await import(migration)) as Record<'up' | 'down', (sql: postgres.Sql) => Promise<void>>;
			const poll = await createPoll(db.sql, {
				guildId: '110000000000000002',
				channelId: '120000000000000002',
				creatorId: '1',
				draft: pollDraft()
			});
			// What a process of migrations/011 sends: one vote, its interaction claimed in the same statement.
			const olderProcess = async (voter: string, option: number, interaction: string) => {
				const [row] = await db.sql<{ result: Record<string, unknown> }[]>`
					select poll_cast_vote(${poll.guildId}::bigint, ${poll.number}::int, ${voter}, null, '{}', ${option}::smallint, '{}',
						'0 seconds', false, ${interaction}::bigint, clock_timestamp() + interval '1 minute') as result
				`;
				return row!.result;
			};
			const batched = () => db.sql`select poll_cast_votes('[]'::json, '0 seconds') as result`;
			expect(await olderProcess('2', 0, '1001')).toMatchObject({ outcome: 'ok', choices: [0] });
			expect(await olderProcess('2', 0, '1001')).toMatchObject({ outcome: 'taken' });
			await down(db.sql);
			await expect(batched()).rejects.toThrow(/poll_cast_votes/);
			expect(await olderProcess('3', 1, '1002')).toMatchObject({ outcome: 'ok', choices: [1] });
			await up(db.sql);
			expect((await batched())[0]!.result).toEqual([]);
			expect(await olderProcess('3', 1, '1002')).toMatchObject({ outcome: 'taken' });
			expect(await olderProcess('4', 2, '1003')).toMatchObject({ outcome: 'ok', choices: [2] });
			const state = (await readPollState(db.sql, poll.guildId, poll.number)).unwrap();
			expect(state.options.map((option) => option.votes)).toEqual([1, 1, 1]);
		} finally {
			await db.drop();
		}
	});
});
