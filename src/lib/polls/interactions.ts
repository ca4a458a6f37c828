/**
 * What the poll interaction handlers share: reading and checking a poll component's custom id, and the wording of
 * vote refusals. The handlers call these from `parse`, so a foreign, malformed or cross-server id is refused before
 * anything is loaded.
 */
import { UserError } from '@sapphire/framework';
import type { MessageComponentInteraction } from 'discord.js';
import { assertGuildApproved } from '../approval/gate.js';
import { parsePollComponentId, type PollComponent, type PollComponentId } from './custom-ids.js';
import type { VoteFailure } from './repository.js';

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
