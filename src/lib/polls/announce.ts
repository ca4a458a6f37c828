/**
 * What happens on Discord when a poll closes, and who makes it happen: the closing edit and notice, the deadline
 * scheduler that closes due polls, and the healing of a poll whose message still looks open. Each process closes and
 * announces only the polls of the servers on its own shards.
 */
import { container } from '@sapphire/framework';
import { createHash } from 'node:crypto';
import { Routes } from 'discord.js';
import { isGuildApproved } from '../access.js';
import { ExpectedDiscordErrors, unlessDiscordError } from '../discord/errors.js';
import { editPollMessageNow, healLostEdits, requestPollEdit } from './edits.js';
import { runDueLifeTasks } from './life.js';
import { renderPollChartOrNothing } from './chart.js';
import { pollTranslator } from './language.js';
import type { PollRef } from './ref.js';
import { claimDuePolls, claimUnannounced, closeIfDue, markCloseAnnounced, readPollState, type PollRow, type ShardScope } from './repository.js';
import { renderClosedNotice } from './render.js';
import { DeadlineScheduler } from './scheduler.js';
import { voteCaches } from './vote-caches.js';

/**
 * After a poll closed (by command, button, deadline, or found unannounced): the message shows the final results with
 * its components disabled (through the coalescer, like any edit), then a short reply in the channel links to it, and
 * only then is the poll recorded as announced. A step that fails leaves it unannounced, for the scheduler to retry
 * (see `claimUnannounced`); the notice carries a nonce, so a retry never posts it twice.
 */
export async function announceClose(poll: PollRow): Promise<void> {
	voteCaches.forgetClosed(poll);
	// A server that is not approved (revoked while the poll ran) gets nothing from the bot, a closing notice included.
	// Should it be approved again, the first click on the poll refreshes its message (a vote refused as closed does).
	if (!(await isGuildApproved(poll.guildId))) {
		await markCloseAnnounced(container.sql, poll.guildId, poll.number);
		return;
	}
	if (!(await editPollMessageNow(poll))) {
		container.logger.warn(`Poll #${poll.number}'s closing edit was not sent; it will be announced again later.`, { guildId: poll.guildId });
		return;
	}
	const state = await readPollState(container.sql, poll.guildId, poll.number);
	if (state.isErr()) return;
	const closed = state.unwrap().poll;
	const t = pollTranslator(closed);
	const chart = await renderPollChartOrNothing(t, state.unwrap());
	const posted = await unlessDiscordError(
		container.client.rest.post(Routes.channelMessages(closed.channelId), {
			body: {
				content: renderClosedNotice(t, state.unwrap()),
				allowed_mentions: { parse: [] },
				// A retry after a failure between posting and recording it (a crash, a lost database) must not post a
				// second notice: with the same nonce, Discord returns the first message instead of making another.
				nonce: closeNoticeNonce(closed),
				enforce_nonce: true,
				...(closed.messageId === null ? {} : { message_reference: { message_id: closed.messageId, fail_if_not_exists: false } })
			},
			...(chart === null ? {} : { files: [{ name: chart.name, data: chart.data, contentType: 'image/png' }] })
		}),
		ExpectedDiscordErrors.Unreachable
	);
	if (posted === null)
		container.logger.debug(`Poll #${poll.number}'s channel is unreachable; no closing notice posted.`, { guildId: poll.guildId });
	await markCloseAnnounced(container.sql, poll.guildId, poll.number);
}

/** The same for every attempt to announce one close of a poll (a reopened poll's next close gets its own): 25 characters, Discord's most. */
function closeNoticeNonce(poll: PollRow): string {
	return createHash('sha256')
		.update(`close:${poll.guildId}:${poll.number}:${poll.closedAt?.toISOString() ?? ''}`)
		.digest('base64url')
		.slice(0, 25);
}

/** {@link announceClose} for background work: a failure is logged, and the scheduler announces the poll later. */
export function announceCloseSafely(poll: PollRow): Promise<void> {
	return announceClose(poll).catch((error: unknown) =>
		container.logger.warn(`Announcing the close of poll #${poll.number} failed:`, error, { guildId: poll.guildId })
	);
}

/**
 * A vote was refused as closed, so the message may still look open: the poll is past its deadline and no scheduler
 * has claimed it yet, or the process that closed it stopped before editing the message. Closes it if due (and then
 * announces it, as the scheduler would: whoever closes a poll announces it), otherwise refreshes the message. Runs in
 * the background: the member's answer does not wait for it.
 */
export function healClosedPoll(ref: PollRef): void {
	const heal = async () => {
		const closed = await closeIfDue(container.sql, ref.guildId, ref.number);
		if (closed === null) {
			requestPollEdit(ref);
			return;
		}
		container.logger.info(`Poll #${ref.number} reached its deadline and is closed (a late vote noticed it first).`, { guildId: ref.guildId });
		await announceClose(closed);
	};
	heal().catch((error: unknown) => container.logger.warn(`Closing poll #${ref.number} after a late vote failed:`, error, { guildId: ref.guildId }));
}

/**
 * The shards this process is connected to, as discord.js knows them once logged in (`shards: 'auto'` is resolved
 * then too); `null` before that.
 */
function ownShards(): ShardScope | null {
	const { shards, shardCount } = container.client.options;
	if (!Array.isArray(shards) || typeof shardCount !== 'number') return null;
	return { count: shardCount, ids: shards };
}

/**
 * Closes the due polls of this process's servers until none is left; each one claimed here is announced here, and
 * nowhere else. Another process's servers are its own to close; a server whose process is down has its polls closed
 * as soon as that process starts. Between two batches, announces the polls of its servers that were closed but never
 * announced.
 * Stops between two polls once `signal` is aborted: a poll claimed and not announced yet is announced later.
 */
export async function closeDuePolls(signal: AbortSignal): Promise<void> {
	const shards = ownShards();
	if (shards === null) return;
	// Starts first: a poll that starts late has its deadline moved with it before the closing below looks at it.
	await runDueLifeTasks(shards, signal);
	await healLostEdits(shards);
	// One batch of each in turn: with polls coming due all the time, retries waiting for the due ones to run out
	// starved for minutes (the soak found one retried 9.5 minutes after its notice was posted, past Discord's few
	// minutes of nonce memory, so it was posted twice).
	while (!signal.aborted) {
		const closed = await claimDuePolls(container.sql, shards);
		for (const poll of closed) {
			container.logger.info(`Poll #${poll.number} reached its deadline and is closed.`, { guildId: poll.guildId });
			if (!signal.aborted) await announceCloseSafely(poll);
		}
		const unannounced = signal.aborted ? [] : await claimUnannounced(container.sql, shards);
		for (const poll of unannounced) {
			if (signal.aborted) break;
			container.logger.info(`Poll #${poll.number} was closed but never announced; announcing it now.`, { guildId: poll.guildId });
			await announceCloseSafely(poll);
		}
		if (closed.length === 0 && unannounced.length === 0) break;
	}
}

export function createDeadlineScheduler(): DeadlineScheduler {
	return new DeadlineScheduler(closeDuePolls, (error) => container.logger.warn('Closing due polls failed; retrying in a second:', error));
}
