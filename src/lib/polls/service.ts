/**
 * The Discord side of polls, shared by the command, the interaction handlers and the scheduler: editing the poll
 * message (coalesced), announcing a close, and the deadline scheduler. Everything goes through the bot's REST with
 * no mentions allowed, and a poll message that was deleted or became unreachable is skipped, never an error.
 */
import { container } from '@sapphire/framework';
import { DiscordAPIError, PermissionFlagsBits, RESTJSONErrorCodes, Routes, type Interaction } from 'discord.js';
import { guildRefusal } from '../approval/gate.js';
import { metrics } from '../metrics/index.js';
import { EditCoalescer } from './coalescer.js';
import {
	claimDuePolls,
	claimUnannounced,
	closeIfDue,
	markAnnounced,
	readPollState,
	type PollRow,
	type PollState,
	type ShardScope
} from './repository.js';
import { renderClosedNotice, renderPollMessage } from './render.js';
import type { Viewer } from './rules.js';
import { DeadlineScheduler } from './scheduler.js';

/** Errors that mean "the poll message or its channel is gone or out of reach": the poll works on without it. */
const unreachableCodes = new Set<number | string>([
	RESTJSONErrorCodes.UnknownChannel,
	RESTJSONErrorCodes.UnknownMessage,
	RESTJSONErrorCodes.MissingAccess,
	RESTJSONErrorCodes.MissingPermissions
]);

export function isUnreachable(error: unknown): boolean {
	return error instanceof DiscordAPIError && unreachableCodes.has(error.code);
}

export function pollKey(guildId: string, number: number): string {
	return `${guildId}:${number}`;
}

/** Rewrites the poll message from the database's current state. */
export async function refreshPollMessage(guildId: string, number: number): Promise<void> {
	const state = await readPollState(container.sql, guildId, number);
	if (state.isErr()) return;
	const { poll } = state.unwrap();
	if (poll.messageId === null) return;
	try {
		await container.client.rest.patch(Routes.channelMessage(poll.channelId, poll.messageId), {
			body: { ...renderPollMessage(state.unwrap()), allowed_mentions: { parse: [] } }
		});
		metrics.pollEditsSent.inc();
	} catch (error) {
		if (!isUnreachable(error)) throw error;
		container.logger.debug(`Poll #${number}'s message is unreachable; not updated.`, { guildId });
	}
}

/** At most one edit per poll every 2 s, whatever the vote rate; the last one shows the exact counts. */
export const pollEdits = new EditCoalescer(
	(key) => {
		const [guildId, number] = key.split(':');
		return refreshPollMessage(guildId!, Number(number));
	},
	(key, error) => container.logger.warn(`Updating poll message ${key} failed:`, error, { guildId: key.split(':')[0] }),
	undefined,
	undefined,
	() => metrics.pollEditsCoalesced.inc()
);

export function requestPollEdit(guildId: string, number: number) {
	pollEdits.request(pollKey(guildId, number));
}

/**
 * After a poll closed (by command, button, deadline, or found unannounced): the message shows the final results with
 * its components disabled (through the coalescer, like any edit), then a short reply in the channel links to it, and
 * only then is the poll recorded as announced. A step that fails leaves it unannounced, for the scheduler to retry
 * (see `claimUnannounced`): at worst a notice is posted twice, never a close left unshown.
 */
export async function announceClose(poll: PollRow): Promise<void> {
	// A server that is not approved (revoked while the poll ran) gets nothing from the bot, a closing notice included.
	// Should it be approved again, the first click on the poll refreshes its message (a vote refused as closed does).
	if ((await guildRefusal(poll.guildId)) !== null) {
		await markAnnounced(container.sql, poll.guildId, poll.number);
		return;
	}
	const edited = await pollEdits.requestAndWait(pollKey(poll.guildId, poll.number));
	if (!edited) {
		container.logger.warn(`Poll #${poll.number}'s closing edit was not sent; it will be announced again later.`, { guildId: poll.guildId });
		return;
	}
	const state = await readPollState(container.sql, poll.guildId, poll.number);
	if (state.isErr()) return;
	await postClosedNotice(state.unwrap());
	await markAnnounced(container.sql, poll.guildId, poll.number);
}

