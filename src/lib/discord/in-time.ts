/**
 * Answering a state change within Discord's 3 s without ever contradicting what was stored. The answer waits for the
 * statement while it can; past {@link AnswerTiming.deferAfterMs} the interaction is deferred (ephemeral "thinking"), and
 * the member is told what the database really holds once that is known: the statement settled, or its deadline and
 * the statement timeout have both passed, after which nothing it started can still commit and the database can be
 * asked. Telling a member "temporarily unavailable" about a vote that was then stored is the one answer never given.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { container } from '@sapphire/framework';
import { MessageFlags, MessagePayload, RESTJSONErrorCodes, type ButtonInteraction, type StringSelectMenuInteraction } from 'discord.js';
import { isDatabaseUnavailable, statementTimeoutMs, withTimeout } from '../database/client.js';
import { VoteTooLate } from '../interaction-claims.js';
import { markDeferred } from './acknowledge.js';
import { ExpectedDiscordErrors, isDiscordError } from './errors.js';
import { AnswerTiming } from './timing.js';

export { AnswerTiming };

type Answerable = ButtonInteraction | StringSelectMenuInteraction;

export interface InTimeAnswer<T> {
	/** The state change, already started. */
	readonly work: Promise<T>;
	readonly render: (value: T) => string;
	/** The truth, read again from the database once `work` can no longer change it (a vote's current choices). */
	readonly reread: () => Promise<string>;
	/** Whether the database holds the change at all (for a vote: its interaction was claimed). */
	readonly stored: () => Promise<boolean>;
	/** When the work was started (`Date.now()`). */
	readonly startedAt: number;
}

type Settled<T> = { value: T } | { error: unknown };

/**
 * Answers with `render(work)` if it settles in time; otherwise defers and edits in the truth. A failed work is
 * thrown (to the one answer path, which edits the deferred reply); so is a failure of the truth read when nothing
 * was stored.
 */
export async function answerInTime<T>(interaction: Answerable, answer: InTimeAnswer<T>) {
	const settled: Promise<Settled<T>> = answer.work.then(
		(value) => ({ value }),
		(error: unknown) => ({ error })
	);
	const early = await within(settled, answer.startedAt + AnswerTiming.deferAfterMs - Date.now());
	if (early !== null && !isAmbiguous(early)) {
		if ('error' in early) throw early.error;
		return send(interaction, answer.render(early.value));
	}
	await deferEphemeral(interaction);
	// After the start budget and a statement timeout, whatever the work started has committed or never will.
	const final = answer.startedAt + AnswerTiming.startBudgetMs + statementTimeoutMs + AnswerTiming.settleMarginMs;
	const late = early ?? (await within(settled, final - Date.now()));
	if (late !== null && isAmbiguous(late)) await sleep(Math.max(0, final - Date.now()));
	else if (late !== null) {
		if ('error' in late) throw late.error;
		return send(interaction, answer.render(late.value));
	}
	container.logger.warn('The database did not say in time whether a vote was stored; reading what was stored.', { interactionId: interaction.id });
	return send(interaction, await readTruth(answer));
}

/**
 * `work`'s outcome, or `null` once `ms` have passed. The timer is cleared when the work wins (nearly every vote),
 * so a burst leaves no thousands of pending 2 s timers behind it.
 */
