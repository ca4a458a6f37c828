/**
 * Who may use what, checked once per way into the bot:
 * - commands: the global `GuildApproved` precondition (and `OwnerOnly` on /admin), before any command runs;
 * - components and autocomplete, which preconditions do not cover: {@link assertAccess} in each interaction
 *   handler's `parse`, and {@link mayAutocomplete} at the top of each `autocompleteRun`.
 * All three ask {@link accessRefusal}. What a member may do to one poll (close it, see its voters) is a poll rule,
 * decided in src/lib/polls/rules.ts.
 */
import { container } from '@sapphire/framework';
import { refusalFor } from './approval/rules.js';
import { Failure, message, refuse, type Message } from './failures.js';

export type Requirement =
	/** In a server, only once the owner approved it (DMs are not gated). */
	| 'approvedGuild'
	/** Only the users in `OWNER_ID`, anywhere. */
	| 'owner';

export interface Requester {
	readonly userId: string;
	readonly guildId: string | null;
}

export function isOwner(userId: string): boolean {
	return container.config.ownerIds.includes(userId);
}

/** Why `requester` may not go on, or `null` when they may. Throws only for real faults (the database is down). */
export async function accessRefusal(requester: Requester, requirement: Requirement): Promise<{ identifier: Failure; text: Message } | null> {
	if (requirement === 'owner') return isOwner(requester.userId) ? null : { identifier: Failure.OwnerOnly, text: message('admin:notOwner') };
	if (requester.guildId === null) return null;
	const { guildId } = requester;
	const refused = refusalFor(await container.approvals.status(guildId), { guildId, isOwner: isOwner(requester.userId) });
	return refused === null ? null : { identifier: Failure.GuildNotApproved, text: refused };
}

/** Whether the bot works in this server at all: also what decides whether it speaks there unasked (poll closes). */
export async function isGuildApproved(guildId: string): Promise<boolean> {
	return refusalFor(await container.approvals.status(guildId)) === null;
}

/** For interaction handlers' `parse`: throws the refusal, answered ephemerally by the error listeners. */
export async function assertAccess(requester: Requester, requirement: Requirement): Promise<void> {
	const refused = await accessRefusal(requester, requirement);
	if (refused === null) return;
	if (requirement === 'owner') {
		container.logger.warn(`Refused an owner-only action to user ${requester.userId}.`, {
			guildId: requester.guildId ?? 'dm',
			userId: requester.userId
		});
	}
	refuse(refused.identifier, refused.text);
}

/** For `autocompleteRun`: suggestions only where the command itself may run (an empty list otherwise). */
export async function mayAutocomplete(requester: Requester, requirement: Requirement): Promise<boolean> {
	return (await accessRefusal(requester, requirement)) === null;
}

/** The requester of an interaction. */
export function requesterOf(interaction: { readonly user: { readonly id: string }; readonly guildId: string | null }): Requester {
	return { userId: interaction.user.id, guildId: interaction.guildId };
}
