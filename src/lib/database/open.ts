import { fileURLToPath } from 'node:url';
import { createSql, describeDatabaseError, waitForDatabase, type Sql } from './client.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';
import { migrate } from './migrate.js';

/** Where `npm start` keeps its embedded PostgreSQL when `DATABASE_URL` is unset (git-ignored). */
export const defaultEmbeddedDirectory = fileURLToPath(new URL('../../../.data/postgres', import.meta.url));

export interface OpenDatabaseOptions {
	readonly databaseUrl: string | null;
	readonly poolSize?: number;
	/** `application_name` of the pool's connections, to tell processes apart in `pg_stat_activity`. */
	readonly applicationName?: string;
	readonly migrate: boolean;
	readonly log: (line: string) => void;
	/** Called with the connection string's password as soon as it is known, so the logger can mask it. */
	readonly onSecret?: (secret: string) => void;
	readonly embeddedDirectory?: string;
	readonly signal?: AbortSignal;
}

export interface Database {
	readonly sql: Sql;
	close(timeoutSeconds?: number): Promise<void>;
}

/**
 * Connects to `DATABASE_URL`, or starts the embedded PostgreSQL, waits until it answers (retrying with backoff),
 * and applies pending migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
	let embedded: EmbeddedDatabase | null = null;
	let url = options.databaseUrl;
	if (url === null) {
		const directory = options.embeddedDirectory ?? defaultEmbeddedDirectory;
		const started = Date.now();
		embedded = await startEmbeddedDatabase({ directory, persistent: true });
		url = embedded.url;
		options.log(`DATABASE_URL is not set: started an embedded PostgreSQL with its data in ${directory} (${Date.now() - started} ms).`);
	}
	const password = new URL(url).password;
	if (password) {
		// Both spellings can reach a log line; a stray `%` makes the encoded one the only one.
		options.onSecret?.(password);
		options.onSecret?.(safeDecode(password));
	}

	const sql = createSql(url, {
		poolSize: options.poolSize ?? 10,
		applicationName: options.applicationName,
		onSilentConnection: (waitedMs) => options.log(`A database connection got no answer for ${waitedMs} ms; it was closed and will be replaced.`)
	});
	try {
		await waitForDatabase(
			sql,
			(error, delayMs) => options.log(`The database is unreachable (${describeDatabaseError(error)}); retrying in ${delayMs / 1000} s.`),
			options.signal
		);
		if (options.migrate) {
			const applied = await migrate(url);
			if (applied.length > 0) options.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}.`);
		}
	} catch (error) {
		await sql.end({ timeout: 1 });
		await embedded?.stop();
		throw error;
	}

	return {
		sql,
		async close(timeoutSeconds = 1) {
			await sql.end({ timeout: timeoutSeconds });
			await embedded?.stop();
		}
	};
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
