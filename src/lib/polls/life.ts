/**
 * What the bot posts on its own over a poll's life (issue 13): a scheduled poll's message when it starts, and the
 * reminder before it closes. Both are claimed in the database by the process of the server's shard, run from the
 * deadline scheduler's tick, and recorded as done only once the message went out. A process that died between
 * sending and recording leaves the task to be retried; the retry first looks in the channel for the message already
 * sent, so it is never posted twice.
 */
import { container } from '@sapphire/framework';
import { Routes, type APIMessage } from 'discord.js';
import { isGuildApproved } from '../access.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import { ExpectedDiscordErrors, unlessDiscordError } from '../discord/errors.js';
import { claimRetentionSeconds } from '../interaction-claims.js';
import { pollTranslator } from './language.js';
import {
	cancelScheduled,
	claimDueReminders,
	claimDueStarts,
	markReminded,
	markStarted,
	releaseReminders,
	releaseStarts,
	type Claimed,
	type ClaimedReminder,
	type ClaimedStart
} from './life-repository.js';
import { lateStartMs } from './life-rules.js';
import { deleteUnpostedPolls, readPollState, type PollRow, type ShardScope } from './repository.js';
import { messageLink, renderPollMessage } from './render.js';

/** How far back the channel is searched for a message a previous attempt may have sent. */
const recentMessages = 100;

/** Starts, then reminders, due in this process's servers; stops between two polls once `signal` is aborted. */
export async function runDueLifeTasks(shards: ShardScope, signal: AbortSignal): Promise<void> {
	await removeUnpostedPolls(shards);
	while (!signal.aborted) {
		const starts = await claimDueStarts(container.sql, shards, lateStartMs);
		await carryOut(starts, signal, (claim) => safely(claim.poll, 'Starting', () => startPoll(claim)), releaseStarts);
		if (starts.length === 0) break;
	}
	while (!signal.aborted) {
		const reminders = await claimDueReminders(container.sql, shards);
		await carryOut(reminders, signal, (claim) => safely(claim.poll, 'Reminding of', () => remind(claim)), releaseReminders);
		if (reminders.length === 0) break;
	}
}

/**
 * Polls never posted, looked for every {@link UnpostedPolls.lookMs}: removed once the interaction that created them
 * can no longer be answered ({@link deleteUnpostedPolls}; its token lasts 15 minutes).
 */
export const UnpostedPolls = { afterMs: claimRetentionSeconds * 1_000, lookMs: 10_000 };
let lastUnpostedLook = Number.NEGATIVE_INFINITY;

async function removeUnpostedPolls(shards: ShardScope, now = performance.now()): Promise<void> {
	if (now - lastUnpostedLook < UnpostedPolls.lookMs) return;
	lastUnpostedLook = now;
	for (const poll of await deleteUnpostedPolls(container.sql, shards, UnpostedPolls.afterMs))
		container.logger.info(`Poll #${poll.number} was stored but never posted (its create was cut short); removed it.`, { guildId: poll.guildId });
}

/**
 * Carries out claimed steps one by one; once `signal` is aborted, gives the rest back (a deploy's SIGTERM in the
 * middle of a batch left them claimed, so reminders came a minute late: a test with a restart found it).
 */
async function carryOut<T extends Claimed>(
	claims: readonly T[],
	signal: AbortSignal,
	run: (claim: T) => Promise<void>,
	release: (sql: typeof container.sql, rest: readonly T[]) => Promise<void>
) {
	for (const [index, claim] of claims.entries()) {
		if (signal.aborted) return release(container.sql, claims.slice(index));
		await run(claim);
	}
}

/** A failed step is logged and retried once its claim expires (see LifeTiming). */
async function safely(poll: PollRow, what: string, step: () => Promise<void>) {
	try {
		await step();
	} catch (error) {
		container.logger.warn(`${what} poll #${poll.number} failed; it will be retried:`, error, { guildId: poll.guildId });
	}
}

/** Bot messages among the channel's latest; `null` when the channel is out of reach. */
async function recentBotMessages(channelId: string): Promise<APIMessage[] | null> {
	const messages = (await unlessDiscordError(
		container.client.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: String(recentMessages) }) }),
		ExpectedDiscordErrors.Unreachable
	)) as APIMessage[] | null;
	const botId = container.client.user?.id;
	return messages?.filter((message) => message.author.id === botId) ?? null;
}

