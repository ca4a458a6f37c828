import { describe, expect, test } from 'vitest';
import { english } from '../../src/lib/i18n/index.js';
import { ballotProblem, countInstantRunoff, finalRound, type Ballot } from '../../src/lib/polls/ranked.js';
import { renderClosedNotice, renderPollEmbed, renderResults } from '../../src/lib/polls/render.js';
import { pollRow } from '../support/fixtures.js';

/** `times` equal ballots of `ranking`, each counting `weight`. */
function ballots(times: number, ranking: number[], weight = 1): Ballot[] {
	return Array.from({ length: times }, () => ({ ranking, weight }));
}

const [A, B, C, D] = [0, 1, 2, 3];

describe('countInstantRunoff', () => {
	test('GIVEN an option with more than half the first choices WHEN counted THEN it wins in round 1', () => {
		const result = countInstantRunoff(3, [...ballots(2, [A]), ...ballots(1, [B])]);
		expect(result.winner).toBe(A);
		expect(result.rounds).toHaveLength(1);
		expect(result.rounds[0]!.tallies).toEqual([2, 1, 0]);
		expect(result.rounds[0]!.eliminated).toBeNull();
	});

	test('GIVEN the first-choice leader short of a majority WHEN the last option transfers THEN the winner changes', () => {
		// By hand: A4 B3 C2 of 9; C goes, its 2 ballots move to B: A4 B5, B wins.
		const result = countInstantRunoff(3, [...ballots(4, [A]), ...ballots(3, [B, C]), ...ballots(2, [C, B])]);
		expect(result.rounds.map((round) => round.tallies)).toEqual([
			[4, 3, 2],
			[4, 5, 0]
		]);
		expect(result.rounds[0]).toMatchObject({ eliminated: C, tieBreak: null, transfers: [0, 2, 0], transferredToExhausted: 0 });
		expect(result.winner).toBe(B);
	});

	test('GIVEN a tie for fewest WHEN the previous round differs THEN the one with fewer votes then is eliminated', () => {
		// By hand: R1 A6 B3 C2 D1, D goes (to C). R2 A6 B3 C3: B and C tied, C had 2 before, B 3: C goes (3 to B).
		// R3 A6 B6: tied, B had 3 before: B goes, all 6 of its ballots have nothing left. R4: A6 alone.
		const result = countInstantRunoff(4, [...ballots(6, [A]), ...ballots(3, [B]), ...ballots(2, [C, B]), ...ballots(1, [D, C, B])]);
		expect(result.rounds.map((round) => round.tallies)).toEqual([
			[6, 3, 2, 1],
			[6, 3, 3, 0],
			[6, 6, 0, 0],
			[6, 0, 0, 0]
		]);
		expect(result.rounds.map((round) => round.eliminated)).toEqual([D, C, B, null]);
		expect(result.rounds[1]).toMatchObject({ tied: [B, C], tieBreak: 'previousRound', transfers: [0, 3, 0, 0] });
		expect(result.rounds[2]).toMatchObject({ tied: [A, B], tieBreak: 'previousRound', transferredToExhausted: 6 });
		expect(result.rounds[3]!.exhausted).toBe(6);
		expect(result.winner).toBe(A);
	});

	test('GIVEN a tie for fewest in round 1 WHEN there is no previous round THEN the option listed last is eliminated', () => {
		// By hand: R1 A2 B1 C1 of 4; B and C tied, no round before: C (listed last) goes, to B. R2 A2 B2: tied, B had 1
		// before: B goes; [B, A] moves to A, [C, B] has nothing left. R3: A3 of 3 counted.
		const result = countInstantRunoff(3, [...ballots(2, [A]), ...ballots(1, [B, A]), ...ballots(1, [C, B])]);
		expect(result.rounds[0]).toMatchObject({ eliminated: C, tied: [B, C], tieBreak: 'optionOrder', transfers: [0, 1, 0] });
		expect(result.rounds[1]).toMatchObject({
			tallies: [2, 2, 0],
			eliminated: B,
			tieBreak: 'previousRound',
			transfers: [1, 0, 0],
			transferredToExhausted: 1
		});
		expect(result.rounds[2]).toMatchObject({ tallies: [3, 0, 0], exhausted: 1 });
		expect(result.winner).toBe(A);
	});

	test('GIVEN a tie for fewest in this round and the previous one WHEN counted THEN the option listed last is eliminated', () => {
		// By hand: R1 A3 B2 C2 D1 of 8, D goes (to A). R2 A4 B2 C2: 4 is not more than half of 8; B and C tied now and
		// before: C (listed after B) goes, nothing left on its ballots. R3: A4 B2 of 6: A wins.
		const result = countInstantRunoff(4, [...ballots(3, [A]), ...ballots(2, [B]), ...ballots(2, [C]), ...ballots(1, [D, A])]);
		expect(result.rounds[1]).toMatchObject({
			tallies: [4, 2, 2, 0],
			eliminated: C,
			tied: [B, C],
			tieBreak: 'optionOrder',
			transferredToExhausted: 2
		});
		expect(result.rounds[2]!.tallies).toEqual([4, 2, 0, 0]);
		expect(result.winner).toBe(A);
	});

	test('GIVEN the last two options level WHEN counted THEN the tie rule decides and says so', () => {
		const result = countInstantRunoff(2, [...ballots(1, [A]), ...ballots(1, [B])]);
		expect(result.rounds[0]).toMatchObject({ eliminated: B, tied: [A, B], tieBreak: 'optionOrder' });
		expect(result.winner).toBe(A);
	});

	test('GIVEN weighted ballots WHEN counted THEN each counts its weight', () => {
		const result = countInstantRunoff(2, [...ballots(1, [A], 3), ...ballots(2, [B])]);
		expect(result.rounds[0]!.tallies).toEqual([3, 2]);
		expect(result.winner).toBe(A);
	});

	test('GIVEN no ballots WHEN counted THEN there is no winner and the one round is empty', () => {
		const result = countInstantRunoff(3, []);
		expect(result.winner).toBeNull();
		expect(finalRound(result, 3)).toEqual([0, 0, 0]);
	});
});

