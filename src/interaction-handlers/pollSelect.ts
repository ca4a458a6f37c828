import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type StringSelectMenuInteraction } from 'discord.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { vote } from '../lib/polls/actions.js';
import type { PollComponentId } from '../lib/polls/custom-ids.js';
import { actorOf, readPollComponent } from '../lib/polls/interactions.js';
import { describeChoices } from '../lib/polls/render.js';

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
		const outcome = await vote(id, actorOf(interaction), { kind: 'replace', options }, interaction.id);
		return interaction.reply({
			content: describeChoices(readerTranslator(interaction), outcome, outcome.labels, outcome.choices),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}
}