async function postClosedNotice(state: PollState) {
	const { poll } = state;
	try {
		await container.client.rest.post(Routes.channelMessages(poll.channelId), {
			body: {
				content: renderClosedNotice(state),
				allowed_mentions: { parse: [] },
				...(poll.messageId === null ? {} : { message_reference: { message_id: poll.messageId, fail_if_not_exists: false } })
			}
		});
	} catch (error) {
		if (!isUnreachable(error)) throw error;
		container.logger.debug(`Poll #${poll.number}'s channel is unreachable; no closing notice posted.`, { guildId: poll.guildId });
	}
}

/**
 * A vote was refused as closed, so the message may still look open: the poll is past its deadline and no scheduler
 * has claimed it yet, or the process that closed it stopped before editing the message. Closes it if due (and then
 * announces it, as the scheduler would: whoever closes a poll announces it), otherwise refreshes the message. Runs in
 * the background: the member's answer does not wait for it.
 */
export function healClosedPoll(guildId: string, number: number): void {
	const heal = async () => {
		const closed = await closeIfDue(container.sql, guildId, number);
		if (closed === null) {
			requestPollEdit(guildId, number);
			return;
		}
		container.logger.info(`Poll #${number} reached its deadline and is closed (a late vote noticed it first).`, { guildId });
		await announceClose(closed);
	};
	heal().catch((error: unknown) => container.logger.warn(`Closing poll #${number} after a late vote failed:`, error, { guildId }));
}

/**
 * The shards this process is connected to, as discord.js knows them once logged in (`shards: 'auto'` is resolved
 * then too); `null` before that.
 */
export function ownShards(): ShardScope | null {
	const { shards, shardCount } = container.client.options;
	if (!Array.isArray(shards) || typeof shardCount !== 'number') return null;
	return { count: shardCount, ids: shards };
}

/**
 * Closes the due polls of this process's servers until none is left; each one claimed here is announced here, and
 * nowhere else. Another process's servers are its own to close; a server whose process is down has its polls closed
 * as soon as that process starts. Then announces the polls of its servers that were closed but never announced.
 * Stops between two polls once `signal` is aborted: a poll claimed and not announced yet is announced later.
 */
export async function closeDuePolls(signal: AbortSignal): Promise<void> {
	const shards = ownShards();
	if (shards === null) return;
	while (!signal.aborted) {
		const closed = await claimDuePolls(container.sql, shards);
		for (const poll of closed) {
			container.logger.info(`Poll #${poll.number} reached its deadline and is closed.`, { guildId: poll.guildId });
			if (!signal.aborted) await announceSafely(poll);
		}
		if (closed.length === 0) break;
	}
	while (!signal.aborted) {
		const unannounced = await claimUnannounced(container.sql, shards);
		for (const poll of unannounced) {
			if (signal.aborted) break;
			container.logger.info(`Poll #${poll.number} was closed but never announced; announcing it now.`, { guildId: poll.guildId });
			await announceSafely(poll);
		}
		if (unannounced.length === 0) break;
	}
}

function announceSafely(poll: PollRow): Promise<void> {
	return announceClose(poll).catch((error: unknown) =>
		container.logger.warn(`Announcing the close of poll #${poll.number} failed:`, error, { guildId: poll.guildId })
	);
}

export function createDeadlineScheduler(): DeadlineScheduler {
	return new DeadlineScheduler(closeDuePolls, (error) => container.logger.warn('Closing due polls failed; retrying in a second:', error));
}

/** Who is asking, from an interaction: its user and whether its member has Manage Server. */
export function viewerOf(interaction: Interaction): Viewer {
	return { userId: interaction.user.id, manageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false };
}

/**
 * The member's role ids, as the interaction carries them. discord.js turns the raw member into a `GuildMember` when
 * the server is cached and keeps those ids in its `_roles`; `member.roles.cache` would list only cached roles, and the
 * bot caches none (src/lib/client.ts). `@everyone` is not among them (a poll limited to it is stored unrestricted).
 */
export function memberRoleIds(interaction: Interaction): string[] {
	const { member } = interaction;
	if (member === null) return [];
	if (Array.isArray(member.roles)) return [...member.roles];
	const { _roles: roles } = member as unknown as { _roles?: unknown };
	if (!Array.isArray(roles)) throw new Error("discord.js's GuildMember no longer keeps the raw role ids in _roles");
	return roles.filter((id): id is string => typeof id === 'string');
}
