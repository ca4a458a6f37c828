import type { ButtonInteraction, StringSelectMenuInteraction } from 'discord.js';
import { container } from '@sapphire/framework';
import { clockStartOf } from '../discord/acknowledge.js';
import { AnswerTiming, answerInTime, standBy } from '../discord/in-time.js';
import { readerTranslator } from '../i18n/readers.js';
import { InteractionTaken, isClaimed } from '../interaction-claims.js';
import { findOwnChoices, vote } from './actions.js';
import { actorOf, clickedOn } from './interactions.js';
import type { PollRef } from './ref.js';
import { describeChoices, describeVote } from './render.js';
import type { VoteAction } from './rules.js';

/**
 * A button's or menu's vote, cast once per interaction and answered with what was stored, in time
 * (src/lib/discord/in-time.ts): the member's choices as the vote left them, or, when the database was too slow to
 * say, as it holds them once it can.
 */
export async function answerVote(interaction: ButtonInteraction | StringSelectMenuInteraction, ref: PollRef, action: VoteAction) {
	const t = readerTranslator(interaction);
	// Discord's 3 s started when the click was made (or arrived), before the handler's parse read the poll.
	const startedAt = clockStartOf(interaction);
	const reread = async () => {
		const { poll, labels, choices } = await findOwnChoices(ref, interaction.user.id);
		return describeChoices(t, poll, labels, choices);
	};
	try {
		return await answerInTime(interaction, {
			startedAt,
			work: vote(ref, actorOf(interaction), action, {
				once: { interactionId: interaction.id, notAfter: new Date(startedAt + AnswerTiming.startBudgetMs) },
				clickedOn: clickedOn(interaction)
			}),
			render: (outcome) => describeVote(t, outcome),
			stored: () => isClaimed(container.sql, interaction.id),
			reread
		});
	} catch (error) {
		// Another process cast this vote; should it stop before answering, this one answers for it.
		if (error instanceof InteractionTaken)
			void standBy(interaction, startedAt, reread).catch((standByError: unknown) =>
				container.logger.warn('Standing by for another process failed:', standByError, { interactionId: interaction.id })
			);
		throw error;
	}
}
