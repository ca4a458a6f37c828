/**
 * What the poll interaction handlers share: reading and checking a poll component's custom id (from `parse`, so a
 * foreign, malformed or cross-server id is refused before anything is loaded), casting a vote, and the wording of
 * vote refusals.
 */
import { container, UserError } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction, type MessageComponentInteraction, type StringSelectMenuInteraction } from 'discord.js';
import { assertGuildApproved } from '../approval/gate.js';
import { metrics } from '../metrics/index.js';
import { parsePollComponentId, type PollComponent, type PollComponentId } from './custom-ids.js';
import { castVote, findPoll, type CloseFailure, type VoteFailure } from './repository.js';
import { describeChoices } from './render.js';
import type { VoteAction } from './rules.js';
import { healClosedPoll, memberRoleIds, requestPollEdit } from './service.js';

export const PollComponentIdentifiers = {
	Malformed: 'pollComponentMalformed',
	OtherServer: 'pollComponentOtherServer',
	Refused: 'pollVoteRefused'
} as const;

/**
 * The poll component this interaction is for, `null` when it is another handler's. Throws a {@link UserError}
 * (answered ephemerally) for a malformed id, an id naming a poll of another server, or a server not approved.
 */
export async function readPollComponent(interaction: MessageComponentInteraction, kind: PollComponent): Promise<PollComponentId | null> {
	const parsed = parsePollComponentId(interaction.customId, kind);
	if (parsed === null) return null;
	await assertGuildApproved(interaction.guildId);
	if (parsed === 'malformed') {
		throw new UserError({
			identifier: PollComponentIdentifiers.Malformed,
			message: 'This poll component is not one the bot made; nothing was recorded.'
		});
	}
	if (interaction.guildId !== parsed.guildId) {
		throw new UserError({
			identifier: PollComponentIdentifiers.OtherServer,
			message: 'This component names a poll of another server; nothing was recorded.'
		});
	}
	return parsed;
}

export function describeVoteFailure(failure: VoteFailure | 'notFound', number: number, roleId: string | null): string {
	switch (failure) {
		case 'notFound':
			return `There is no poll #${number} in this server.`;
		case 'closed':
			return `Poll #${number} is closed: votes are no longer accepted.`;
		case 'missingRole':
			return roleId === null ? `You may not vote in poll #${number}.` : `Only members with the <@&${roleId}> role may vote in poll #${number}.`;
		case 'badOption':
			return `That option does not exist in poll #${number}; nothing was recorded.`;
	}
}

/** Why `/poll close` or the Close button did nothing: already closed, or deleted since it was looked up. */
export function describeCloseFailure(failure: CloseFailure, number: number): string {
	return failure === 'closed' ? `Poll #${number} is already closed.` : `There is no poll #${number} in this server.`;
}

/**
 * Records a member's vote (a button's toggle or a menu's replacement) and confirms it ephemerally at once; the poll
 * message follows through the edit coalescer. A refusal throws a {@link UserError} saying why.
 */
export async function voteAndConfirm(interaction: ButtonInteraction | StringSelectMenuInteraction, id: PollComponentId, action: VoteAction) {
	const outcome = await castVote(container.sql, {
		guildId: id.guildId,
		number: id.number,
		userId: interaction.user.id,
		memberRoleIds: memberRoleIds(interaction),
		action
	});
	if (outcome.isErr()) {
		const failure = outcome.unwrapErr();
		// A member could still click: the message may not show the close yet (the deadline passed before a scheduler
		// claimed the poll, or the process that closed it died before editing it). This closes or refreshes it.
		if (failure === 'closed') healClosedPoll(id.guildId, id.number);
		const roleId = failure === 'missingRole' ? ((await findPoll(container.sql, id.guildId, id.number)).unwrapOr(null)?.roleId ?? null) : null;
		throw new UserError({ identifier: PollComponentIdentifiers.Refused, message: describeVoteFailure(failure, id.number, roleId) });
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
