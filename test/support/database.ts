import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrate } from '../../src/lib/database/migrate.js';

export interface TestDatabase {
	/** Connection string of a new, empty database. */
	readonly url: string;
	drop(): Promise<void>;
}

/** A fresh database in the shared test PostgreSQL, so that test files never see each other's rows. */
export function createTestDatabase(): Promise<TestDatabase> {
	return createDatabaseIn(inject('postgresAdminUrl'));
}

/** A fresh database in the PostgreSQL server `adminUrl` points at (outside vitest too: the benchmark uses it). */
export async function createDatabaseIn(adminUrl: string): Promise<TestDatabase> {
	const name = `test_${randomBytes(6).toString('hex')}`;
	const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
	try {
		await admin.unsafe(`create database ${name}`);
	} finally {
		await admin.end();
	}
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop() {
			const dropper = postgres(adminUrl, { max: 1, onnotice: () => {} });
			try {
				await dropper.unsafe(`drop database if exists ${name} with (force)`);
			} finally {
				await dropper.end();
			}
		}
	};
}

/** A fresh database with the project's migrations applied, and a pool on it (ended by `drop`). */
export async function createMigratedDatabase({ poolSize = 5 }: { poolSize?: number } = {}) {
	const database = await createTestDatabase();
	await migrate(database.url);
	const sql = postgres(database.url, { max: poolSize, onnotice: () => {} });
	return {
		url: database.url,
		sql,
		async drop() {
			await sql.end({ timeout: 1 });
			await database.drop();
		}
	};
}

export type MigratedDatabase = Awaited<ReturnType<typeof createMigratedDatabase>>;

/** A migrated database for the whole test file: made before its first test, dropped (pool ended) after its last. */
export function useMigratedDatabase(options: { poolSize?: number } = {}): Pick<MigratedDatabase, 'sql' | 'url'> {
	let current: MigratedDatabase | undefined;
	beforeAll(async () => {
		current = await createMigratedDatabase(options);
	});
	afterAll(() => current?.drop());
	const opened = () => current ?? raise('the test database is used before beforeAll made it');
	return {
		get sql() {
			return opened().sql;
		},
		get url() {
			return opened().url;
		}
	};
}

function raise(message: string): never {
	throw new Error(message);
}
