import { describe, expect, test } from 'vitest';
import { castVote, createPoll, findChoices, readPollState } from '../../src/lib/polls/repository.js';
import { nextChoices, type CurrentVote, type VoteAction } from '../../src/lib/polls/rules.js';
import { useMigratedDatabase } from '../support/database.js';
import { pollDraft } from '../support/fixtures.js';

/**
 * `poll_cast_vote` (migrations/003_poll_cast_vote.js) decides a member's next choices in SQL, so that a vote is one
 * statement: these tests hold it to `nextChoices`, the rule written in TypeScript, and hammer one member's clicks.
 */
const db = useMigratedDatabase({ poolSize: 20 });

const guildId = '160000000000000001';
const draft = pollDraft({ question: 'Which?', options: ['A', 'B', 'C', 'D'] });

let nextUser = 0;
function newUser() {
	return String(170000000000000000n + BigInt(nextUser++));
}

/** The member's votes set directly, `recent` ones inside the double-click window, the others well outside it. */
async function seed(number: number, userId: string, current: readonly CurrentVote[]) {
	for (const vote of current) {
		await db.sql`
			insert into poll_votes (guild_id, poll_number, voter, option_index, voted_at)
			values (${guildId}, ${number}, ${userId}, ${vote.option}, ${vote.votedAt})
		`;
	}
}

describe('poll_cast_vote', () => {
	test('GIVEN every starting choice set and every click or submission THEN the statement decides as nextChoices does', async () => {
		const now = Date.now();
		const recent = new Date(now - 200);
		const old = new Date(now - 10_000);
		const startingSets: CurrentVote[][] = [
			[],
			[{ option: 1, votedAt: old }],
			[{ option: 1, votedAt: recent }],
			[
				{ option: 0, votedAt: old },
				{ option: 2, votedAt: recent }
			],
			[
				{ option: 0, votedAt: old },
				{ option: 1, votedAt: old },
				{ option: 3, votedAt: old }
			]
		];
		const actions: VoteAction[] = [
			...[0, 1, 2, 3].map((option) => ({ kind: 'toggle', option }) as const),
			{ kind: 'replace', options: [] },
			{ kind: 'replace', options: [2] },
			{ kind: 'replace', options: [3, 1, 3] },
			{ kind: 'replace', options: [0, 1, 2, 3] }
		];
		let checked = 0;
		for (const maxChoices of [1, 2, 3]) {
			const { number } = await createPoll(db.sql, { guildId, channelId: '1', creatorId: '1', draft: { ...draft, maxChoices } });
			for (const current of startingSets.filter((set) => set.length <= maxChoices)) {
				for (const action of actions) {
					const userId = newUser();
					await seed(number, userId, current);
					const expected = nextChoices(current, action, maxChoices, new Date());
					const outcome = (await castVote(db.sql, { guildId, number, userId, memberRoleIds: [], action })).unwrap();
					expect({ maxChoices, current: current.map((vote) => vote.option), action, choices: outcome.choices }).toEqual({
						maxChoices,
						current: current.map((vote) => vote.option),
						action,
						choices: expected
					});
					expect(outcome.changed).toBe(JSON.stringify(expected) !== JSON.stringify(current.map((vote) => vote.option)));
					expect((await findChoices(db.sql, guildId, number, userId)).unwrap().choices).toEqual(expected);
					checked++;
				}
			}
		}
		expect(checked).toBe(96);
	});

	test('GIVEN one member clicking options 30 times at once, ten times over THEN a single-choice poll never holds two of their votes', async () => {
		const { number } = await createPoll(db.sql, { guildId, channelId: '1', creatorId: '1', draft });
		const userId = newUser();
		for (let round = 0; round < 10; round++) {
			await Promise.all(
				Array.from({ length: 30 }, (_, index) =>
					castVote(db.sql, { guildId, number, userId, memberRoleIds: [], action: { kind: 'toggle', option: (index * 7 + round) % 4 } })
				)
			);
			const choices = (await findChoices(db.sql, guildId, number, userId)).unwrap().choices;
			expect(choices.length).toBeLessThanOrEqual(1);
			const state = (await readPollState(db.sql, guildId, number)).unwrap();
			expect(state.options.map((option) => option.votes)).toEqual([0, 1, 2, 3].map((option) => (choices.includes(option) ? 1 : 0)));
			expect(state.poll.voterCount).toBe(choices.length);
		}
	});

	test('GIVEN one member submitting the select 30 times at once THEN the counts match the one selection that stands', async () => {
		const { number } = await createPoll(db.sql, { guildId, channelId: '1', creatorId: '1', draft: { ...draft, maxChoices: 3 } });
		const userId = newUser();
		const selections = [[0], [1, 2], [], [0, 1, 3], [3]];
		await Promise.all(
			Array.from({ length: 30 }, (_, index) =>
				castVote(db.sql, {
					guildId,
					number,
					userId,
					memberRoleIds: [],
					action: { kind: 'replace', options: selections[index % selections.length]! }
				})
			)
		);
		const choices = (await findChoices(db.sql, guildId, number, userId)).unwrap().choices;
		expect(selections.map((selection) => JSON.stringify(selection))).toContain(JSON.stringify(choices));
		const state = (await readPollState(db.sql, guildId, number)).unwrap();
		expect(state.options.map((option) => option.votes)).toEqual([0, 1, 2, 3].map((option) => (choices.includes(option) ? 1 : 0)));
		expect(state.poll.voterCount).toBe(choices.length > 0 ? 1 : 0);
	});
});
