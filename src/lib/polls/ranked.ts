/**
 * Ranked-choice polls counted by instant runoff, as a pure function of the ballots so that every count can be checked
 * by hand (test/unit/polls-ranked.test.ts).
 *
 * Each round gives every ballot to its highest-ranked option still in the count. An option holding more than half of
 * the votes still counted wins; otherwise one option is eliminated and its ballots move to their next choice. Which
 * one (the README says the same):
 * 1. the option with the fewest votes in this round;
 * 2. among options tied there, the one with the fewest votes in the previous round (round 1 has none);
 * 3. still tied, the one listed last on the poll.
 * Eliminating one option per round, never several at once, keeps every round something a member can recount.
 */

export interface Ballot {
	/** Option indexes, first choice first; no option twice. */
	readonly ranking: readonly number[];
	/** What the ballot counts for (1, or the member's role weight in a weighted poll). */
	readonly weight: number;
}

/** How a tie for the fewest votes was broken. */
export type TieBreak = 'previousRound' | 'optionOrder';

export interface RunoffRound {
	/** Votes held by each option this round, by option index (0 for an option already eliminated). */
	readonly tallies: readonly number[];
	/** Votes of ballots with no option left in the count. */
	readonly exhausted: number;
	/** The option eliminated at the end of this round; `null` in the last round. */
	readonly eliminated: number | null;
	/** The options tied for the fewest votes, when there was a tie to break (the eliminated one among them). */
	readonly tied: readonly number[];
	readonly tieBreak: TieBreak | null;
	/** Where the eliminated option's votes went, by option index, and how many had no choice left. */
	readonly transfers: readonly number[];
	readonly transferredToExhausted: number;
}

export interface RunoffResult {
	readonly rounds: readonly RunoffRound[];
	/** `null` when no ballot counts. */
	readonly winner: number | null;
}

export function countInstantRunoff(optionCount: number, ballots: readonly Ballot[]): RunoffResult {
	const continuing = new Set(Array.from({ length: optionCount }, (_, index) => index));
	// Where each ballot sits now: the position in its ranking of its highest-ranked continuing option.
	const positions = ballots.map(() => 0);
	const rounds: RunoffRound[] = [];
	const topOf = (ballot: Ballot, from: number) => {
		let position = from;
		while (position < ballot.ranking.length && !continuing.has(ballot.ranking[position]!)) position++;
		return position;
	};
	for (;;) {
		const tallies = new Array<number>(optionCount).fill(0);
		let exhausted = 0;
		for (const [index, ballot] of ballots.entries()) {
			const position = topOf(ballot, positions[index]!);
			positions[index] = position;
			if (position < ballot.ranking.length) tallies[ballot.ranking[position]!]! += ballot.weight;
			else exhausted += ballot.weight;
		}
		const counted = tallies.reduce((sum, votes) => sum + votes, 0);
		const last = {
			tallies,
			exhausted,
			eliminated: null,
			tied: [],
			tieBreak: null,
			transfers: new Array<number>(optionCount).fill(0),
			transferredToExhausted: 0
		};
		if (counted === 0) {
			rounds.push(last);
			return { rounds, winner: null };
		}
		const majority = [...continuing].find((option) => tallies[option]! * 2 > counted);
		if (majority !== undefined || continuing.size === 1) {
			rounds.push(last);
			return { rounds, winner: majority ?? [...continuing][0]! };
		}

		const fewest = Math.min(...[...continuing].map((option) => tallies[option]!));
		const tied = [...continuing].filter((option) => tallies[option] === fewest);
		let eliminated = tied[tied.length - 1]!;
		let tieBreak: TieBreak | null = null;
		if (tied.length > 1) {
			const previous = rounds.at(-1)?.tallies;
			const fewestBefore = previous === undefined ? null : Math.min(...tied.map((option) => previous[option]!));
			const stillTied = previous === undefined ? tied : tied.filter((option) => previous[option] === fewestBefore);
			tieBreak = stillTied.length === 1 ? 'previousRound' : 'optionOrder';
			// The set iterates in option order, so the last one is the one listed last on the poll.
			eliminated = stillTied[stillTied.length - 1]!;
		}

		continuing.delete(eliminated);
		const transfers = new Array<number>(optionCount).fill(0);
		let transferredToExhausted = 0;
		for (const [index, ballot] of ballots.entries()) {
			if (ballot.ranking[positions[index]!] !== eliminated) continue;
			const next = topOf(ballot, positions[index]!);
			if (next < ballot.ranking.length) transfers[ballot.ranking[next]!]! += ballot.weight;
			else transferredToExhausted += ballot.weight;
		}
		rounds.push({ tallies, exhausted, eliminated, tied: tied.length > 1 ? tied : [], tieBreak, transfers, transferredToExhausted });
	}
}

/** The votes each option holds in the last round (what the chart and the export's `final_round` show). */
export function finalRound(result: RunoffResult, optionCount: number): readonly number[] {
	return result.rounds.at(-1)?.tallies ?? new Array<number>(optionCount).fill(0);
}

/** Why a ranked ballot cannot be taken, or `null`: an option chosen for two ranks, or a rank left out before a later one. */
export function ballotProblem(
	ranks: readonly (number | null)[]
): { kind: 'duplicate'; option: number; first: number; second: number } | { kind: 'gap'; rank: number } | null {
	const seen = new Map<number, number>();
	for (const [position, option] of ranks.entries()) {
		if (option === null) continue;
		const earlier = seen.get(option);
		if (earlier !== undefined) return { kind: 'duplicate', option, first: earlier + 1, second: position + 1 };
		seen.set(option, position);
	}
	const firstEmpty = ranks.indexOf(null);
	if (firstEmpty !== -1 && ranks.slice(firstEmpty).some((option) => option !== null) && firstEmpty > 0)
		return { kind: 'gap', rank: firstEmpty + 1 };
	return null;
}
