/**
 * The rules of a poll's life after `/poll create` (issue 13): when it starts, when and whom it reminds, what an edit
 * may change, and when it may be reopened. Plain functions, no Discord and no database; refusals are message keys.
 */
import { Result } from '@sapphire/result';
import { parseDuration } from '../duration.js';
import type { Failure } from '../failures.js';
import { message, type Message } from '../failures.js';
import { parseOptions, PollLimits } from './rules.js';

/** When to post a poll and when to remind, validated. */
export interface PollLifeDraft {
	/** Posted this long after creation; `null`: right away. */
	readonly startsInMs: number | null;
	/** The reminder goes out this long before the deadline; `null`: no reminder. */
	readonly remindBeforeMs: number | null;
	/** The role the reminder pings; `null`: it pings nobody. */
	readonly remindRoleId: string | null;
}

export interface LifeInput {
	readonly startsIn: string | null;
	readonly remindBefore: string | null;
	/** The role option as the interaction resolved it: its id and whether anyone may mention it. */
	readonly remindRole: { readonly id: string; readonly mentionable: boolean } | null;
	/** The creator has Mention Everyone, which lets them mention any role. */
	readonly mayMentionAnyRole: boolean;
	/** The poll's validated duration; a reminder needs one. */
	readonly durationMs: number | null;
	/** The server's id, which is also its @everyone role's. */
	readonly guildId: string;
}

/** A failure and the sentence that explains it, for refusals whose identifier is not "invalid input". */
export interface Refusal {
	readonly failure: Failure;
	readonly text: Message;
}

function blank(value: string | null): value is null {
	return value === null || value.trim().length === 0;
}

/**
 * Checks `starts_in`, `remind_before` and `remind_role`. The role is pinged only if the creator could ping it
 * themselves: the bot lends nobody a mention they do not have. `mentionForbidden` is the identifier to refuse that with.
 */
export function validateLife(input: LifeInput, mentionForbidden: Failure, invalid: Failure): Result<PollLifeDraft, Refusal> {
	const fail = (failure: Failure, text: Message) => Result.err<Refusal>({ failure, text });
	let startsInMs: number | null = null;
	if (!blank(input.startsIn)) {
		const parsed = parseDuration(input.startsIn);
		if (parsed.isErr()) return fail(invalid, message('life:validation.startsInInvalid', { input: input.startsIn.trim() }));
		startsInMs = parsed.unwrap();
	}
	let remindBeforeMs: number | null = null;
	if (!blank(input.remindBefore)) {
		const parsed = parseDuration(input.remindBefore);
		if (parsed.isErr()) return fail(invalid, message('life:validation.remindBeforeInvalid', { input: input.remindBefore.trim() }));
		remindBeforeMs = parsed.unwrap();
		if (input.durationMs === null) return fail(invalid, message('life:validation.remindNeedsDuration'));
		if (remindBeforeMs >= input.durationMs) return fail(invalid, message('life:validation.remindTooEarly', { input: input.remindBefore.trim() }));
	}
	const role = input.remindRole;
	if (role !== null) {
		if (role.id === input.guildId) return fail(invalid, message('life:validation.remindEveryone'));
		if (remindBeforeMs === null) return fail(invalid, message('life:validation.remindRoleNeedsReminder'));
		if (!role.mentionable && !input.mayMentionAnyRole) return fail(mentionForbidden, message('life:remindRoleForbidden', { roleId: role.id }));
	}
	return Result.ok({ startsInMs, remindBeforeMs, remindRoleId: role?.id ?? null });
}

/** What `/poll edit` received. */
export interface EditInput {
	readonly question: string | null;
	readonly options: string | null;
	readonly addOptions: string | null;
	readonly duration: string | null;
}

/** The new deadline: unchanged, removed, or this long from now (from the start, for a poll not started yet). */
export type DeadlineChange = { readonly kind: 'keep' } | { readonly kind: 'none' } | { readonly kind: 'in'; readonly ms: number };

/** An edit, validated against the poll as it is while it is locked. */
export interface PollEdit {
	readonly question: string | null;
	/** The whole list of labels after the edit (existing ones first, unchanged, when adding); `null`: unchanged. */
	readonly labels: readonly string[] | null;
	readonly deadline: DeadlineChange;
}

/** The poll as an edit sees it, locked: its labels, whether anyone has a vote now, and how many may be picked. */
export interface EditablePoll {
	readonly number: number;
	readonly labels: readonly string[];
	readonly hasVotes: boolean;
	readonly maxChoices: number;
}

/** The word that removes a deadline in `/poll edit duration:none`. */
export const noDeadline = 'none';

/** Checks what the edit option parses to, before the poll is read; the error says what to fix. */
export function parseEditInput(input: EditInput): Result<EditInput & { readonly deadline: DeadlineChange }, Message> {
	if (blank(input.question) && blank(input.options) && blank(input.addOptions) && blank(input.duration)) {
		return Result.err(message('life:validation.editNothing'));
	}
	if (!blank(input.options) && !blank(input.addOptions)) return Result.err(message('life:validation.editOptionsAndAdd'));
	let deadline: DeadlineChange = { kind: 'keep' };
	if (!blank(input.duration)) {
		if (input.duration.trim().toLowerCase() === noDeadline) deadline = { kind: 'none' };
		else {
			const parsed = parseDuration(input.duration);
			if (parsed.isErr()) return Result.err(parsed.unwrapErr());
			deadline = { kind: 'in', ms: parsed.unwrap() };
		}
	}
	return Result.ok({ ...input, deadline });
}

/**
 * The edit to apply to `poll`. Options already there are never renamed or removed once anyone has a vote (the vote
 * was cast for that label); before the first vote, `options` replaces the whole list. Added options follow the same
 * rules as at creation, counted with the existing ones (25 at most).
 */
export function planEdit(poll: EditablePoll, input: EditInput & { readonly deadline: DeadlineChange }, hasVotes: Failure, invalid: Failure) {
	const fail = (failure: Failure, text: Message) => Result.err<Refusal>({ failure, text });
	let question: string | null = null;
	if (!blank(input.question)) {
		question = input.question.trim();
		if (question.length > PollLimits.questionMaxLength) {
			return fail(invalid, message('polls:validation.questionLong', { length: question.length, max: PollLimits.questionMaxLength }));
		}
	}
	let labels: string[] | null = null;
	if (!blank(input.options)) {
		if (poll.hasVotes) return fail(hasVotes, message('life:renameAfterVotes', { number: poll.number }));
		const parsed = parseOptions(input.options);
		if (parsed.isErr()) return fail(invalid, parsed.unwrapErr());
		labels = parsed.unwrap();
	} else if (!blank(input.addOptions)) {
		// Labels never hold a `|` (they were split on it), so joining them with the new ones checks the whole list.
		const parsed = parseOptions([...poll.labels, input.addOptions].join('|'));
		if (parsed.isErr()) return fail(invalid, parsed.unwrapErr());
		labels = parsed.unwrap();
	}
	if (labels !== null && poll.maxChoices > labels.length) {
		return fail(invalid, message('polls:validation.maxChoicesOptions', { value: poll.maxChoices, options: labels.length }));
	}
	return Result.ok<PollEdit>({ question, labels, deadline: input.deadline });
}

/** A poll's start more this late than planned is posted with a note saying so (the bot was down meanwhile). */
export const lateStartMs = 30_000;
