import { container } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import { beforeAll, describe, expect, test } from 'vitest';
import { statementTimeoutMs } from '../../src/lib/database/client.js';
import { AnswerTiming, answerInTime } from '../../src/lib/discord/in-time.js';

/** The part of a button interaction that answerInTime uses, recording what the member was shown. */
function fakeButton() {
	const shown: { kind: string; content?: string }[] = [];
	const interaction = {
		id: '1',
		deferred: false,
		replied: false,
		ephemeral: null as boolean | null,
		async deferReply() {
			shown.push({ kind: 'defer' });
			Object.assign(interaction, { deferred: true, ephemeral: true });
		},
		async editReply({ content }: { content: string }) {
			shown.push({ kind: 'edit', content });
		},
		async reply({ content }: { content: string }) {
			shown.push({ kind: 'reply', content });
			interaction.replied = true;
		}
	};
	return { interaction: interaction as unknown as ButtonInteraction, shown };
}

/** A statement cancelled by the statement timeout, as postgres.js reports it. */
const cancelled = () => Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

describe('GIVEN a vote whose statement was cancelled by the statement timeout', () => {
	beforeAll(() => {
		container.logger ??= { warn: () => {}, info: () => {}, debug: () => {} } as unknown as typeof container.logger;
	});
	// Started long enough ago that the wait for every statement of the interaction to end is short.
	const startedAt = () => Date.now() - (AnswerTiming.startBudgetMs + statementTimeoutMs);

	test('WHEN the other process of a deploy overlap stored the vote THEN the member is told what was stored, not that it failed', async () => {
		const { interaction, shown } = fakeButton();
		await answerInTime(interaction, {
			startedAt: startedAt(),
			work: Promise.reject(cancelled()),
			render: () => 'rendered',
			stored: async () => true,
			reread: async () => 'Your vote in poll #1: **A**.'
		});
		expect(shown).toEqual([{ kind: 'defer' }, { kind: 'edit', content: 'Your vote in poll #1: **A**.' }]);
	});

	test('WHEN nobody stored it THEN the failure is thrown, to be answered as one, once no statement can still commit', async () => {
		const { interaction, shown } = fakeButton();
		const begun = startedAt();
		await expect(
			answerInTime(interaction, {
				startedAt: begun,
				work: Promise.reject(cancelled()),
				render: () => 'rendered',
				stored: async () => false,
				reread: async () => 'never read'
			})
		).rejects.toMatchObject({ code: '57014' });
		expect(shown).toEqual([{ kind: 'defer' }]);
		expect(Date.now(), 'asked only once no statement of the interaction could still commit').toBeGreaterThanOrEqual(
			begun + AnswerTiming.startBudgetMs + statementTimeoutMs + AnswerTiming.settleMarginMs - 5
		);
	});
});
