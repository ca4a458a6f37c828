/**
 * Every way the bot refuses or fails a request, each identifier meaning one thing. A refusal is a {@link UserError}
 * whose `context` holds the message key and its values, so the answer is written in the reader's language when it
 * is sent (src/lib/discord/answers.ts), whoever threw it.
 */
import { UserError } from '@sapphire/framework';
import { english, type MessageKey, type Translator } from './i18n/index.js';

export enum Failure {
	/** An option the member typed is not valid (the message says what to fix). */
	InvalidInput = 'invalidInput',
	/** The server is pending or denied: only the approval flow works there. */
	GuildNotApproved = 'guildNotApproved',
	/** Only the bot's owners may do this. */
	OwnerOnly = 'ownerOnly',
	/** The database cannot be reached or is too slow to answer in time. */
	DatabaseUnavailable = 'databaseUnavailable',
	/** Anything else: logged, answered with an apology. */
	Unexpected = 'unexpected',
	/** The poll number names no poll of this server. */
	PollNotFound = 'pollNotFound',
	/** Only the poll's creator or Manage Server may do this. */
	PollForbidden = 'pollForbidden',
	/** The poll is closed, and this needs it open. */
	PollClosed = 'pollClosed',
	/** The poll hides its results until it closes. */
	PollResultsHidden = 'pollResultsHidden',
	/** An anonymous poll that closed: its votes are linked to nobody any more. */
	PollUnlinkable = 'pollUnlinkable',
	/** The poll is limited to a role the member lacks. */
	VoteMissingRole = 'voteMissingRole',
	/** The vote names an option the poll does not have. */
	VoteBadOption = 'voteBadOption',
	/** A component id with our prefix but not a shape the bot writes (forged or corrupted). */
	ComponentMalformed = 'componentMalformed',
	/** A component id naming a poll of another server than the one it was clicked in. */
	ComponentOtherServer = 'componentOtherServer',
	/** The server named does not exist for the bot, or is in a state the decision does not apply to. */
	DecisionRefused = 'decisionRefused',
	/** The poll already has votes, and this would change what they were cast for (rename or remove options). */
	PollHasVotes = 'pollHasVotes',
	/** The poll is open, and this needs it closed (reopen). */
	PollOpen = 'pollOpen',
	/** The poll is between two steps (its close still being announced): the same request works a little later. */
	PollBusy = 'pollBusy',
	/** The poll was cancelled before it was ever posted. */
	PollNeverPosted = 'pollNeverPosted',
	/** The member asked the bot to mention someone they may not mention themselves. */
	MentionForbidden = 'mentionForbidden',
	/** A ranked ballot that names an option twice or skips a rank. */
	BallotInvalid = 'ballotInvalid',
	/** The poll does not show who voted (at all, or not yet). */
	VotersHidden = 'votersHidden',
	/** Changing the server's settings needs Manage Server. */
	SettingsForbidden = 'settingsForbidden'
}

/** A sentence by key, with its values: what rules return instead of text, so the reader's language picks the words. */
export interface Message {
	readonly key: MessageKey;
	readonly values?: Readonly<Record<string, unknown>>;
}

export function message(key: MessageKey, values?: Readonly<Record<string, unknown>>): Message {
	return values === undefined ? { key } : { key, values };
}

export function renderMessage(t: Translator, { key, values }: Message): string {
	return t(key, values);
}

export interface RefusalContext {
	readonly message: Message;
}

/** A {@link UserError} for `identifier`, worded by `text`; thrown from anywhere, answered ephemerally. */
export function refusal(identifier: Failure, text: Message): UserError {
	const context: RefusalContext = { message: text };
	return new UserError({ identifier, message: renderMessage(english, text), context });
}

export function refuse(identifier: Failure, text: Message): never {
	throw refusal(identifier, text);
}

/** The text of a refusal in `t`'s language; a UserError from elsewhere (the framework's own) keeps its message. */
export function refusalText(t: Translator, error: UserError): string {
	const context = error.context as Partial<RefusalContext> | null;
	return context?.message ? renderMessage(t, context.message) : error.message;
}
