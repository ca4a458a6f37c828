/**
 * The one way the bot answers a request that failed, whatever threw and wherever: a refusal shows its message in
 * the reader's language, a lost database says so, and anything else is logged and answered with an apology, so no
 * interaction ends in Discord's "This interaction failed". Every answer is ephemeral and mentions nobody.
 */
import { container, UserError } from '@sapphire/framework';
import { MessageFlags, RESTJSONErrorCodes, type Interaction } from 'discord.js';
import { describeDatabaseError, isDatabaseUnavailable } from '../database/client.js';
import { Failure, refusalText } from '../failures.js';
import { InteractionTaken } from '../interaction-claims.js';
import { disarmDeferral, isGuarded, noteOwnerUnknown, respond, settleAcknowledgement } from './acknowledge.js';
import { ExpectedDiscordErrors, isDiscordError } from './errors.js';
import { readerTranslator } from '../i18n/readers.js';
import type { Translator } from '../i18n/index.js';

/**
 * Answers `interaction` with what went wrong: a slash command through {@link respond}, as its own answer would go; a
 * component's ephemeral deferred reply is edited, one already answered (or deferred as an update of its message,
 * which must not be overwritten) gets a follow-up, any other a reply.
 */
export async function answerFailure(interaction: Interaction, error: unknown) {
	if (isGuarded(interaction)) {
		if (error instanceof InteractionTaken) disarmDeferral(interaction);
		else await settleAcknowledgement(interaction);
	}
	if (isAnsweredElsewhere(interaction, error)) return;
	// The database could not be asked (here, or in a precondition that said so): another process may have the claim.
	if (isDatabaseUnavailable(error) || (error instanceof UserError && error.identifier === Failure.DatabaseUnavailable))
		noteOwnerUnknown(interaction);
	const content = describeFailure(readerTranslator(interaction), interaction, error);
	if (interaction.isAutocomplete()) {
		if (!interaction.responded) await interaction.respond([]).catch(() => {});
		return;
	}
	const body = { content, allowedMentions: { parse: [] } };
	try {
		if (isGuarded(interaction)) await respond(interaction, { ...body, flags: MessageFlags.Ephemeral });
		else if (interaction.deferred && !interaction.replied && interaction.ephemeral === true) await interaction.editReply(body);
		else if (interaction.deferred || interaction.replied) await interaction.followUp({ ...body, flags: MessageFlags.Ephemeral });
		else await interaction.reply({ ...body, flags: MessageFlags.Ephemeral });
	} catch (replyError) {
		if (isAnsweredElsewhere(interaction, replyError)) return;
		container.logger.warn('Could not tell the user about a failure:', replyError, interactionFields(interaction));
	}
}

/**
 * Another process has this interaction (it won the claim, or acknowledged it first: Discord's 40060): nothing is
 * wrong and the member already has, or will get, that process's answer. One debug line, no stack.
 */
function isAnsweredElsewhere(interaction: Interaction, error: unknown): boolean {
	if (error instanceof InteractionTaken) {
		container.logger.debug('Interaction claimed by another process; standing down.', interactionFields(interaction));
		return true;
	}
	if (isDiscordError(error, ExpectedDiscordErrors.AlreadyAnswered)) {
		container.logger.debug('Interaction already acknowledged (40060), by another process.', interactionFields(interaction));
		return true;
	}
	if (isOriginalGone(error)) {
		// The public "thinking" was deleted under this process: the other process of a deploy overlap, which could not
		// reach the database, waited its 8 s for this answer, then deleted it and told the member (acknowledge.ts,
		// answerUnclaimed). What this process was posting is undone already (a new poll deletes itself).
		container.logger.debug('The reply was removed by another process, which answered the member; standing down.', interactionFields(interaction));
		return true;
	}
	return false;
}

/** Discord's 10008 for an edit of the interaction's own reply (`@original`, which @discordjs/rest sends encoded): that reply was deleted. */
function isOriginalGone(error: unknown): boolean {
	return (
		isDiscordError(error, [RESTJSONErrorCodes.UnknownMessage]) &&
		error.method.toUpperCase() === 'PATCH' &&
		/\/webhooks\/\d+\/[^/]+\/messages\/(?:@|%40)original(?:\?|$)/.test(error.url)
	);
}

/** The words for a failure; a fault that is not the member's is logged here, once. */
export function describeFailure(t: Translator, interaction: Interaction, error: unknown): string {
	if (error instanceof UserError) return refusalText(t, error);
	if (isDatabaseUnavailable(error)) {
		container.logger.warn('Database unavailable while handling an interaction.', {
			...interactionFields(interaction),
			reason: describeDatabaseError(error)
		});
		return t('common:unavailable');
	}
	if (isDiscordError(error, ExpectedDiscordErrors.InteractionExpired)) {
		// Discord forgot the interaction (its 3 s passed while the bot was stalled or restarting): nothing to answer.
		container.logger.warn('An interaction expired before it was answered.', interactionFields(interaction));
		return t('common:unexpected');
	}
	container.logger.error('Unexpected error while handling an interaction:', error, interactionFields(interaction));
	return t('common:unexpected');
}

/** The ids every log line about an interaction carries. */
export function interactionFields(interaction: Interaction) {
	return { guildId: interaction.guildId ?? 'dm', interactionId: interaction.id, userId: interaction.user.id };
}
