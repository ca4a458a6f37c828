import { afterEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { migrate } from '../../src/lib/database/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

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
