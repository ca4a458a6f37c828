/**
 * The approval state machine, as plain data: which server states exist, which changes are allowed, and what each
 * state lets a server do. Nothing here touches Discord or the database.
 */
import { message, type Message } from '../failures.js';

export const GuildStatuses = ['pending', 'approved', 'denied'] as const;
export type GuildStatus = (typeof GuildStatuses)[number];

/** What an owner can do to a server's state. */
export type Decision = 'approve' | 'deny' | 'revoke';

const targetOf: Record<Decision, GuildStatus> = { approve: 'approved', deny: 'denied', revoke: 'pending' };

const allowed: Record<GuildStatus, readonly GuildStatus[]> = {
	pending: ['approved', 'denied'],
	approved: ['pending', 'denied'],
	denied: ['approved']
};

export function targetStatus(decision: Decision): GuildStatus {
	return targetOf[decision];
}

export type TransitionRefusal = 'unchanged' | 'forbidden';

/** Whether `decision` may move a server out of `from`; `unchanged` when it is already there. */
export function checkTransition(from: GuildStatus, decision: Decision): TransitionRefusal | null {
	const to = targetOf[decision];
	if (from === to) return 'unchanged';
	return allowed[from].includes(to) ? null : 'forbidden';
}

export function isGuildStatus(value: string): value is GuildStatus {
	return (GuildStatuses as readonly string[]).includes(value);
}

/**
 * What a member sees when a server may not use the bot; `null` when it may. The bot's owner, who could approve the
 * server themselves, is told how instead of being told to wait for the owner.
 */
export function refusalFor(status: GuildStatus | null, requester: { guildId: string; isOwner: boolean } | null = null): Message | null {
	switch (status) {
		case 'approved':
			return null;
		case 'denied':
			return message('approval:denied');
		default:
			return requester?.isOwner ? message('approval:pendingOwner', { guildId: requester.guildId }) : message('approval:pending');
	}
}
