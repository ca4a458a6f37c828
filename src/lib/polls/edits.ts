/**
 * Keeping a poll's message in step with its votes: every change asks for an edit, and the coalescer sends at most
 * one per poll every 2 s, rendered from the database when it goes out, so the last one after a burst is exact. The
 * message is edited through the bot's REST with no mentions allowed; a message gone or out of reach is skipped.
 *
 * An edit asked for lives in this process only. What survives it is in the database: a vote's count deltas stay
 * until a message has shown them, so the scheduler finds an edit lost with its process (or its database connection)
 * and asks for it again ({@link healLostEdits}).
 */
import { container } from '@sapphire/framework';
import { Routes } from 'discord.js';
import { ExpectedDiscordErrors, unlessDiscordError } from '../discord/errors.js';
import { metrics } from '../metrics/index.js';
import { EditCoalescer } from './coalescer.js';
import { EditBudget } from './edit-budget.js';
import { pollKey, type PollRef } from './ref.js';
import { adoptPollMessage, findUnshownPolls, foldShownDeltas, markUnshown, readPollState, type PollState, type ShardScope } from './repository.js';
import { renderPollMessage } from './render.js';
import { pollTranslator } from './language.js';
import { renderPollChartOrNothing } from './chart.js';

/** This process's share of the bot's edits per second; set from POLL_EDIT_RATE at start-up (src/lib/fleet). */
export const pollEditBudget = new EditBudget(40);

/**
 * Where a click on a poll's buttons came from: the poll's message (never an ephemeral copy), which tells where it is
 * when the poll never recorded it.
 */
export interface ClickedMessage {
	readonly channelId: string;
	readonly messageId: string;
}

/** What an edit is asked for: the poll, and where the click that asked for it came from, if a click did. */
export interface PollEditTarget extends PollRef {
	readonly clickedOn?: ClickedMessage;
}

/** Rewrites the poll message from the database's current state. */
export async function refreshPollMessage(ref: PollEditTarget): Promise<void> {
	const state = await readPollState(container.sql, ref.guildId, ref.number);
	if (state.isErr()) return;
	const read = state.unwrap();
	let { poll } = read;
	if (poll.messageId === null && ref.clickedOn !== undefined) {
		// Clicked before its message id was recorded: the create is still writing it (a click can come as soon as
		// Discord shows the message), or stopped before it could (a SIGKILL). Folding now would mark the votes shown.
		if (!(await adoptPollMessage(container.sql, ref, ref.clickedOn))) return refreshPollMessage({ guildId: ref.guildId, number: ref.number });
		container.logger.info(`Poll #${ref.number}'s message id was not recorded; took it from a click on the message.`, { guildId: ref.guildId });
		poll = { ...poll, ...ref.clickedOn };
	}
	// Shown, or with no message to show it: the deltas read are folded. A failed edit leaves them for the next one.
	if (poll.messageId === null) return void (await foldShownDeltas(container.sql, ref.guildId, ref.number, read));
	// A closed poll's message carries its chart (shown in the embed).
	const chart = poll.closedAt === null ? null : await renderPollChartOrNothing(pollTranslator(poll), read);
	const body = editBody({ ...read, poll }, chart?.name);
	const files = chart === null ? {} : { files: [{ name: chart.name, data: chart.data, contentType: 'image/png' }] };
	const sent = await unlessDiscordError(
		pollEditBudget.send(() => container.client.rest.patch(Routes.channelMessage(poll.channelId, poll.messageId!), { body, ...files })),
		ExpectedDiscordErrors.Unreachable
	);
	failedEdits.delete(pollKey(ref));
	// Folded once the edit has landed, so that the fold's answer covers every edit that landed before this one: in a
	// deploy overlap, the process whose edit landed last and is behind learns it here, and edits again.
	const current = await foldShownDeltas(container.sql, ref.guildId, ref.number, read);
	if (sent === null) return container.logger.debug(`Poll #${ref.number}'s message is unreachable; not updated.`, { guildId: ref.guildId });
	metrics.pollEditsSent.inc();
	if (current) return;
	// Shutting down (the old process of a deploy, whose edits are the likeliest to land last): the database keeps
	// the difference, for the scheduler of whichever process is still running to heal.
	if (!requestPollEdit(ref)) await markUnshown(container.sql, ref.guildId, ref.number);
}

