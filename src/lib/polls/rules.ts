/**
 * The rules of polls as plain functions: what a valid poll is, how a vote changes a member's choices, and who may
 * see or do what. Nothing here touches Discord or the database.
 */
import { Result } from '@sapphire/result';
import { parseDuration, pollDurationLimits } from '../duration.js';
import { message, type Message } from '../failures.js';
import { isInvisible, neutraliseUserText } from '../user-text.js';

export { parseDuration };

export const PollLimits = {
	questionMaxLength: 300,
	minOptions: 2,
	maxOptions: 25,
	optionMaxLength: 80,
	/** Single-choice polls with up to this many options get one button per option; others get a select menu. */
	maxButtons: 20,
	buttonsPerRow: 5,
	minDurationMs: pollDurationLimits.minMs,
	maxDurationMs: pollDurationLimits.maxMs,
	/** A second click on the option just voted for, this soon, is taken as a double click: the vote stays. */
	doubleClickMs: 1_500,
	/** Votes read for `/poll results`: its answer is cut at 2,000 characters, far fewer mentions than this. */
	resultsVoterRows: 100,
	/** Votes in `/poll export`'s per-vote file (about 6 MB of CSV with short labels)... */
	exportVoteRows: 100_000,
	/** ...and its size at most, with the counts file and the request around it under Discord's 10 MiB upload limit. */
	exportVoteBytes: 9 * 1024 * 1024
} as const;

/** Who may see who picked what through the **Voters** button: nobody, everyone once the poll closed, or always. */
export type ShowVoters = 'never' | 'after_close' | 'always';
export const showVotersChoices: readonly ShowVoters[] = ['never', 'after_close', 'always'];

/** What `/poll create` asked for, validated. */
export interface PollDraft {
	readonly question: string;
	readonly options: readonly string[];
	readonly durationMs: number | null;
	readonly maxChoices: number;
	readonly anonymous: boolean;
	readonly hideResults: boolean;
	readonly roleId: string | null;
	readonly ranked: boolean;
	readonly weighted: boolean;
	readonly showVoters: ShowVoters;
}

export interface CreateInput {
	readonly question: string;
	readonly options: string;
	readonly duration: string | null;
	readonly maxChoices: number | null;
	readonly anonymous: boolean | null;
	readonly hideResults: boolean | null;
	readonly roleId: string | null;
	readonly ranked?: boolean | null;
	readonly weighted?: boolean | null;
	readonly showVoters?: string | null;
	/** The server's id, which is also the id of its @everyone role (which restricts nothing). */
	readonly guildId: string;
}

/** Checks everything `/poll create` received; the error is a sentence telling the member exactly what to fix. */
export function validateCreate(input: CreateInput): Result<PollDraft, Message> {
	const question = neutraliseUserText(input.question).trim();
	if (question.length === 0) return Result.err(message('polls:validation.questionEmpty'));
	if (isInvisible(question)) return Result.err(message('faults:questionInvisible'));
	if (question.length > PollLimits.questionMaxLength) {
		return Result.err(message('polls:validation.questionLong', { length: question.length, max: PollLimits.questionMaxLength }));
	}

	const options = parseOptions(input.options);
	if (options.isErr()) return Result.err(options.unwrapErr());
	const labels = options.unwrap();

	let durationMs: number | null = null;
	if (input.duration !== null && input.duration.trim().length > 0) {
		const duration = parseDuration(input.duration);
		if (duration.isErr()) return Result.err(duration.unwrapErr());
		durationMs = duration.unwrap();
	}

	const maxChoices = input.maxChoices ?? 1;
	if (!Number.isInteger(maxChoices) || maxChoices < 1 || maxChoices > PollLimits.maxOptions) {
		return Result.err(message('polls:validation.maxChoicesRange', { value: maxChoices, max: PollLimits.maxOptions }));
	}
	if (maxChoices > labels.length) {
		return Result.err(message('polls:validation.maxChoicesOptions', { value: maxChoices, options: labels.length }));
	}

	const ranked = input.ranked ?? false;
	if (ranked && input.maxChoices !== null && input.maxChoices !== 1) {
		return Result.err(message('ballots:validation.rankedMaxChoices', { value: input.maxChoices }));
	}
	const showVoters = (input.showVoters ?? 'never') as ShowVoters;
	if (!showVotersChoices.includes(showVoters)) return Result.err(message('ballots:validation.showVotersUnknown', { value: input.showVoters }));
	if (showVoters !== 'never' && (input.anonymous ?? false)) return Result.err(message('ballots:validation.showVotersAnonymous'));

	return Result.ok({
		question,
		options: labels,
		durationMs,
		maxChoices,
		anonymous: input.anonymous ?? false,
		hideResults: input.hideResults ?? false,
		roleId: input.roleId === null || input.roleId === input.guildId ? null : input.roleId,
		ranked,
		weighted: input.weighted ?? false,
		showVoters
	});
}

