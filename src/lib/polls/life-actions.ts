/**
 * The poll actions of issue 13 that have no older counterpart: edit and reopen, one function each, called by the
 * pieces that offer them. As in actions.ts, refusals are thrown as UserErrors carrying their message key.
 */
import { container } from '@sapphire/framework';
import { Routes } from 'discord.js';
import { ExpectedDiscordErrors, unlessDiscordError } from '../discord/errors.js';
import { Failure, message, refuse } from '../failures.js';
import type { Actor } from './actions.js';
import { requestPollEdit } from './edits.js';
import { pollTranslator } from './language.js';
import { editPoll, reopenPoll } from './life-repository.js';
import { parseEditInput, planEdit, type EditInput } from './life-rules.js';
import type { PollRef } from './ref.js';
import { findPoll, type PollRow } from './repository.js';
import { messageLink } from './render.js';
import { mayManage, parseDuration } from './rules.js';
import { voteCaches } from './vote-caches.js';

async function findManaged(ref: PollRef, actor: Actor, forbidden: 'life:mayNotEdit' | 'life:mayNotReopen'): Promise<PollRow> {
	const poll = (await findPoll(container.sql, ref.guildId, ref.number)).unwrapOr(null);
	if (poll === null) refuse(Failure.PollNotFound, message('polls:notFound', { number: ref.number }));
	if (!mayManage(poll, actor)) refuse(Failure.PollForbidden, message(forbidden, { number: poll.number }));
	return poll;
}

/**
 * `/poll edit`: a new question, more options (or, before the first vote, a new list), a new deadline or none. Checked
 * and applied while the poll row is locked, then shown through the edit coalescer like any change.
 */
export async function editByMember(ref: PollRef, actor: Actor, input: EditInput): Promise<PollRow> {
	const parsed = parseEditInput(input);
	if (parsed.isErr()) refuse(Failure.InvalidInput, parsed.unwrapErr());
	const poll = await findManaged(ref, actor, 'life:mayNotEdit');
	const edited = await editPoll(container.sql, poll, (locked) => planEdit(locked, parsed.unwrap(), Failure.PollHasVotes, Failure.InvalidInput));
	if (edited.isErr()) {
		const failure = edited.unwrapErr();
		if (failure === 'notFound') refuse(Failure.PollNotFound, message('polls:notFound', { number: poll.number }));
		if (failure === 'closed') refuse(Failure.PollClosed, message('life:editClosed', { number: poll.number }));
		refuse(failure.failure, failure.text);
	}
	// Labels a vote remembered are stale now; this process is the one its server's votes reach.
	voteCaches.forgetLabels(poll);
	requestPollEdit(poll);
	container.logger.info(`Poll #${poll.number} edited.`, { guildId: poll.guildId, userId: actor.userId });
	return edited.unwrap();
}

export interface ReopenRequest {
	readonly duration: string | null;
	/** Tells the member it is open; runs before the reply in the channel. */
	readonly confirm: (poll: PollRow) => Promise<unknown>;
}

/** `/poll reopen`: a closed poll takes votes again, with the votes it had; the channel is told with a reply to it. */
export async function reopenByMember(ref: PollRef, actor: Actor, request: ReopenRequest): Promise<PollRow> {
	let durationMs: number | null = null;
	if (request.duration !== null && request.duration.trim().length > 0) {
		const duration = parseDuration(request.duration);
		if (duration.isErr()) refuse(Failure.InvalidInput, duration.unwrapErr());
		durationMs = duration.unwrap();
	}
	const poll = await findManaged(ref, actor, 'life:mayNotReopen');
	const reopened = await reopenPoll(container.sql, poll, durationMs);
	if (reopened.isErr()) {
		const values = { number: poll.number };
		switch (reopened.unwrapErr()) {
			case 'notFound':
				return refuse(Failure.PollNotFound, message('polls:notFound', values));
			case 'open':
				return refuse(Failure.PollOpen, message('life:reopenOpen', values));
			case 'anonymous':
				return refuse(Failure.PollUnlinkable, message('life:reopenAnonymous', values));
			case 'neverPosted':
				return refuse(Failure.PollNeverPosted, message('life:reopenNeverPosted', values));
			case 'announcing':
				return refuse(Failure.PollBusy, message('life:reopenAnnouncing', values));
		}
	}
	const open = reopened.unwrap();
	await request.confirm(open);
	requestPollEdit(open);
	container.logger.info(`Poll #${open.number} reopened.`, { guildId: open.guildId, userId: actor.userId });
	const posted = await unlessDiscordError(
		container.client.rest.post(Routes.channelMessages(open.channelId), {
			body: {
				content: pollTranslator(open)('life:reopenedNotice', { number: open.number, userId: actor.userId, link: messageLink(open) }),
				allowed_mentions: { parse: [] },
				...(open.messageId === null ? {} : { message_reference: { message_id: open.messageId, fail_if_not_exists: false } })
			}
		}),
		ExpectedDiscordErrors.Unreachable
	);
	if (posted === null)
		container.logger.debug(`Poll #${open.number}'s channel is unreachable; no reopening notice posted.`, { guildId: open.guildId });
	return open;
}