/** Whether `message` is the poll message of `poll`: its **My vote** button's id names the poll, and only it. */
function isPollMessageOf(message: APIMessage, poll: PollRow): boolean {
	const mine = buildCustomId(CustomIdPrefix.PollMine, poll.guildId, poll.number);
	return (message.components ?? []).some(
		(row) => 'components' in row && row.components.some((component) => 'custom_id' in component && component.custom_id === mine)
	);
}

async function startPoll({ poll, previousAttempt, lateSince }: ClaimedStart): Promise<void> {
	// A server not approved (revoked since the poll was scheduled) gets nothing posted; the start is retried, and
	// goes out late once the server is approved again.
	if (!(await isGuildApproved(poll.guildId))) return;
	const sent = previousAttempt === null ? undefined : (await recentBotMessages(poll.channelId))?.find((message) => isPollMessageOf(message, poll));
	let messageId = sent?.id ?? null;
	if (messageId === null) {
		const state = await readPollState(container.sql, poll.guildId, poll.number);
		if (state.isErr()) return;
		const t = pollTranslator(poll);
		const posted = await unlessDiscordError(
			container.client.rest.post(Routes.channelMessages(poll.channelId), {
				body: {
					...renderPollMessage(t, state.unwrap()),
					...(lateSince === null ? {} : { content: t('life:startedLate', { date: `<t:${Math.floor(lateSince.getTime() / 1000)}:f>` }) }),
					allowed_mentions: { parse: [] }
				}
			}) as Promise<APIMessage>,
			ExpectedDiscordErrors.Unreachable
		);
		if (posted === null) {
			// The channel is gone or closed to the bot: the poll can never start there.
			await cancelScheduled(container.sql, poll, null);
			container.logger.info(`Poll #${poll.number} could not be posted (its channel is out of reach) and is cancelled.`, {
				guildId: poll.guildId
			});
			return;
		}
		messageId = posted.id;
	}
	const started = await markStarted(container.sql, poll, messageId);
	if (started === null) {
		// Cancelled while its message was going out: take the message back, so a cancelled poll is never seen.
		await unlessDiscordError(container.client.rest.delete(Routes.channelMessage(poll.channelId, messageId)), ExpectedDiscordErrors.Unreachable);
		return;
	}
	container.logger.info(`Poll #${poll.number} started${lateSince === null ? '' : ' late'}.`, { guildId: poll.guildId });
}

/** Whether `message` is a reply to the poll message sent since `since` (a reminder a previous attempt sent). */
function isReminderSince(message: APIMessage, poll: PollRow, since: Date): boolean {
	// A second of slack: Discord's clock and the database's are not the same clock.
	return message.message_reference?.message_id === poll.messageId && Date.parse(message.timestamp) >= since.getTime() - 1_000;
}

async function remind({ poll, previousAttempt, remindRoleId }: ClaimedReminder): Promise<void> {
	if (!(await isGuildApproved(poll.guildId)) || poll.messageId === null || poll.closesAt === null) {
		await markReminded(container.sql, poll);
		return;
	}
	const already =
		previousAttempt !== null && (await recentBotMessages(poll.channelId))?.some((message) => isReminderSince(message, poll, previousAttempt));
	if (!already) {
		const t = pollTranslator(poll);
		const values = { number: poll.number, relative: `<t:${Math.floor(poll.closesAt.getTime() / 1000)}:R>`, link: messageLink(poll) };
		const posted = await unlessDiscordError(
			container.client.rest.post(Routes.channelMessages(poll.channelId), {
				body: {
					content: remindRoleId === null ? t('life:reminder', values) : t('life:reminderWithRole', { ...values, roleId: remindRoleId }),
					// The one mention the bot makes on purpose: the role its creator chose, and could have pinged themselves.
					allowed_mentions: remindRoleId === null ? { parse: [] } : { roles: [remindRoleId] },
					message_reference: { message_id: poll.messageId, fail_if_not_exists: false }
				}
			}),
			ExpectedDiscordErrors.Unreachable
		);
		if (posted === null) container.logger.debug(`Poll #${poll.number}'s channel is unreachable; no reminder posted.`, { guildId: poll.guildId });
		else container.logger.info(`Poll #${poll.number}'s reminder sent.`, { guildId: poll.guildId });
	}
	await markReminded(container.sql, poll);
}
