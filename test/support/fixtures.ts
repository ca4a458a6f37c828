/** Data the unit and repository tests share, so a change to a poll's shape is made once. */
import type { PollRow } from '../../src/lib/polls/repository.js';
import type { PollDraft } from '../../src/lib/polls/rules.js';

/** A valid draft: a single-choice, named, open-ended poll of three options. */
export function pollDraft(overrides: Partial<PollDraft> = {}): PollDraft {
	return {
		question: 'Lunch?',
		options: ['Pizza', 'Sushi', 'Tacos'],
		durationMs: null,
		maxChoices: 1,
		anonymous: false,
		hideResults: false,
		roleId: null,
		ranked: false,
		weighted: false,
		showVoters: 'never',
		...overrides
	};
}

/** A stored poll row, open, as the renderer gets it. */
export function pollRow(overrides: Partial<PollRow> = {}): PollRow {
	return {
		guildId: '100000000000000001',
		number: 7,
		channelId: '100000000000000002',
		messageId: '100000000000000003',
		creatorId: '100000000000000004',
		question: 'Lunch?',
		optionCount: 3,
		maxChoices: 1,
		anonymous: false,
		hideResults: false,
		roleId: null,
		voterCount: 0,
		createdAt: new Date('2030-01-01T00:00:00Z'),
		closesAt: null,
		closedAt: null,
		closedBy: null,
		closeReason: null,
		locale: 'en-US',
		scheduledFor: null,
		editedAt: null,
		ranked: false,
		weighted: false,
		showVoters: 'never',
		...overrides
	};
}
