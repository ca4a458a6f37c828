import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes, UserError } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { interactionFields } from '../lib/discord/reply.js';
import type { PollComponent, PollComponentId } from '../lib/polls/custom-ids.js';
import { describeCloseFailure, PollComponentIdentifiers, readPollComponent, voteAndConfirm } from '../lib/polls/interactions.js';
import { closePoll, findChoices, findPoll } from '../lib/polls/repository.js';
import { describeChoices } from '../lib/polls/render.js';
import { mayManage } from '../lib/polls/rules.js';
import { announceClose, viewerOf } from '../lib/polls/service.js';

interface Parsed {
	readonly kind: Exclude<PollComponent, 'select'>;
	readonly id: PollComponentId;
}

/** A poll message's buttons: an option (vote or retract), **My vote**, and **Close**. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class PollButtonsHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		for (const kind of ['vote', 'mine', 'close'] as const) {
			const id = await readPollComponent(interaction, kind);
			if (id !== null) return this.some<Parsed>({ kind, id });
		}
		return this.none();
	}

	public override async run(interaction: ButtonInteraction, { kind, id }: Parsed) {
		switch (kind) {
			case 'vote':
				return this.vote(interaction, id);
			case 'mine':
				return this.showMine(interaction, id);
			case 'close':
				return this.close(interaction, id);
		}
	}

	private vote(interaction: ButtonInteraction, id: PollComponentId) {
		return voteAndConfirm(interaction, id, { kind: 'toggle', option: id.option ?? -1 });
	}

	private async showMine(interaction: ButtonInteraction, id: PollComponentId) {
		const found = await findChoices(this.container.sql, id.guildId, id.number, interaction.user.id);
		if (found.isErr()) {
			const message =
				found.unwrapErr() === 'notFound'
					? `There is no poll #${id.number} in this server.`
					: `Poll #${id.number} was anonymous and is closed: its votes can no longer be linked to anyone, not even to you.`;
			throw new UserError({ identifier: PollComponentIdentifiers.Refused, message });
		}
		const { poll, labels, choices } = found.unwrap();
		await interaction.reply({ content: describeChoices(poll, labels, choices), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	private async close(interaction: ButtonInteraction, id: PollComponentId) {
		const poll = (await findPoll(this.container.sql, id.guildId, id.number)).unwrapOr(null);
		if (poll === null)
			throw new UserError({ identifier: PollComponentIdentifiers.Refused, message: `There is no poll #${id.number} in this server.` });
		if (!mayManage(poll, viewerOf(interaction))) {
			throw new UserError({
				identifier: PollComponentIdentifiers.Refused,
				message: `Only the creator of poll #${poll.number} or a member with Manage Server can close it.`
			});
		}
		const closed = await closePoll(this.container.sql, poll.guildId, poll.number, { reason: 'button', userId: interaction.user.id });
		if (closed.isErr()) {
			throw new UserError({ identifier: PollComponentIdentifiers.Refused, message: describeCloseFailure(closed.unwrapErr(), poll.number) });
		}
		await interaction.reply({ content: `Poll #${poll.number} is closed.`, flags: MessageFlags.Ephemeral });
		this.container.logger.info(`Poll #${poll.number} closed with its button.`, interactionFields(interaction));
		await announceClose(closed.unwrap());
	}
}
