/**
 * Every poll action, one function each, called by whichever piece offers it (a command, a button, a menu): each
 * checks the poll rules, changes the database, and keeps the poll message in step. Refusals are thrown as
 * {@link UserError}s with the failure's identifier and message key; the piece renders what it gets back.
 */
import { container } from '@sapphire/framework';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from '../database/client.js';
import { Failure, message, refuse } from '../failures.js';
import type { Translator } from '../i18n/index.js';
import { InteractionTaken, VoteTooLate } from '../interaction-claims.js';
import { metrics } from '../metrics/index.js';
import { announceClose, healClosedPoll } from './announce.js';
import { requestPollEdit, type ClickedMessage } from './edits.js';
import { renderPollChartOrNothing, type ChartFile } from './chart.js';
import { buildExport, type PollExport } from './export.js';
import { pollTranslator } from './language.js';
import { cancelScheduled } from './life-repository.js';
import { validateLife, type LifeInput } from './life-rules.js';
import type { PollRef } from './ref.js';
import {
	castVote,
	closePoll,
	createPoll,
	deletePoll,
	findChoices,
	findPoll,
	listPollPage,
	listVoterChoices,
	listVotes,
	readPollState,
	setPollMessage,
	type CloseReason,
	type PollRow,
	type PollState,
	type VoteFailure,
	type VoteOutcome,
	type VoteRecord
} from './repository.js';
import { ballotProblem } from './ranked.js';
import { renderBallotModal } from './ranked-render.js';
import { VoterPageSize, type VoterPage } from './voters.js';
import { pollListPageCount, pollListPageSize, renderPollMessage, type PollListView, type PollMessage } from './render.js';
import {
	countsVisible,
	mayManage,
	parsePollNumber,
	PollLimits,
	validateCreate,
	voterListOpen,
	votersVisible,
	type CreateInput,
	type Viewer,
	type VoteAction
} from './rules.js';
import { voteCaches } from './vote-caches.js';

/** Who acts on a poll: a {@link Viewer}, with the role ids a role-limited poll checks. */
export interface Actor extends Viewer {
	readonly roleIds: readonly string[];
}

function refuseNotFound(number: number): never {
	refuse(Failure.PollNotFound, message('polls:notFound', { number }));
}

/** The poll a member named by number (`12` or `#12`) in their server; refuses a bad number or an unknown poll. */
export async function findNamedPoll(guildId: string, typed: string): Promise<PollRow> {
	const number = parsePollNumber(typed);
	if (number.isErr()) refuse(Failure.InvalidInput, number.unwrapErr());
	const poll = await findPoll(container.sql, guildId, number.unwrap());
	if (poll.isErr()) refuseNotFound(number.unwrap());
	return poll.unwrap();
}

export interface CreateRequest {
	readonly guildId: string;
	readonly channelId: string;
	readonly creatorId: string;
	/** The language the poll's public messages are written in, for its whole life. */
	readonly locale: string;
	readonly input: Omit<CreateInput, 'guildId'>;
	/** `starts_in`, `remind_before`, `remind_role` (issue 13); posted now, with no reminder, when not given. */
	readonly life?: Omit<LifeInput, 'durationMs' | 'guildId'>;
}

/**
 * Validates and stores a poll, then has `post` show its message (the interaction's reply) and records the message
 * id `post` returns (`null`: unknown, the message then never updates). Nobody saw a poll whose post failed, so it is
 * deleted again: a failed create leaves nothing behind.
 */
