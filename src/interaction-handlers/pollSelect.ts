import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { StringSelectMenuInteraction } from 'discord.js';
import type { PollComponentId } from '../lib/polls/custom-ids.js';
import { readPollComponent } from '../lib/polls/interactions.js';
import { answerVote } from '../lib/polls/vote-answer.js';

interface Parsed {
	readonly id: PollComponentId;
	readonly options: number[];
}

/** A poll's select menu: the submitted options replace the member's choices; an empty submission removes them. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.SelectMenu })
export class PollSelectHandler extends InteractionHandler {
	public override async parse(interaction: StringSelectMenuInteraction) {
		const id = await readPollComponent(interaction, 'select');
		if (id === null) return this.none();
		const options = interaction.values.map((value) => (/^\d{1,2}$/.test(value) ? Number(value) : -1));
		return this.some<Parsed>({ id, options });
	}

	public override async run(interaction: StringSelectMenuInteraction, { id, options }: Parsed) {
		return answerVote(interaction, id, { kind: 'replace', options });
	}
}
