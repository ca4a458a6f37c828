import * as ley from 'ley';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

/** The project's migrations folder, found from this file in `src/` or `dist/`. */
export const migrationsDirectory = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** Any fixed 64-bit number shared by every process of this bot: the key of the migration lock. */
const migrationLockKey = 7_315_442_019;

/**
 * Applies pending migrations from `migrations/` with ley, holding a PostgreSQL advisory lock for the whole run,
 * so that processes starting together migrate once: the others wait, then find nothing left to apply.
 *
 * @returns the names of the migrations applied by this call
 */
export async function migrate(databaseUrl: string): Promise<string[]> {
	return ley.up({ cwd: migrationsDirectory, dir: '.', driver: lockingDriver, config: { url: databaseUrl } });
}

type Sql = postgres.Sql;

/** ley's PostgreSQL driver, plus the advisory lock taken on its single connection before reading what ran. */
const lockingDriver: ley.Driver<Sql> = {
	connect: ((config: { url: string }) => postgres(config.url, { max: 1, onnotice: () => {} })) as ley.Driver<Sql>['connect'],
	async setup(sql) {
		await sql`select pg_advisory_lock(${migrationLockKey})`;
		await sql`create table if not exists migrations (id serial primary key, name varchar(255) not null, created_at timestamp not null default now())`;
		return sql<{ name: string }[]>`select name from migrations order by id asc`;
	},
	async loop(sql, files, method) {
		await sql.begin(async (tx) => {
			for (const file of files) {
				const migration = (await import(file.abs)) as Partial<Record<typeof method, (sql: postgres.TransactionSql) => unknown>>;
				await migration[method]?.(tx);
				if (method === 'up') await tx`insert into migrations (name) values (${file.name})`;
				else await tx`delete from migrations where name = ${file.name}`;
			}
		});
	},
	async end(sql) {
		// Ending the session releases the advisory lock with it.
		await sql.end({ timeout: 5 });
	}
};