/** The edit's body: the message rendered from `state`, with no mentions; `attachments` replaces any earlier chart. */
function editBody(state: PollState, chart: string | undefined) {
	return {
		...renderPollMessage(pollTranslator(state.poll), state, chart === undefined ? {} : { chart }),
		...(chart === undefined ? {} : { attachments: [{ id: '0', filename: chart }] }),
		allowed_mentions: { parse: [] }
	};
}

export const pollEdits = new EditCoalescer<PollEditTarget>({
	budget: pollEditBudget,
	flush: refreshPollMessage,
	keyOf: pollKey,
	onError: (ref, error) => {
		container.logger.warn(`Updating poll #${ref.number}'s message failed:`, error, { guildId: ref.guildId });
		retryEdit(ref);
	},
	onCoalesced: () => metrics.pollEditsCoalesced.inc(),
	// A poll's entry outlives its edits: a click's message is kept, whatever asked for the edit first.
	merge: (kept, asked) => (kept.clickedOn === undefined && asked.clickedOn !== undefined ? asked : kept)
});

/** Failed edits in a row, per poll. */
const failedEdits = new Map<string, number>();
const editRetry = { delayMs: 3_000, attempts: 20 } as const;

/**
 * An edit that failed (the database down, Discord answering 500) is asked for again a little later: without it the
 * message kept showing old counts until the next vote, and forever after the last one (the soak found it). Bounded,
 * so a poll whose edit can never succeed stops being retried after about a minute.
 */
function retryEdit(ref: PollRef) {
	const key = pollKey(ref);
	const failures = (failedEdits.get(key) ?? 0) + 1;
	if (failures > editRetry.attempts) {
		failedEdits.delete(key);
		return;
	}
	failedEdits.set(key, failures);
	setTimeout(() => requestPollEdit(ref), editRetry.delayMs).unref();
}

/**
 * Asks for the poll message to show the database's state, soon (never waits); `false` when shutting down. A vote
 * says which message it was clicked on.
 */
export function requestPollEdit(ref: PollRef, clickedOn?: ClickedMessage): boolean {
	return pollEdits.request(
		clickedOn === undefined ? { guildId: ref.guildId, number: ref.number } : { guildId: ref.guildId, number: ref.number, clickedOn }
	);
}

/** {@link requestPollEdit}, resolving once an edit started after this call went out: `true` if it did. */
export function editPollMessageNow(ref: PollRef): Promise<boolean> {
	return pollEdits.requestAndWait({ guildId: ref.guildId, number: ref.number });
}

/** How often the scheduler looks for lost edits. */
export const lostEditLookMs = 5_000;
/**
 * How long a poll's oldest unshown delta must stay unshown before its edit counts as lost (`POLL_EDIT_HEAL_SECONDS`,
 * set at start-up; 15 s by default). Far longer than an edit
 * takes, even queued behind the shared budget in a busy hour: asking again for an edit that is only late would, in
 * another process of the same shard (a deploy overlap), add an edit to a budget that is already short.
 */
export const lostEdits = { afterMs: 15_000 };
let lastLookAt = Number.NEGATIVE_INFINITY;
/** Per poll: its oldest unshown delta, and since when it has been seen. */
let unshown = new Map<string, { since: string; seenAt: number }>();

/**
 * Asks again for the edit of each poll of these shards whose oldest delta not shown yet has stayed unshown for
 * {@link lostEdits} while this process had no edit of it pending: whatever asked for that edit is gone (a
 * killed process, an edit whose retries ran out). Called by the scheduler every tick; looks every
 * {@link lostEditLookMs}.
 */
export async function healLostEdits(shards: ShardScope, now = performance.now()): Promise<void> {
	if (now - lastLookAt < lostEditLookMs) return;
	lastLookAt = now;
	const previous = unshown;
	unshown = new Map();
	for (const poll of await findUnshownPolls(container.sql, shards)) {
		const key = pollKey(poll);
		const seen = previous.get(key);
		const entry = seen !== undefined && seen.since === poll.since ? seen : { since: poll.since, seenAt: now };
		unshown.set(key, entry);
		if (now - entry.seenAt < lostEdits.afterMs || pollEdits.isPending(poll)) continue;
		container.logger.debug(`Poll #${poll.number}'s message is behind its votes and no edit is coming; editing it.`, { guildId: poll.guildId });
		metrics.pollEditsHealed.inc();
		// Asked again at most once per period, should this edit be lost too.
		entry.seenAt = now;
		requestPollEdit(poll);
	}
}
