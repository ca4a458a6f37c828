import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSql, type Sql } from '../../src/lib/database/client.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TcpProxy } from '../support/tcp-proxy.js';

describe('GIVEN the bot pool reaching PostgreSQL through a relay', () => {
	let database: TestDatabase;
	let proxy: TcpProxy;
	let sql: Sql;
	const backend = async () => (await sql<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;

	beforeAll(async () => {
		database = await createTestDatabase();
		const url = new URL(database.url);
		proxy = await TcpProxy.start({ host: url.hostname, port: Number(url.port) });
		sql = createSql(proxy.rewrite(database.url), { poolSize: 1 });
	});
	afterAll(async () => {
		await sql.end({ timeout: 1 });
		await proxy.close();
		await database.drop();
	});

	test('GIVEN a connection idle for longer than the answer budget THEN it is kept (only silence after a write counts)', async () => {
		const first = await backend();
		await new Promise((resolve) => setTimeout(resolve, 3_500));
		expect(await backend()).toBe(first);
	});

	test('WHEN the path goes silent mid-statement THEN the statement fails as an outage within the budget, and a fresh connection serves the next one', async () => {
		const before = await backend();
		proxy.silence();
		const started = performance.now();
		const stuck = sql`select 1`.then(
			() => null,
			(error: unknown) => error
		);
		const error = (await stuck) as { code?: string } | null;
		const waited = performance.now() - started;
		expect(error?.code).toBe('CONNECTION_CLOSED');
		expect(waited).toBeGreaterThan(2_900);
		expect(waited).toBeLessThan(4_500);
		await proxy.restore();
		expect(await backend()).not.toBe(before);
	});
});
