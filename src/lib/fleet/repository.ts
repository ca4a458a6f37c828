import type { Executor } from '../database/client.js';

/**
 * Says this process is alive and returns how many processes of the bot are (itself included): those seen within
 * `liveSeconds`. Rows of processes gone for a minute are removed on the way, so the table stays a handful of rows.
 */
export async function heartbeat(sql: Executor, processId: string, liveSeconds: number): Promise<number> {
	const [row] = await sql<{ live: number }[]>`
		with seen as (
			insert into bot_processes (process_id) values (${processId})
			on conflict (process_id) do update set seen_at = now()
		), gone as (
			delete from bot_processes where seen_at < now() - interval '1 minute'
		)
		select 1 + count(*)::int as live from bot_processes
		where process_id <> ${processId} and seen_at > now() - make_interval(secs => ${liveSeconds})
	`;
	return row?.live ?? 1;
}

/** This process is stopping: the others take its share at their next heartbeat. */
export async function leave(sql: Executor, processId: string): Promise<void> {
	await sql`delete from bot_processes where process_id = ${processId}`;
}
