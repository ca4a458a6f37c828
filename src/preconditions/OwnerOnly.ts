import { AllFlowsPrecondition, type Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message, User } from 'discord.js';
import { accessRefusal } from '../lib/access.js';
import { refusal } from '../lib/failures.js';

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

	private async check(user: User, fields: Record<string, string>, quiet = false) {
		const refused = await accessRefusal({ userId: user.id, guildId: null }, 'owner');
		if (refused === null) return this.ok();
		if (!quiet) this.container.logger.warn(`Refused an owner-only command to user ${user.id}.`, { ...fields, userId: user.id });
		const { message, context } = refusal(refused.identifier, refused.text);
		return this.error({ identifier: refused.identifier, message, context });
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		OwnerOnly: never;
	}
}
