/**
 * The files of `/poll export`: machine-readable CSV with English headers whatever the poll's language (spreadsheets
 * and scripts read them), and the notes the answer adds when a file had to be cut.
 */
import { message, type Message } from '../failures.js';
import { toCsv, toCsvWithin } from './csv.js';
import type { PollState, VoteRecord } from './repository.js';
import { finalRound } from './ranked.js';
import { runoffOf } from './ranked-render.js';
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
	const counts = countsCsv(state);
	const files: ExportFile[] = [{ name: `poll-${poll.number}.csv`, data: Buffer.from(counts) }];
	const notes: Message[] = [message('polls:exportResults', { number: poll.number })];
	if (votes === null) return { files, notes };

	const labels = options.map((option) => option.label);
	const kept = votes.slice(0, PollLimits.exportVoteRows);
	const label = (vote: VoteRecord) => labels[vote.option] ?? String(vote.option);
	// Votes come member by member (the primary key's order); a ranked ballot reads best in rank order within each.
	const rows = poll.ranked
		? [...kept]
				.sort((a, b) => (a.userId === b.userId ? (a.rank ?? 0) - (b.rank ?? 0) : a.userId < b.userId ? -1 : 1))
				.map((vote) => [vote.userId, vote.rank ?? '', label(vote), vote.votedAt?.toISOString() ?? ''])
		: kept.map((vote) => [vote.userId, label(vote), vote.votedAt?.toISOString() ?? '']);
	const header = poll.ranked ? ['user_id', 'rank', 'option', 'voted_at'] : ['user_id', 'option', 'voted_at'];
	const csv = toCsvWithin(header, rows, PollLimits.exportVoteBytes);
	files.push({ name: `poll-${poll.number}-votes.csv`, data: Buffer.from(csv.text) });
	if (votes.length > csv.rows) {
		const total = options.reduce((sum, option) => sum + option.votes, 0);
		notes.push(message('polls:exportCut', { rows: formatCount(csv.rows), total: formatCount(Math.max(total, votes.length)) }));
	}
	return { files, notes };
}

/**
 * The counts file: `option,votes` for a plain poll; a weighted one adds `weighted_votes`; a ranked one gives
 * `option,first_choices,final_round` (the instant runoff's last round), with `weighted_first_choices` when weighted.
 */
function countsCsv(state: PollState): string {
	const { poll, options } = state;
	if (poll.ranked) {
		const runoff = runoffOf(state);
		const last = runoff === null ? [] : finalRound(runoff, options.length);
		return poll.weighted
			? toCsv(
					['option', 'first_choices', 'weighted_first_choices', 'final_round'],
					options.map((option) => [option.label, option.votes, option.weightedVotes ?? option.votes, last[option.index] ?? 0])
				)
			: toCsv(
					['option', 'first_choices', 'final_round'],
					options.map((option) => [option.label, option.votes, last[option.index] ?? 0])
				);
	}
	if (poll.weighted) {
		return toCsv(
			['option', 'votes', 'weighted_votes'],
			options.map((option) => [option.label, option.votes, option.weightedVotes ?? option.votes])
		);
	}
	return toCsv(
		['option', 'votes'],
		options.map((option) => [option.label, option.votes])
	);
}
