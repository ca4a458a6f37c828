import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from './client.js';

/** Round trip of a trivial query in milliseconds, or `null` if the database does not answer within `timeoutMs`. */
export async function measureDatabaseLatency(sql: Sql, timeoutMs = 1_500): Promise<number | null> {
	const started = performance.now();
	const answered = await Promise.race([
		sql`select 1`.then(
			() => true,
			() => false
		),
		sleep(timeoutMs, false)
	]);
	return answered ? Math.round(performance.now() - started) : null;
}
