/**
 * `npm run migrate`: applies pending migrations to `DATABASE_URL` (or to the embedded database in `.data/`).
 */
import { loadProjectEnv } from '../env-file.js';
import { ConfigError, readDatabaseUrl } from '../config.js';
import { openDatabase } from './open.js';

loadProjectEnv();
try {
	const database = await openDatabase({ databaseUrl: readDatabaseUrl(), log: (line) => console.log(line), migrate: true });
	await database.close();
} catch (error) {
	console.error(error instanceof ConfigError ? error.message : `Migration failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exitCode = 1;
}
