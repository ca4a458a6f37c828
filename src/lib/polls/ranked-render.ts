/**
 * What a ranked or weighted poll adds to what the bot shows: the private ballot (a modal of one select menu per
 * rank), the instant-runoff rounds in words, and the counts a weighted poll counts with. Discord API JSON, like
 * render.ts, which calls these.
 */
import { ComponentType, escapeMarkdown, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { Translator } from '../i18n/index.js';
import { countInstantRunoff, type RunoffResult } from './ranked.js';
import type { PollOption, PollRow, PollState } from './repository.js';

/** Discord's limits on a modal: 5 top-level components, a 45-character title and label. */
export const BallotLimits = { maxRanks: 5, titleMax: 45, labelMax: 45 } as const;

/** Ranks a ballot offers: one per option, at most one per modal component. */
export function rankCount(optionCount: number): number {
	return Math.min(BallotLimits.maxRanks, optionCount);
}

/** The menu of rank `rank` (1 = first choice) inside the ballot modal. */
export function rankFieldId(rank: number): string {
	return `r${rank}`;
}

/** The ballot: one optional menu per rank, each Label-wrapped (as Discord requires selects in modals), showing the member's current ranking. */
export function renderBallotModal(
	t: Translator,
	poll: Pick<PollRow, 'guildId' | 'number'>,
	labels: readonly string[],
	current: readonly number[]
): APIModalInteractionResponseCallbackData {
	const ranks = rankCount(labels.length);
	return {
		custom_id: buildCustomId(CustomIdPrefix.PollBallot, poll.guildId, poll.number),
		title: cut(t('ballots:ballot.modalTitle', { number: poll.number }), BallotLimits.titleMax),
		components: Array.from({ length: ranks }, (_, position) => ({
			type: ComponentType.Label,
			label: cut(t('ballots:ballot.choice', { rank: position + 1 }), BallotLimits.labelMax),
			description: t(position === 0 ? 'ballots:ballot.firstHint' : 'ballots:ballot.laterHint'),
			component: {
				type: ComponentType.StringSelect,
				custom_id: rankFieldId(position + 1),
				placeholder: t('ballots:ballot.placeholder'),
				min_values: 0,
				max_values: 1,
				required: false,
				options: labels.map((label, index) => ({ label, value: String(index), default: current[position] === index }))
			}
		}))
	} as APIModalInteractionResponseCallbackData;
}

/** The ephemeral answer to a ballot or **My vote** in a ranked poll: `1. Pizza, 2. Sushi`. */
export function describeBallot(t: Translator, poll: Pick<PollRow, 'number'>, labels: readonly string[], ranking: readonly number[]): string {
	if (ranking.length === 0) return t('polls:noVote', { number: poll.number });
	const names = ranking.map(
		(index, position) => `${position + 1}. **${escapeMarkdown(labels[index] ?? t('polls:optionFallback', { position: index + 1 }))}**`
	);
	return t('ballots:ballot.yourBallot', { number: poll.number, choices: names.join(', ') });
}

/** The rounds of a ranked poll whose ballots were read (they are not while its results are hidden); `null` otherwise. */
export function runoffOf(state: PollState): RunoffResult | null {
	if (!state.poll.ranked || state.ballots === null || state.ballots === undefined) return null;
	return countInstantRunoff(state.options.length, state.ballots);
}

/**
 * The options as they are counted: a weighted poll's options carry their weighted totals as `votes` (what its
 * message, winner and chart show); others unchanged.
 */
export function countedOptions(state: PollState): readonly PollOption[] {
	if (!state.poll.weighted) return state.options;
	return state.options.map((option) => ({ ...option, votes: option.weightedVotes ?? option.votes }));
}

/** The winner's name in a ranked poll, or `null` without ballots. */
export function runoffWinner(state: PollState, runoff: RunoffResult): PollOption | null {
	return runoff.winner === null ? null : (state.options[runoff.winner] ?? null);
}

const roundLabelMax = 40;

/**
 * Each round in words: the votes of the options still in, who was eliminated (and how a tie was broken) and where
 * their votes went; at most `max` characters, keeping the first rounds and the last one.
 */
export function runoffLines(t: Translator, state: PollState, runoff: RunoffResult, max: number): string[] {
	const name = (index: number) => cut(escapeMarkdown(state.options[index]?.label ?? String(index + 1)), roundLabelMax);
	const out = new Set<number>();
	const lines: string[] = [];
	for (const [position, round] of runoff.rounds.entries()) {
		const tallies = state.options
			.filter((option) => !out.has(option.index))
			.map((option) => `${name(option.index)} ${round.tallies[option.index]}`)
			.join(' · ');
		let line = t('ballots:message.round', { round: position + 1, tallies });
		if (round.eliminated !== null) {
			const destinations = round.transfers.flatMap((votes, index) => (votes > 0 ? [`${name(index)} ${votes}`] : []));
			if (round.transferredToExhausted > 0) destinations.push(t('ballots:message.exhausted', { count: round.transferredToExhausted }));
			const transfers =
				destinations.length === 0 ? t('ballots:message.noTransfers') : t('ballots:message.transfers', { list: destinations.join(', ') });
			line += `\n${
				round.tieBreak === null
					? t('ballots:message.eliminated', { name: name(round.eliminated), transfers })
					: t('ballots:message.eliminatedTie', {
							name: name(round.eliminated),
							others: round.tied
								.filter((index) => index !== round.eliminated)
								.map(name)
								.join(', '),
							rule: t(`ballots:message.tieRule.${round.tieBreak}`),
							transfers
						})
			}`;
			out.add(round.eliminated);
		}
		lines.push(line);
	}
	const length = (texts: readonly string[]) => texts.reduce((sum, text) => sum + text.length + 1, 0);
	if (length(lines) <= max) return lines;
	const last = cut(lines.at(-1)!, Math.max(0, max - 40));
	const kept: string[] = [];
	for (const line of lines.slice(0, -1)) {
		const more = t('ballots:message.moreRounds', { count: lines.length - 1 - kept.length - 1 });
		if (length([...kept, line, more, last]) > max) break;
		kept.push(line);
	}
	return [...kept, t('ballots:message.moreRounds', { count: lines.length - 1 - kept.length }), last];
}

function cut(text: string, max: number): string {
	if (text.length <= max) return text;
	let sliced = text.slice(0, max - 1);
	// A lone trailing backslash would escape the ellipsis.
	if ((/\\+$/.exec(sliced)?.[0].length ?? 0) % 2 === 1) sliced = sliced.slice(0, -1);
	return `${sliced}…`;
}
