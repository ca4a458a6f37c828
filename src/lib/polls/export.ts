/**
 * The files of `/poll export`: machine-readable CSV with English headers whatever the poll's language (spreadsheets
 * and scripts read them), and the notes the answer adds when a file had to be cut.
 */
import { message, type Message } from '../failures.js';
import { toCsv, toCsvWithin } from './csv.js';
import type { PollState, VoteRecord } from './repository.js';
import { formatCount } from './render.js';
import { PollLimits } from './rules.js';

export interface ExportFile {
	readonly name: string;
	readonly data: Buffer;
}

export interface PollExport {
	readonly files: readonly ExportFile[];
	/** What the answer says about them, in the reader's language. */
	readonly notes: readonly Message[];
}

/**
 * `poll-<n>.csv` (option, votes) and, when `votes` is given, `poll-<n>-votes.csv` (user_id, option, voted_at): at
 * most {@link PollLimits.exportVoteRows} rows and {@link PollLimits.exportVoteBytes} bytes, under Discord's upload
 * limit. `votes` holds one row more than the file may take, to tell whether it was cut.
 */
export function buildExport(state: PollState, votes: readonly VoteRecord[] | null): PollExport {
	const { poll, options } = state;
	const counts = toCsv(
		['option', 'votes'],
		options.map((option) => [option.label, option.votes])
	);
	const files: ExportFile[] = [{ name: `poll-${poll.number}.csv`, data: Buffer.from(counts) }];
	const notes: Message[] = [message('polls:exportResults', { number: poll.number })];
	if (votes === null) return { files, notes };

	const labels = options.map((option) => option.label);
	const rows = votes
		.slice(0, PollLimits.exportVoteRows)
		.map((vote) => [vote.userId, labels[vote.option] ?? String(vote.option), vote.votedAt?.toISOString() ?? '']);
	const csv = toCsvWithin(['user_id', 'option', 'voted_at'], rows, PollLimits.exportVoteBytes);
	files.push({ name: `poll-${poll.number}-votes.csv`, data: Buffer.from(csv.text) });
	if (votes.length > csv.rows) {
		const total = options.reduce((sum, option) => sum + option.votes, 0);
		notes.push(message('polls:exportCut', { rows: formatCount(csv.rows), total: formatCount(Math.max(total, votes.length)) }));
	}
	return { files, notes };
}
