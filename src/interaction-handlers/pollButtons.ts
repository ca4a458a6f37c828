import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { armDeferral, respond } from '../lib/discord/acknowledge.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { closeByMember, findOwnChoices, openBallot, readVoterPage } from '../lib/polls/actions.js';
import type { PollComponent, PollComponentId } from '../lib/polls/custom-ids.js';
import { actorOf, readPollComponent } from '../lib/polls/interactions.js';
import { describeBallot } from '../lib/polls/ranked-render.js';
import { describeChoices } from '../lib/polls/render.js';
import { answerVote } from '../lib/polls/vote-answer.js';
import { renderVoterPage } from '../lib/polls/voters.js';

interface Parsed {
	readonly kind: Exclude<PollComponent, 'select' | 'ballot'>;
	readonly id: PollComponentId;
}

/** A poll message's buttons: an option (vote or retract), **Rank**, **My vote**, **Close**, and **Voters** with its pages. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class PollButtonsHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		for (const kind of ['vote', 'mine', 'close', 'rank', 'voters'] as const) {
			const id = await readPollComponent(interaction, kind);
			if (id !== null) return this.some<Parsed>({ kind, id });
		}
		return this.none();
	}

	public override async run(interaction: ButtonInteraction, { kind, id }: Parsed) {
		const t = readerTranslator(interaction);
		switch (kind) {
			case 'vote':
				return answerVote(interaction, id, { kind: 'toggle', option: id.option ?? -1 });
			case 'mine': {
				armDeferral(interaction, false);
				const { poll, labels, choices } = await findOwnChoices(id, interaction.user.id);
				return respond(interaction, {
					content: (poll.ranked ? describeBallot : describeChoices)(t, poll, labels, choices),
					flags: MessageFlags.Ephemeral,
					allowedMentions: { parse: [] }
				});
			}
			case 'close':
				armDeferral(interaction, false);
				await claimOrStandDown(this.container.sql, interaction.id);
				return closeByMember(id, actorOf(interaction), {
					reason: 'button',
					confirm: (closed) => respond(interaction, { content: t('polls:closedNow', { number: closed.number }), flags: MessageFlags.Ephemeral })
				});
			case 'rank':
				return interaction.showModal(await openBallot(id, interaction.user.id, t));
			case 'voters': {
				const page = renderVoterPage(t, await readVoterPage(id, id.option ?? 0));
				// The pages' own buttons turn the page in place; the poll message's button opens the list.
				if (interaction.message.flags.has(MessageFlags.Ephemeral)) return interaction.update({ ...page, allowedMentions: { parse: [] } });
				return interaction.reply({ ...page, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
			}
		}
	}
}
