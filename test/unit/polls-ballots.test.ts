import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderMessage } from '../../src/lib/failures.js';
import { english } from '../../src/lib/i18n/index.js';
import {
	castVote,
	closePoll,
	createPoll,
	findChoices,
	readBallots,
	readPollState,
	setRoleWeight,
	listRoleWeights,
	type VoteInput
} from '../../src/lib/polls/repository.js';
import { validateCreate, voterListOpen, type CreateInput } from '../../src/lib/polls/rules.js';
import { createMigratedDatabase } from '../support/database.js';
import { pollDraft, pollRow } from '../support/fixtures.js';

const guildId = '150000000000000001';
const channel = '150000000000000002';
const creator = '150000000000000003';
const gold = '150000000000000010';
const silver = '150000000000000011';

function user(index: number) {
	return String(160000000000000000n + BigInt(index));
}

describe('ballot rules', () => {
	const base: CreateInput = {
		question: 'Q',
		options: 'a | b | c',
		duration: null,
		maxChoices: null,
		anonymous: null,
		hideResults: null,
		roleId: null,
		guildId
	};

	test('GIVEN ranked with max_choices WHEN validated THEN it is refused with the reason', () => {
		const refused = validateCreate({ ...base, ranked: true, maxChoices: 2 }).unwrapErr();
		expect(renderMessage(english, refused)).toBe(
			'A ranked poll lets each member rank the options, so max_choices (2) does not apply: leave max_choices out.'
		);
	});

	test('GIVEN show_voters with anonymous WHEN validated THEN it is refused saying why', () => {
		const refused = validateCreate({ ...base, anonymous: true, showVoters: 'always' }).unwrapErr();
		expect(renderMessage(english, refused)).toMatch(/never stores who voted/);
	});

	test('GIVEN each show_voters mode WHEN open, closed or hidden THEN the Voters list opens only when it says', () => {
		const closedAt = new Date('2030-01-02T00:00:00Z');
		expect(voterListOpen(pollRow({ showVoters: 'always' }))).toBe(true);
		expect(voterListOpen(pollRow({ showVoters: 'always', hideResults: true }))).toBe(false);
		expect(voterListOpen(pollRow({ showVoters: 'after_close' }))).toBe(false);
		expect(voterListOpen(pollRow({ showVoters: 'after_close', closedAt }))).toBe(true);
		expect(voterListOpen(pollRow({ showVoters: 'never', closedAt }))).toBe(false);
	});
});