describe('ballotProblem', () => {
	test('GIVEN an option in two ranks WHEN checked THEN the duplicate and both ranks are named', () => {
		expect(ballotProblem([A, B, A])).toEqual({ kind: 'duplicate', option: A, first: 1, second: 3 });
	});

	test('GIVEN a rank left empty before a later one WHEN checked THEN the gap is named', () => {
		expect(ballotProblem([A, null, B])).toEqual({ kind: 'gap', rank: 2 });
	});

	test('GIVEN a ballot ranked in order, or an empty first choice WHEN checked THEN nothing is wrong', () => {
		expect(ballotProblem([A, B, null])).toBeNull();
		expect(ballotProblem([null, null])).toBeNull();
	});
});

describe('ranked results within Discord limits', () => {
	test('GIVEN 25 options of 80 characters and 24 rounds WHEN rendered THEN the embed, results and notice fit Discord', () => {
		const options = Array.from({ length: 25 }, (_, index) => ({ index, label: `${'*'.repeat(70)}${String(index).padStart(10, '_')}`, votes: 0 }));
		// Ballot i ranks options i, i+1, ... so every option survives a while and every round moves votes.
		const everyRound = Array.from({ length: 300 }, (_, index) => ({
			ranking: Array.from({ length: 5 }, (_, step) => (index + step) % 25),
			weight: 1 + (index % 4)
		}));
		const state = {
			poll: pollRow({ optionCount: 25, ranked: true, question: 'Q'.repeat(300), closedAt: new Date('2030-01-02T00:00:00Z') }),
			options,
			ballots: everyRound
		};
		const embed = renderPollEmbed(english, state);
		const total =
			(embed.title?.length ?? 0) +
			(embed.description?.length ?? 0) +
			(embed.footer?.text.length ?? 0) +
			(embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
		expect(embed.description!.length).toBeLessThanOrEqual(4_096);
		expect(total).toBeLessThanOrEqual(6_000);
		expect(embed.description).toContain('Instant runoff');
		expect(embed.description).toMatch(/more rounds/);
		expect(renderResults(english, state, null).length).toBeLessThanOrEqual(2_000);
		expect(renderClosedNotice(english, state).length).toBeLessThanOrEqual(2_000);
		expect(renderClosedNotice(english, state)).toMatch(/Winner: /);
	});
});
