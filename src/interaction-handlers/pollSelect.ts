import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes, UserError } from '@sapphire/framework';
import { MessageFlags, type StringSelectMenuInteraction } from 'discord.js';
import type { PollComponentId } from '../lib/polls/custom-ids.js';
import { describeVoteFailure, PollComponentIdentifiers, readPollComponent } from '../lib/polls/interactions.js';
import { metrics } from '../lib/metrics/index.js';
import { castVote, findPoll } from '../lib/polls/repository.js';
import { describeChoices } from '../lib/polls/render.js';
import { memberRoleIds, requestPollEdit } from '../lib/polls/service.js';

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
		const outcome = await castVote(this.container.sql, {
			guildId: id.guildId,
			number: id.number,
			userId: interaction.user.id,
			memberRoleIds: memberRoleIds(interaction),
			action: { kind: 'replace', options }
		});
		if (outcome.isErr()) {
			// A member could still click: the message may not show the close yet (the process that closed it died
			// before editing it). Refreshing it heals that, at most once per 2 s.
			if (outcome.unwrapErr() === 'closed') requestPollEdit(id.guildId, id.number);
			const roleId =
				outcome.unwrapErr() === 'missingRole'
					? ((await findPoll(this.container.sql, id.guildId, id.number)).unwrapOr(null)?.roleId ?? null)
					: null;
			throw new UserError({
				identifier: PollComponentIdentifiers.Refused,
				message: describeVoteFailure(outcome.unwrapErr(), id.number, roleId)
			});
		}
		const vote = outcome.unwrap();
		if (vote.changed) {
			metrics.votesRecorded.inc();
			requestPollEdit(vote.guildId, vote.number);
		}
		await interaction.reply({
			content: describeChoices(vote, vote.labels, vote.choices),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}
}
