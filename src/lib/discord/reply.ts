import { container, UserError } from '@sapphire/framework';
import { MessageFlags, type Interaction } from 'discord.js';
import { isDatabaseUnavailable } from '../database/client.js';

export const unavailableMessage = 'The bot’s database is temporarily unavailable. Please try again in a minute.';
export const genericFailureMessage = 'Something went wrong on our side. It has been logged; please try again.';

/**
 * Answers a failed interaction, ephemerally: a {@link UserError} shows its message (meant for the user), a lost
 * database says so, and anything else is logged and answered with a generic apology, so no interaction ends in
 * Discord's "This interaction failed".
 */
export async function answerFailure(interaction: Interaction, error: unknown) {
	const content = describeFailure(interaction, error);
	if (interaction.isAutocomplete()) {
		if (!interaction.responded) await interaction.respond([]).catch(() => {});
		return;
	}
	try {
		if (interaction.deferred || interaction.replied) {
			await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
		} else {
			await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
		}
	} catch (replyError) {
		container.logger.warn('Could not tell the user about a failure:', replyError, interactionFields(interaction));
	}
}

function describeFailure(interaction: Interaction, error: unknown): string {
	if (error instanceof UserError) return error.message;
	if (isDatabaseUnavailable(error)) {
		container.logger.warn('Database unavailable while handling an interaction.', interactionFields(interaction));
		return unavailableMessage;
	}
	container.logger.error('Unexpected error while handling an interaction:', error, interactionFields(interaction));
	return genericFailureMessage;
}

/** The ids every log line about an interaction carries. */
export function interactionFields(interaction: Interaction) {
	return { guildId: interaction.guildId ?? 'dm', interactionId: interaction.id, userId: interaction.user.id };
}