async function within<T>(work: Promise<T>, ms: number): Promise<T | null> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<null>((resolve) => {
		timer = setTimeout(resolve, Math.max(0, ms), null);
	});
	try {
		return await Promise.race([work, expired]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * The process that lost an interaction's claim stands by: if nobody has acknowledged the interaction
 * {@link AnswerTiming.standByMs} after it arrived, the winner stopped between storing and answering (a SIGKILL in a
 * deploy overlap), so this process acknowledges it and tells the member what was stored. While the winner lives it
 * has deferred by then, and Discord refuses this acknowledgement (40060): nothing more is said.
 */
export async function standBy(interaction: Answerable, startedAt: number, reread: () => Promise<string>): Promise<void> {
	await sleep(Math.max(0, startedAt + AnswerTiming.standByMs - Date.now()));
	// Looked at first, so that while the winner lives (nearly always) Discord sees no second acknowledgement at all.
	if (await hasResponse(interaction)) return;
	try {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	} catch (error) {
		if (isDiscordError(error, [...ExpectedDiscordErrors.AlreadyAnswered, ...ExpectedDiscordErrors.InteractionExpired])) return;
		throw error;
	}
	container.logger.info('The process that took this interaction did not answer it; answering for it.', { interactionId: interaction.id });
	await send(interaction, await readTruth({ stored: async () => true, reread }));
}

/** Whether the interaction has a response (deferred or sent): its `@original` message exists. */
async function hasResponse(interaction: Answerable): Promise<boolean> {
	try {
		await interaction.fetchReply();
		return true;
	} catch (error) {
		// Before any acknowledgement Discord knows no webhook for the token (10015), or no message for it (10008).
		if (isDiscordError(error, [RESTJSONErrorCodes.UnknownWebhook, RESTJSONErrorCodes.UnknownMessage])) return false;
		if (isDiscordError(error, ExpectedDiscordErrors.InteractionExpired)) return true;
		throw error;
	}
}

async function readTruth(answer: Pick<InTimeAnswer<unknown>, 'stored' | 'reread'>): Promise<string> {
	const giveUp = Date.now() + AnswerTiming.giveUpMs;
	for (;;) {
		try {
			const stored = await withTimeout(answer.stored(), AnswerTiming.retryMs);
			if (!stored) throw Object.assign(new Error('the vote was not stored in time'), { code: statementCancelled });
			return await withTimeout(answer.reread(), AnswerTiming.retryMs * 2);
		} catch (error) {
			if (isStillUnknown(error) && Date.now() < giveUp) {
				await sleep(AnswerTiming.retryMs);
				continue;
			}
			throw error;
		}
	}
}

/**
 * Errors after which nobody knows whether the statement committed: the connection went away while it ran (or no
 * answer came), or PostgreSQL shut down under it (57P01, 57P02: a backend told to stop right after its commit
 * reports the shutdown, not the commit; the 30-minute soak met it during PostgreSQL restarts). Refused connections
 * and aborted statements are definite: nothing was stored. A cancelled one is definite for this process only (below).
 */
const ambiguousCodes = new Set([
	'57P01',
	'57P02',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'CONNECTION_CLOSED',
	'CONNECTION_ENDED',
	'CONNECTION_DESTROYED',
	'CLIENT_TIMEOUT'
]);

function isAmbiguous<T>(settled: Settled<T>): boolean {
	if (!('error' in settled)) return false;
	// Too late here, but the twin delivery of a deploy overlap may have cast it in time: the claim will tell.
	if (settled.error instanceof VoteTooLate) return true;
	const code = codeOf(settled.error);
	return code !== null && (ambiguousCodes.has(code) || code === statementCancelled);
}

/** The error's `code` (PostgreSQL's SQLSTATE, or postgres.js's and Node's connection codes), `null` without one. */
function codeOf(error: unknown): string | null {
	if (typeof error !== 'object' || error === null) return null;
	const { code } = error as { code?: unknown };
	return typeof code === 'string' ? code : null;
}

/**
 * A cancelled statement (the statement timeout) stored nothing, but it says nothing of the other process of a deploy
 * overlap: a vote's claim waits on that process's uncommitted claim of the same interaction, so this statement times
 * out exactly when the other one is the slow one, and may still commit. The 30-minute soak met it: a member told
 * "temporarily unavailable" of a vote the other process had stored. The claim tells, once neither can still commit.
 */
const statementCancelled = '57014';

/** The database has not answered (yet): ask again. A refusal or a definite "not stored" ends the wait. */
function isStillUnknown(error: unknown) {
	return isDatabaseUnavailable(error) && codeOf(error) !== statementCancelled;
}

/**
 * The ephemeral answer as Discord's own body, for `reply`: every vote is answered with one, and discord.js, given
 * options, finds out what kind of target it answers through five `require` calls per reply (7% of what a vote
 * allocated, 2% of its CPU); a payload whose body is already resolved goes out as it is.
 */
function ephemeralReply(interaction: Answerable, content: string) {
	const payload = new MessagePayload(interaction, {});
	payload.body = { content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } };
	payload.files = [];
	return payload;
}

/**
 * Defers ephemerally. A 40060 means the other process of a deploy overlap acknowledged first (it then stood down or
 * will): the reply is this process's to fill, through the same token, so it carries on as deferred.
 */
async function deferEphemeral(interaction: Answerable) {
	try {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	} catch (error) {
		if (!isDiscordError(error, ExpectedDiscordErrors.AlreadyAnswered)) throw error;
		markDeferred(interaction, true);
	}
}

async function send(interaction: Answerable, content: string) {
	const body = { content, allowedMentions: { parse: [] } };
	if (interaction.deferred) return interaction.editReply(body);
	try {
		return await interaction.reply(ephemeralReply(interaction, content));
	} catch (error) {
		if (!isDiscordError(error, ExpectedDiscordErrors.AlreadyAnswered)) throw error;
		// The other process deferred first and stood down: fill its deferred reply.
		markDeferred(interaction, true);
		return interaction.editReply(body);
	}
}