/** `Pizza | Sushi | Tacos` → the trimmed labels, or what is wrong with them. */
export function parseOptions(raw: string): Result<string[], Message> {
	const labels = raw.split('|').map((label) => neutraliseUserText(label).trim());
	const empty = labels.findIndex((label) => label.length === 0);
	if (labels.length < PollLimits.minOptions) {
		return Result.err(message('polls:validation.tooFewOptions', { min: PollLimits.minOptions }));
	}
	if (empty !== -1) {
		return Result.err(message('polls:validation.optionEmpty', { position: empty + 1 }));
	}
	if (labels.length > PollLimits.maxOptions) {
		return Result.err(
			message('polls:validation.tooManyOptions', {
				count: labels.length,
				max: PollLimits.maxOptions,
				extra: labels.length - PollLimits.maxOptions
			})
		);
	}
	const blank = labels.findIndex(isInvisible);
	if (blank !== -1) return Result.err(message('faults:optionInvisible', { position: blank + 1 }));
	const long = labels.findIndex((label) => label.length > PollLimits.optionMaxLength);
	if (long !== -1) {
		return Result.err(
			message('polls:validation.optionLong', { position: long + 1, length: labels[long]!.length, max: PollLimits.optionMaxLength })
		);
	}
	const seen = new Map<string, number>();
	for (const [index, label] of labels.entries()) {
		const key = label.toLocaleLowerCase('en-US');
		const first = seen.get(key);
		if (first !== undefined) {
			return Result.err(message('polls:validation.optionsSame', { first: first + 1, second: index + 1, label }));
		}
		seen.set(key, index);
	}
	return Result.ok(labels);
}

/** The `poll` option: `12` or `#12` → 12. */
export function parsePollNumber(raw: string): Result<number, Message> {
	const match = /^#?\s*(\d{1,9})$/.exec(raw.trim());
	const number = match ? Number(match[1]) : 0;
	if (number < 1) return Result.err(message('polls:validation.notAPollNumber', { input: raw.trim() }));
	return Result.ok(number);
}

/** How a member's choices change. */
export type VoteAction =
	/** A button: the option clicked. */
	| { readonly kind: 'toggle'; readonly option: number }
	/** A select menu: the options submitted (possibly none). */
	| { readonly kind: 'replace'; readonly options: readonly number[] };

export interface CurrentVote {
	readonly option: number;
	/** When it was recorded; `null` where the poll does not keep the time (anonymous polls). */
	readonly votedAt: Date | null;
}

/**
 * The member's choices after `action`. Clicking the option you already picked removes it, except right after
 * picking it: a double click must count once. With one choice allowed, clicking another option moves the vote.
 *
 * A vote is cast inside one statement, so the database applies this rule itself (the body of a vote,
 * migrations/011_vote_statement.js, run by migrations/013's batches): change both together; test/unit/polls-vote-statement.test.ts holds them to the
 * same answers.
 */
export function nextChoices(current: readonly CurrentVote[], action: VoteAction, maxChoices: number, now: Date): number[] {
	if (action.kind === 'replace') return [...new Set(action.options)].sort((a, b) => a - b).slice(0, maxChoices);
	const existing = current.find((vote) => vote.option === action.option);
	const chosen = current.map((vote) => vote.option);
	if (existing) {
		const isDoubleClick = existing.votedAt !== null && now.getTime() - existing.votedAt.getTime() < PollLimits.doubleClickMs;
		return isDoubleClick ? chosen.sort((a, b) => a - b) : chosen.filter((option) => option !== action.option).sort((a, b) => a - b);
	}
	if (maxChoices === 1) return [action.option];
	return chosen.length < maxChoices ? [...chosen, action.option].sort((a, b) => a - b) : chosen.sort((a, b) => a - b);
}

/** Who is asking, as far as polls care. */
export interface Viewer {
	readonly userId: string;
	/** `member.permissions` has Manage Server. */
	readonly manageGuild: boolean;
}

export interface PollFacts {
	readonly creatorId: string;
	readonly anonymous: boolean;
	readonly hideResults: boolean;
	readonly roleId: string | null;
	readonly closedAt: Date | null;
	/** The deadline, `null` for a poll closed only by hand. */
	readonly closesAt: Date | null;
}

/** Close and export: the creator, or anyone with Manage Server. */
export function mayManage(poll: PollFacts, viewer: Viewer): boolean {
	return viewer.userId === poll.creatorId || viewer.manageGuild;
}

/** Counts are shown to everyone, unless the poll hides them until it closes. */
export function countsVisible(poll: PollFacts): boolean {
	return !poll.hideResults || poll.closedAt !== null;
}

/** Who voted for what: never in an anonymous poll; otherwise to the creator and Manage Server, once counts are visible. */
export function votersVisible(poll: PollFacts, viewer: Viewer): boolean {
	return !poll.anonymous && countsVisible(poll) && mayManage(poll, viewer);
}

/**
 * The **Voters** list (everyone may open it, unlike /poll results' voters, which are the manager's): as the poll's
 * `show_voters` says, and never while the poll hides its counts.
 */
export function voterListOpen(poll: PollFacts & { readonly showVoters: ShowVoters }): boolean {
	if (poll.anonymous || !countsVisible(poll)) return false;
	return poll.showVoters === 'always' || (poll.showVoters === 'after_close' && poll.closedAt !== null);
}

/** The options with the most votes; none when nobody voted. */
export function winners(counts: readonly number[]): number[] {
	const top = Math.max(0, ...counts);
	if (top === 0) return [];
	return counts.flatMap((count, index) => (count === top ? [index] : []));
}
