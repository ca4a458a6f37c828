import { AllFlowsPrecondition, type Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message, User } from 'discord.js';
import { isOwner, notOwnerMessage } from '../lib/owners.js';

/** Lets only the users in `OWNER_ID` through; every refused attempt to run a command is logged. */
export class OwnerOnlyPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction, _command: unknown, context: Precondition.Context) {
		// `/help` asks whether the user may run it (an external check): that is no attempt, so it is not logged.
		const fields = { guildId: interaction.guildId ?? 'dm', interactionId: interaction.id, command: interaction.commandName };
		return this.check(interaction.user, fields, context.external === true);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction) {
		return this.check(interaction.user, {
			guildId: interaction.guildId ?? 'dm',
			interactionId: interaction.id,
			command: interaction.commandName
		});
	}

	public override messageRun(message: Message) {
		return this.check(message.author, { guildId: message.guildId ?? 'dm', messageId: message.id });
	}

	private check(user: User, fields: Record<string, string>, quiet = false) {
		if (isOwner(user.id)) return this.ok();
		if (!quiet) this.container.logger.warn(`Refused an owner-only command to user ${user.id}.`, { ...fields, userId: user.id });
		return this.error({ identifier: 'ownerOnly', message: notOwnerMessage });
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		OwnerOnly: never;
	}
}