export async function createAndPostPoll(
	request: CreateRequest,
	post: (message: PollMessage) => Promise<string | null>,
	confirmScheduled: (poll: PollRow) => Promise<unknown> = async () => {}
): Promise<PollRow> {
	const draft = validateCreate({ ...request.input, guildId: request.guildId });
	if (draft.isErr()) refuse(Failure.InvalidInput, draft.unwrapErr());
	const life = validateLife(
		{
			startsIn: null,
			remindBefore: null,
			remindRole: null,
			mayMentionAnyRole: false,
			...request.life,
			durationMs: draft.unwrap().durationMs,
			guildId: request.guildId
		},
		Failure.MentionForbidden,
		Failure.InvalidInput
	);
	if (life.isErr()) refuse(life.unwrapErr().failure, life.unwrapErr().text);
	const poll = await createPoll(container.sql, {
		guildId: request.guildId,
		channelId: request.channelId,
		creatorId: request.creatorId,
		locale: request.locale,
		draft: draft.unwrap(),
		life: life.unwrap()
	});
	// A scheduled poll is posted by the scheduler when it starts (src/lib/polls/life.ts); now the member only hears when.
	if (poll.scheduledFor !== null) {
		try {
			await confirmScheduled(poll);
		} catch (error) {
			await deletePoll(container.sql, poll.guildId, poll.number);
			throw error;
		}
		return poll;
	}
	const state: PollState = { poll, options: draft.unwrap().options.map((label, index) => ({ index, label, votes: 0 })) };
	let messageId: string | null;
	try {
		messageId = await post(renderPollMessage(pollTranslator(poll), state));
	} catch (error) {
		await deletePoll(container.sql, poll.guildId, poll.number);
		throw error;
	}
	if (messageId !== null) await recordPollMessage(poll, request.channelId, messageId);
	return poll;
}

/**
 * Records where the poll message is. The message is out already: if the database is lost just now, the poll must not
 * stay without its message id (it would never show a vote or its close), so the write is retried in the background
 * for a minute, and the create itself succeeds.
 */
async function recordPollMessage(poll: PollRow, channelId: string, messageId: string) {
	const record = () => setPollMessage(container.sql, poll.guildId, poll.number, channelId, messageId);
	try {
		await record();
	} catch (error) {
		if (!isDatabaseUnavailable(error)) throw error;
		container.logger.warn(`Poll #${poll.number}'s message id could not be stored yet; retrying.`, { guildId: poll.guildId });
		void retryRecord(record, poll);
	}
}

async function retryRecord(record: () => Promise<void>, poll: PollRow) {
	for (let attempt = 0; attempt < 30; attempt++) {
		await sleep(2_000);
		try {
			await record();
			requestPollEdit(poll);
			return;
		} catch (error) {
			if (!isDatabaseUnavailable(error)) break;
		}
	}
	container.logger.warn(`Poll #${poll.number}'s message id could not be stored; its message will not show votes.`, { guildId: poll.guildId });
}

/**
 * Records a member's vote (a button's toggle or a menu's replacement), exactly once under any concurrency, and asks
 * for the poll message to follow (`clickedOn`: the message the vote came from). With `once`, a second process receiving the same interaction casts nothing and
 * throws {@link InteractionTaken}, and a vote whose statement starts after `notAfter` is not cast ({@link VoteTooLate}).
 */
export async function vote(
	ref: PollRef,
	actor: Actor,
	action: VoteAction,
	{ once, clickedOn }: { once?: { interactionId: string; notAfter: Date }; clickedOn?: ClickedMessage } = {}
): Promise<VoteOutcome> {
	const input = { guildId: ref.guildId, number: ref.number, userId: actor.userId, memberRoleIds: actor.roleIds, action, ...once };
	const outcome = await castVote(container.sql, input, voteCaches);
	if (outcome.isErr()) {
		const failure = outcome.unwrapErr();
		if (failure === 'taken') throw new InteractionTaken(once?.interactionId ?? '');
		if (failure === 'late') throw new VoteTooLate();
		return refuseVote(ref, failure);
	}
	if (outcome.unwrap().changed) {
		metrics.votesRecorded.inc();
		requestPollEdit(ref, clickedOn);
	}
	return outcome.unwrap();
}

