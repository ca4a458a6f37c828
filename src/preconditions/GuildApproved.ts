import { ApplyOptions } from '@sapphire/decorators';
import { AllFlowsPrecondition, type ChatInputCommand, type ContextMenuCommand, type MessageCommand, type Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message } from 'discord.js';
import { guildRefusal, Identifiers } from '../lib/approval/gate.js';
import { isDatabaseUnavailable } from '../lib/database/client.js';
import { genericFailureMessage, unavailableMessage } from '../lib/discord/reply.js';

/**
 * Global: runs before every command. In a server the owner has not approved, only commands declared with
 * `allowUnapproved` (`/help`, `/ping`) run; DMs are not gated.
 */
@ApplyOptions<Precondition.Options>({ position: 20 })
export class GuildApprovedPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction, command: ChatInputCommand) {
		return this.check(interaction.guildId, command.options.allowUnapproved);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction, command: ContextMenuCommand) {
		return this.check(interaction.guildId, command.options.allowUnapproved);
	}

	public override messageRun(message: Message, command: MessageCommand) {
		return this.check(message.guildId, command.options.allowUnapproved);
	}

	private async check(guildId: string | null, allowUnapproved: boolean | undefined) {
		if (allowUnapproved) return this.ok();
		try {
			const refusal = await guildRefusal(guildId);
			return refusal === null ? this.ok() : this.error({ identifier: Identifiers.GuildNotApproved, message: refusal });
		} catch (error) {
			// Sapphire does not answer for a precondition that throws: the member would see "This interaction failed".
			if (isDatabaseUnavailable(error)) return this.error({ identifier: 'databaseUnavailable', message: unavailableMessage });
			this.container.logger.error('Checking a server’s approval failed:', error, { guildId: guildId ?? 'dm' });
			return this.error({ identifier: 'approvalCheckFailed', message: genericFailureMessage });
		}
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		GuildApproved: never;
	}
}
