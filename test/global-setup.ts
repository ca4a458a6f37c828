import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '../src/lib/database/embedded.js';

declare module 'vitest' {
	export interface ProvidedContext {
		/** Admin connection string of the PostgreSQL the tests share; each test makes its own database in it. */
		postgresAdminUrl: string;
	}
}

/**
 * One real PostgreSQL for the whole run: `TEST_DATABASE_URL` when given (CI may point it at a server it started),
 * else an embedded one in a temporary folder, removed afterwards.
 */
export default async function setup(project: TestProject) {
	const given = process.env.TEST_DATABASE_URL?.trim();
	if (given) {
		project.provide('postgresAdminUrl', given);
		return;
	}
	const directory = await mkdtemp(join(tmpdir(), 'discord-test-bot-pg-'));
	const database = await startEmbeddedDatabase({ directory, persistent: false });
	project.provide('postgresAdminUrl', database.url);
	return async () => {
		await database.stop();
		await rm(directory, { recursive: true, force: true });
	};
}
