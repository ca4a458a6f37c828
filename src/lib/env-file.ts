import { existsSync } from 'node:fs';

/**
 * Loads `.env` (or the file named by `ENV_FILE`) into `process.env` for local development. Variables already set in
 * the environment win. `ENV_FILE=` (empty) turns this off, which the tests do so a developer's `.env` cannot leak in.
 */
export function loadProjectEnv() {
	const file = process.env.ENV_FILE ?? '.env';
	if (file !== '' && existsSync(file)) process.loadEnvFile(file);
}