describe('ranked and weighted votes in the database', () => {
	let db: Awaited<ReturnType<typeof createMigratedDatabase>>;
	beforeAll(async () => {
		db = await createMigratedDatabase({ poolSize: 20 });
		await setRoleWeight(db.sql, guildId, gold, 5);
		await setRoleWeight(db.sql, guildId, silver, 3);
	});
	afterAll(async () => {
		await db.drop();
	});

	function vote(number: number, userId: string, action: VoteInput['action'], memberRoleIds: string[] = []) {
		return castVote(db.sql, { guildId, number, userId, memberRoleIds, action });
	}

	test('GIVEN a ranked poll WHEN a ballot is replaced, refused for a duplicate, and emptied THEN first choices and ballots follow', async () => {
		const poll = await createPoll(db.sql, { guildId, channelId: channel, creatorId: creator, draft: pollDraft({ ranked: true }) });
		expect((await vote(poll.number, user(1), { kind: 'replace', options: [2, 0] })).unwrap().choices).toEqual([2, 0]);
		expect((await vote(poll.number, user(1), { kind: 'replace', options: [1, 1] })).unwrapErr()).toBe('duplicateOption');
		expect((await vote(poll.number, user(1), { kind: 'toggle', option: 1 })).unwrapErr()).toBe('badOption');
		await vote(poll.number, user(2), { kind: 'replace', options: [1, 2, 0] });
		await vote(poll.number, user(1), { kind: 'replace', options: [0, 2] });
		expect((await findChoices(db.sql, guildId, poll.number, user(2))).unwrap().choices).toEqual([1, 2, 0]);
		let state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		expect(state.options.map((option) => option.votes)).toEqual([1, 1, 0]);
		expect(state.ballots?.map((ballot) => ballot.ranking).sort()).toEqual([
			[0, 2],
			[1, 2, 0]
		]);
		await vote(poll.number, user(2), { kind: 'replace', options: [] });
		state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		expect(state.options.map((option) => option.votes)).toEqual([1, 0, 0]);
		expect(state.poll.voterCount).toBe(1);
	});

	test('GIVEN a weighted poll WHEN 300 members with weighted roles toggle at once THEN raw and weighted totals are exact', async () => {
		const poll = await createPoll(db.sql, {
			guildId,
			channelId: channel,
			creatorId: creator,
			draft: pollDraft({ weighted: true, maxChoices: 2 })
		});
		const rolesOf = (index: number) => (index % 3 === 0 ? [gold, silver] : index % 3 === 1 ? [silver] : []);
		await Promise.all(
			Array.from({ length: 300 }, async (_, index) => {
				await vote(poll.number, user(index), { kind: 'toggle', option: 0 }, rolesOf(index));
				await vote(poll.number, user(index), { kind: 'toggle', option: 1 }, rolesOf(index));
			})
		);
		// 100 members weigh 5 (Gold beats Silver), 100 weigh 3, 100 weigh 1: 900 on each option, 300 raw.
		const state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		expect(state.options.map((option) => [option.votes, option.weightedVotes])).toEqual([
			[300, 900],
			[300, 900],
			[0, 0]
		]);
	});

	test('GIVEN a weighted vote WHEN the member loses the role and votes on THEN the old vote keeps its weight and retracting takes it back', async () => {
		const poll = await createPoll(db.sql, {
			guildId,
			channelId: channel,
			creatorId: creator,
			draft: pollDraft({ weighted: true, maxChoices: 2 })
		});
		await vote(poll.number, user(900), { kind: 'toggle', option: 0 }, [gold]);
		await vote(poll.number, user(900), { kind: 'toggle', option: 1 }, []);
		let state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		expect(state.options.map((option) => option.weightedVotes)).toEqual([5, 1, 0]);
		// Outside the double-click window, the retraction removes the 5 it was cast with.
		await db.sql`update poll_votes set voted_at = voted_at - interval '1 minute' where guild_id = ${guildId} and poll_number = ${poll.number}`;
		await vote(poll.number, user(900), { kind: 'toggle', option: 0 }, []);
		state = (await readPollState(db.sql, guildId, poll.number)).unwrap();
		expect(state.options.map((option) => option.weightedVotes)).toEqual([0, 1, 0]);
	});

	test('GIVEN a ranked weighted anonymous poll WHEN voted and closed THEN the ballots keep their weights and name nobody', async () => {
		const poll = await createPoll(db.sql, {
			guildId,
			channelId: channel,
			creatorId: creator,
			draft: pollDraft({ ranked: true, weighted: true, anonymous: true })
		});
		await vote(poll.number, user(950), { kind: 'replace', options: [1, 0] }, [silver]);
		await closePoll(db.sql, guildId, poll.number, { reason: 'command', userId: creator });
		expect(await readBallots(db.sql, guildId, poll.number)).toEqual([{ ranking: [1, 0], weight: 3 }]);
		const [row] = await db.sql<{ named: number }[]>`
			select count(*)::int as named from poll_votes where guild_id = ${guildId} and poll_number = ${poll.number} and voter = ${user(950)}
		`;
		expect(row!.named).toBe(0);
	});

	test('GIVEN role weights WHEN one is set to 1 THEN the rule is removed and the others stay, highest first', async () => {
		await setRoleWeight(db.sql, '150000000000000099', gold, 7);
		await setRoleWeight(db.sql, '150000000000000099', silver, 9);
		await setRoleWeight(db.sql, '150000000000000099', gold, 1);
		expect(await listRoleWeights(db.sql, '150000000000000099')).toEqual([{ roleId: silver, weight: 9 }]);
	});
});