async function refuseVote(ref: PollRef, failure: VoteFailure): Promise<never> {
	switch (failure) {
		case 'notFound':
			return refuseNotFound(ref.number);
		case 'closed':
			voteCaches.forgetClosed(ref);
			// A member could still click: the message may not show the close yet (the deadline passed before a scheduler
			// claimed the poll, or the process that closed it died before editing it). This closes or refreshes it.
			healClosedPoll(ref);
			return refuse(Failure.PollClosed, message('polls:closedNoVotes', { number: ref.number }));
		case 'missingRole': {
			const roleId = (await findPoll(container.sql, ref.guildId, ref.number)).unwrapOr(null)?.roleId ?? null;
			return refuse(
				Failure.VoteMissingRole,
				roleId === null ? message('polls:mayNotVote', { number: ref.number }) : message('polls:roleRequired', { number: ref.number, roleId })
			);
		}
		case 'badOption':
			return refuse(Failure.VoteBadOption, message('polls:badOption', { number: ref.number }));
		case 'duplicateOption':
			return refuse(Failure.BallotInvalid, message('ballots:ballot.duplicateStored'));
	}
}

/**
 * **Rank**: the member's ballot as a modal, filled with their current ranking. Refuses a poll that is not ranked or
 * is closed (before showing a ballot that could not be cast).
 */
export async function openBallot(ref: PollRef, userId: string, t: Translator) {
	const { poll, labels, choices } = await findOwnChoices(ref, userId);
	if (!poll.ranked) refuse(Failure.VoteBadOption, message('ballots:ballot.notRanked', { number: poll.number }));
	if (poll.closedAt !== null || (poll.closesAt !== null && poll.closesAt.getTime() <= Date.now())) {
		refuse(Failure.PollClosed, message('polls:closedNoVotes', { number: poll.number }));
	}
	return renderBallotModal(t, poll, labels, choices);
}

/**
 * A submitted ballot: `ranks[0]` is the first choice (`null` for a menu left empty). It replaces the member's
 * ballot; an empty first choice removes it. An option ranked twice or a gap is refused before anything is written.
 */
export async function castBallot(ref: PollRef, actor: Actor, ranks: readonly (number | null)[], clickedOn?: ClickedMessage): Promise<VoteOutcome> {
	const problem = ballotProblem(ranks);
	if (problem?.kind === 'duplicate') {
		const labels = (await findChoices(container.sql, ref.guildId, ref.number, actor.userId)).map((found) => found.labels).unwrapOr([]);
		const label = labels[problem.option] ?? String(problem.option + 1);
		refuse(Failure.BallotInvalid, message('ballots:ballot.duplicate', { label, first: problem.first, second: problem.second }));
	}
	if (problem?.kind === 'gap') refuse(Failure.BallotInvalid, message('ballots:ballot.gap', { rank: problem.rank }));
	const ranking = ranks[0] === null || ranks[0] === undefined ? [] : ranks.filter((option): option is number => option !== null);
	return vote(ref, actor, { kind: 'replace', options: ranking }, { clickedOn });
}

/** What a member picked in a poll (**My vote**); refuses an anonymous poll that closed, whose votes are linked to nobody. */
export async function findOwnChoices(ref: PollRef, userId: string) {
	const found = await findChoices(container.sql, ref.guildId, ref.number, userId);
	if (found.isErr()) {
		if (found.unwrapErr() === 'notFound') refuseNotFound(ref.number);
		refuse(Failure.PollUnlinkable, message('polls:unlinkable', { number: ref.number }));
	}
	return found.unwrap();
}

export interface CloseRequest {
	readonly reason: Extract<CloseReason, 'command' | 'button'>;
	/** Tells the member it is closed; runs before the close is announced in the channel, which takes a while. */
	readonly confirm: (poll: PollRow) => Promise<unknown>;
}

