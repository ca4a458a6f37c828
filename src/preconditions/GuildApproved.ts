import { ApplyOptions } from '@sapphire/decorators';
import { AllFlowsPrecondition, type ChatInputCommand, type ContextMenuCommand, type MessageCommand, type Precondition } from '@sapphire/framework';
import type { ChatInputCommandInteraction, ContextMenuCommandInteraction, Message } from 'discord.js';
import { accessRefusal, type Requester } from '../lib/access.js';
import { isDatabaseUnavailable } from '../lib/database/client.js';
import { Failure, message, refusal, type Message as Text } from '../lib/failures.js';

/**
 * Global: runs before every command. In a server the owner has not approved, only commands declared with
 * `allowUnapproved` (`/help`, `/ping`) run; DMs are not gated.
 */
@ApplyOptions<Precondition.Options>({ position: 20 })
export class GuildApprovedPrecondition extends AllFlowsPrecondition {
	public override chatInputRun(interaction: ChatInputCommandInteraction, command: ChatInputCommand) {
		return this.check({ userId: interaction.user.id, guildId: interaction.guildId }, command.options.allowUnapproved);
	}

	public override contextMenuRun(interaction: ContextMenuCommandInteraction, command: ContextMenuCommand) {
		return this.check({ userId: interaction.user.id, guildId: interaction.guildId }, command.options.allowUnapproved);
	}

	public override messageRun(message: Message, command: MessageCommand) {
		return this.check({ userId: message.author.id, guildId: message.guildId }, command.options.allowUnapproved);
	}

	private async check(requester: Requester, allowUnapproved: boolean | undefined) {
		if (allowUnapproved) return this.ok();
		try {
			const refused = await accessRefusal(requester, 'approvedGuild');
			return refused === null ? this.ok() : this.deny(refused.identifier, refused.text);
		} catch (error) {
			// Sapphire does not answer for a precondition that throws: the member would see "This interaction failed".
			if (isDatabaseUnavailable(error)) return this.deny(Failure.DatabaseUnavailable, message('common:unavailable'));
			this.container.logger.error('Checking a server’s approval failed:', error, { guildId: requester.guildId ?? 'dm' });
			return this.deny(Failure.Unexpected, message('common:unexpected'));
		}
	}

	/** The refusal as Sapphire's precondition error, keeping the message key so the answer is in the reader's language. */
	private deny(identifier: Failure, text: Text) {
		const { message: english, context } = refusal(identifier, text);
		return this.error({ identifier, message: english, context });
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		GuildApproved: never;
	}
}
