/**
 * Shares the bot's poll-edit budget between its processes through PostgreSQL, which every deployment has (the REST
 * proxy, which could count requests too, is optional): each process takes `total / live processes`. A process that
 * cannot reach the database keeps its last share; one that starts counts itself at once.
 */
import type { Sql } from '../database/client.js';
import type { EditBudget } from '../polls/edit-budget.js';
import { heartbeat, leave } from './repository.js';

export interface EditShareOptions {
	readonly sql: Sql;
	readonly budget: EditBudget;
	/** Edits per second for the whole bot. */
	readonly total: number;
	readonly processId: string;
	readonly intervalMs?: number;
	readonly onError: (error: unknown) => void;
}

/** Starts sharing; the returned function stops and gives this process's share back. */
export function shareEditBudget(options: EditShareOptions): () => Promise<void> {
	const intervalMs = options.intervalMs ?? 2_000;
	// Three missed heartbeats and a process no longer counts.
	const liveSeconds = (intervalMs * 3) / 1_000;
	options.budget.setRate(options.total);
	const beat = () =>
		heartbeat(options.sql, options.processId, liveSeconds).then((live) => options.budget.setRate(options.total / live), options.onError);
	void beat();
	const timer = setInterval(beat, intervalMs).unref();
	return async () => {
		clearInterval(timer);
		await leave(options.sql, options.processId).catch(options.onError);
	};
}