/** Closes a poll by a member's hand (`/poll close`, **Close**): the creator or Manage Server, once. */
export async function closeByMember(ref: PollRef, actor: Actor, request: CloseRequest): Promise<PollRow> {
	const poll = (await findPoll(container.sql, ref.guildId, ref.number)).unwrapOr(null) ?? refuseNotFound(ref.number);
	if (!mayManage(poll, actor)) refuse(Failure.PollForbidden, message('polls:mayNotClose', { number: poll.number }));
	// Not posted yet: closing it cancels it, and there is nothing to announce. Posted meanwhile: closed as usual.
	const cancelled = poll.scheduledFor === null ? null : await cancelScheduled(container.sql, poll, actor.userId);
	if (cancelled !== null) {
		await request.confirm(cancelled);
		container.logger.info(`Poll #${poll.number} cancelled before it started.`, { guildId: poll.guildId, userId: actor.userId });
		return cancelled;
	}
	const closed = await closePoll(container.sql, poll.guildId, poll.number, { reason: request.reason, userId: actor.userId });
	if (closed.isErr()) {
		if (closed.unwrapErr() === 'notFound') refuseNotFound(poll.number);
		refuse(Failure.PollClosed, message('polls:alreadyClosed', { number: poll.number }));
	}
	await request.confirm(closed.unwrap());
	container.logger.info(`Poll #${poll.number} closed by ${request.reason === 'command' ? 'command' : 'its button'}.`, {
		guildId: poll.guildId,
		userId: actor.userId
	});
	await announceClose(closed.unwrap());
	return closed.unwrap();
}

/**
 * `/poll results`: the counts, who voted for what when the actor may see it (as many votes as the answer can name),
 * and the chart, in the poll's language, unless the counts are hidden.
 */
export async function readResults(poll: PollRow, actor: Actor): Promise<{ state: PollState; voters: VoteRecord[] | null; chart: ChartFile | null }> {
	const state = (await readPollState(container.sql, poll.guildId, poll.number)).unwrapOr(null) ?? refuseNotFound(poll.number);
	const voters = votersVisible(state.poll, actor) ? await listVotes(container.sql, poll.guildId, poll.number, PollLimits.resultsVoterRows) : null;
	const chart = countsVisible(state.poll) ? await renderPollChartOrNothing(pollTranslator(state.poll), state) : null;
	return { state, voters, chart };
}

/** `/poll export`: the counts file, and the votes file when the actor may see who voted. */
export async function exportPoll(poll: PollRow, actor: Actor): Promise<PollExport> {
	if (!mayManage(poll, actor)) refuse(Failure.PollForbidden, message('polls:mayNotExport', { number: poll.number }));
	if (!countsVisible(poll)) refuse(Failure.PollResultsHidden, message('polls:exportHidden', { number: poll.number }));
	const state = (await readPollState(container.sql, poll.guildId, poll.number)).unwrapOr(null) ?? refuseNotFound(poll.number);
	// One row more than the file takes, to know whether it was cut.
	const votes = votersVisible(state.poll, actor) ? await listVotes(container.sql, poll.guildId, poll.number, PollLimits.exportVoteRows + 1) : null;
	return buildExport(state, votes);
}

/**
 * **Voters**: one page of who picked what, for anyone, when the poll's `show_voters` allows it now; refuses with
 * the reason otherwise.
 */
export async function readVoterPage(ref: PollRef, page: number): Promise<VoterPage> {
	const poll = (await findPoll(container.sql, ref.guildId, ref.number)).unwrapOr(null) ?? refuseNotFound(ref.number);
	if (!voterListOpen(poll)) {
		const key =
			poll.showVoters === 'never' || poll.anonymous
				? 'ballots:voters.never'
				: !countsVisible(poll)
					? 'ballots:voters.hidden'
					: 'ballots:voters.afterClose';
		refuse(Failure.VotersHidden, message(key, { number: poll.number }));
	}
	const { voters, total } = await listVoterChoices(container.sql, poll.guildId, poll.number, VoterPageSize, page * VoterPageSize);
	const labels = (await readPollState(container.sql, poll.guildId, poll.number)).unwrapOr(null)?.options.map((option) => option.label) ?? [];
	return { poll, labels, voters, page, pages: Math.max(1, Math.ceil(total / VoterPageSize)) };
}

/**
 * A page of `/poll list` (from 0). The list may have shrunk since a page's buttons were drawn: past its end, the last
 * page is shown instead of an empty one.
 */
export async function listPolls(guildId: string, page: number): Promise<PollListView> {
	const read = (at: number) => listPollPage(container.sql, guildId, { limit: pollListPageSize, offset: at * pollListPageSize });
	const list = await read(page);
	const last = pollListPageCount(list.counts) - 1;
	if (list.polls.length > 0 || page <= last) return { guildId, page, list };
	return { guildId, page: last, list: await read(last) };
}
