import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { ComponentType, MessageFlags, type ModalSubmitInteraction } from 'discord.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { castBallot } from '../lib/polls/actions.js';
import type { PollComponentId } from '../lib/polls/custom-ids.js';
import { actorOf, clickedOn, readPollComponent } from '../lib/polls/interactions.js';
import { BallotLimits, describeBallot, rankFieldId } from '../lib/polls/ranked-render.js';

interface Parsed {
	readonly id: PollComponentId;
	/** By rank, first choice first: the option index picked, `null` for a menu left empty, -1 for a value not an option. */
	readonly ranks: (number | null)[];
}

/** A ranked ballot submitted from its modal: it replaces the member's ballot; an empty first choice removes it. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.ModalSubmit })
export class PollBallotHandler extends InteractionHandler {
	public override async parse(interaction: ModalSubmitInteraction) {
		const id = await readPollComponent(interaction, 'ballot');
		if (id === null) return this.none();
		const ranks: (number | null)[] = [];
		for (let rank = 1; rank <= BallotLimits.maxRanks; rank++) {
			const field = interaction.fields.fields.get(rankFieldId(rank));
			if (field === undefined) break;
			const value = field.type === ComponentType.StringSelect ? field.values[0] : undefined;
			ranks.push(value === undefined ? null : /^\d{1,2}$/.test(value) ? Number(value) : -1);
		}
		return this.some<Parsed>({ id, ranks });
	}

	public override async run(interaction: ModalSubmitInteraction, { id, ranks }: Parsed) {
		const t = readerTranslator(interaction);
		const outcome = await castBallot(id, actorOf(interaction), ranks, clickedOn(interaction));
		return interaction.reply({
			content: describeBallot(t, outcome, outcome.labels, outcome.choices),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}
}
