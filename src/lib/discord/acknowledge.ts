/**
 * Every slash command is acknowledged within Discord's 3 s, whatever the database does. A command still unanswered
 * {@link AnswerTiming.deferAfterMs} after it arrived is deferred ("thinking…"): in public when its answer is public
 * (a new poll's message), ephemerally otherwise. Commands therefore answer through {@link respond} and
 * {@link deferNow}, never `interaction.reply` or `deferReply` directly: those would meet a deferral they did not make.
 *
 * Both processes of a deploy overlap may defer the same interaction; Discord takes the first acknowledgement and
 * answers the other with 40060. Either way the reply is the same interaction's, reached through the same token, so
 * whoever acts fills it in.
 */
import { container } from '@sapphire/framework';
import { setTimeout as sleep } from 'node:timers/promises';
import {
	Message,
	MessageFlags,
	MessageFlagsBitField,
	type ButtonInteraction,
	type ChatInputCommandInteraction,
	type InteractionCallbackResponse,
	type InteractionReplyOptions,
	type InteractionResponse
} from 'discord.js';
import { ExpectedDiscordErrors, isDiscordError } from './errors.js';
import { AnswerTiming } from './timing.js';

/** A slash command, or a button whose answer is a reply of its own (not a vote, not a dialog, not a page turn). */
type Command = ChatInputCommandInteraction | ButtonInteraction;

/** A command whose answer can be a message for everyone says so (`/poll create`); any other answers ephemerally. */
export interface AnswersInPublic {
	answersInPublic(interaction: Command): boolean;
}

export function answersInPublic(command: object, interaction: Command): boolean {
	return 'answersInPublic' in command && typeof command.answersInPublic === 'function' && (command as AnswersInPublic).answersInPublic(interaction);
}

const timers = new WeakMap<Command, NodeJS.Timeout>();
const deferrals = new WeakMap<Command, Promise<void>>();
const guarded = new WeakSet<object>();
const clockStarts = new WeakMap<object, number>();
/**
 * Commands whose answer is a message for everyone (armed with `inPublic`), those this process has claimed, and those
 * whose claim could not be asked (the database unreachable): another process may hold them.
 */
const inPublicAnswers = new WeakSet<object>();
const claimedHere = new WeakSet<object>();
const ownerUnknown = new WeakSet<object>();

/**
 * Notes when Discord's 3 s for an interaction began, as well as this process can tell (src/listeners/interactionArrived.ts):
 * when Discord created it (its id is a snowflake, dated by Discord's clock), which is before its arrival when the
 * gateway delivered it late (replayed after a resume: the soak found callbacks 55-72 ms past the 3 s that way).
 * Never after its arrival (a clock behind Discord's), and at most {@link AnswerTiming.deferAfterMs} before it (a clock
 * ahead of Discord's must not make every interaction look as if its time were up).
 */
export function noteClockStart(interaction: { readonly createdTimestamp: number }, now = Date.now()): void {
	clockStarts.set(interaction, Math.min(now, Math.max(interaction.createdTimestamp, now - AnswerTiming.deferAfterMs)));
}

/** When the interaction's 3 s began ({@link noteClockStart}); now, for one that was not noted. */
export function clockStartOf(interaction: object): number {
	return clockStarts.get(interaction) ?? Date.now();
}

/** Whether {@link armDeferral} guards this interaction, so that its answers, a failure's included, go through {@link respond}. */
export function isGuarded(interaction: object): interaction is Command {
	return guarded.has(interaction);
}

/**
 * Defers `interaction` if nothing answered it by {@link AnswerTiming.deferAfterMs} after it arrived; `inPublic` when
 * its answer is a message for everyone. Called once, as the interaction arrives: for every slash command
 * (src/listeners/interactionArrived.ts), and by a button handler for a button answered with a reply of its own.
 */
export function armDeferral(interaction: Command, inPublic: boolean, startedAt = clockStartOf(interaction)): void {
	const timer = setTimeout(
		() => {
			timers.delete(interaction);
			if (interaction.deferred || interaction.replied) return;
			deferrals.set(interaction, defer(interaction, inPublic));
		},
		Math.max(0, startedAt + AnswerTiming.deferAfterMs - Date.now())
	);
	timer.unref();
	timers.set(interaction, timer);
	guarded.add(interaction);
	if (inPublic) inPublicAnswers.add(interaction);
}

/**
 * This process claimed the interaction (src/lib/interaction-claims.ts): its answers are the only ones, so it may
 * delete its public reply to answer ephemerally. Until then, see {@link respond}.
 */
export function noteClaimed(interaction: Command): void {
	claimedHere.add(interaction);
}

/**
 * The command failed because the database could not be reached (src/lib/discord/answers.ts): if this process had
 * not claimed it yet, the other process of a deploy overlap may have, and may be answering it.
 */
export function noteOwnerUnknown(interaction: object): void {
	if (!claimedHere.has(interaction)) ownerUnknown.add(interaction);
}

/** No deferral from now on (the command answered, or stood down for another process). */
export function disarmDeferral(interaction: Command): void {
	clearTimeout(timers.get(interaction));
	timers.delete(interaction);
}

/**
 * The interaction as Discord sees it: no deferral starts after this, and one in flight has landed, so `deferred`,
 * `replied` and `ephemeral` tell the truth.
 */
export async function settleAcknowledgement(interaction: Command): Promise<void> {
	disarmDeferral(interaction);
	await deferrals.get(interaction);
}

/** Acknowledges now (a command that knows it will take a while), ephemerally unless `inPublic`; once only. */
export async function deferNow(interaction: Command, { inPublic = false }: { inPublic?: boolean } = {}): Promise<void> {
	await settleAcknowledgement(interaction);
	if (interaction.deferred || interaction.replied) return;
	await defer(interaction, inPublic);
}

/**
 * The command's answer: a reply, or the edit of a deferred one. An ephemeral answer to a command deferred in public
 * (a refusal, a poll scheduled for later) cannot turn that reply private: the public "thinking" is deleted and the
 * answer follows up ephemerally. Resolves to the message when Discord returns it (`withResponse` for a reply), or to
 * `null` when another process answered instead ({@link answerUnclaimed}).
 */
export async function respond(interaction: Command, options: InteractionReplyOptions): Promise<Answer> {
	await settleAcknowledgement(interaction);
	if (inPublicAnswers.has(interaction) && ownerUnknown.has(interaction) && isEphemeral(options.flags)) return answerUnclaimed(interaction, options);
	if (!interaction.deferred && !interaction.replied) {
		try {
			return (await interaction.reply(options)) ?? null;
		} catch (error) {
			if (!isDiscordError(error, ExpectedDiscordErrors.AlreadyAnswered)) throw error;
			// The other process of an overlap deferred first, by the same rule as ours, and stood down: fill its reply.
			markDeferred(interaction, isEphemeral(options.flags));
		}
	}
	if (interaction.replied) return interaction.followUp(options);
	const { flags, withResponse: _withResponse, ...edit } = options;
	if (interaction.ephemeral === isEphemeral(flags)) return interaction.editReply(edit);
	await interaction.deleteReply().catch((error: unknown) => {
		if (!isDiscordError(error, [...ExpectedDiscordErrors.Unreachable, ...ExpectedDiscordErrors.InteractionExpired])) throw error;
	});
	return interaction.followUp(options);
}

/**
 * An ephemeral answer (a failure: the database could not be reached to claim it) to a command that answers in public,
 * which this process has not claimed ({@link noteOwnerUnknown}). In a deploy overlap the other process may hold the claim and be about to put
 * its answer (a new poll) in the public reply, so this one must not answer first (the other's answer would then edit
 * this ephemeral message, and the poll would be seen by its creator only) nor delete the public reply (it may already
 * be the poll). It acknowledges in public, gives the other process until {@link AnswerTiming.unclaimedAnswerMs}, and
 * answers only if the reply still says "thinking": deleted or filled, someone else answered.
 */
async function answerUnclaimed(interaction: Command, options: InteractionReplyOptions): Promise<Answer> {
	if (!interaction.deferred && !interaction.replied) await defer(interaction, true);
	await sleep(Math.max(0, clockStartOf(interaction) + AnswerTiming.unclaimedAnswerMs - Date.now()));
	const standDown = () => {
		container.logger.debug('Answered by another process (the public reply is no longer thinking); standing down.', {
			interactionId: interaction.id
		});
		return null;
	};
	try {
		if (!(await interaction.fetchReply()).flags.has(MessageFlags.Loading)) return standDown();
	} catch (error) {
		if (isDiscordError(error, [...ExpectedDiscordErrors.MessageGone, ...ExpectedDiscordErrors.InteractionExpired])) return standDown();
		throw error;
	}
	await interaction.deleteReply().catch((error: unknown) => {
		if (!isDiscordError(error, [...ExpectedDiscordErrors.Unreachable, ...ExpectedDiscordErrors.InteractionExpired])) throw error;
	});
	return interaction.followUp(options);
}

type Answer = Message | InteractionCallbackResponse | InteractionResponse | null;

/** The id of the message an answer made, when Discord returned it (a reply `withResponse`, or an edited deferral). */
export function answeredMessageId(answer: Answer): string | null {
	if (answer instanceof Message) return answer.id;
	if (answer !== null && 'resource' in answer) return answer.resource?.message?.id ?? null;
	return null;
}

async function defer(interaction: Command, inPublic: boolean): Promise<void> {
	try {
		await interaction.deferReply(inPublic ? {} : { flags: MessageFlags.Ephemeral });
	} catch (error) {
		if (isDiscordError(error, ExpectedDiscordErrors.AlreadyAnswered)) return markDeferred(interaction, !inPublic);
		// Too late (the process stalled past 3 s): nothing can be answered; the command's own answer meets the same.
		if (isDiscordError(error, ExpectedDiscordErrors.InteractionExpired)) return;
		container.logger.warn('Could not defer a slow command:', error, { interactionId: interaction.id });
	}
}

/** discord.js keeps `deferred` and `ephemeral` as plain fields; it refuses `editReply` unless they say so. */
export function markDeferred(interaction: { deferred: boolean; ephemeral: boolean | null }, ephemeral: boolean): void {
	Object.assign(interaction, { deferred: true, ephemeral });
}

function isEphemeral(flags: InteractionReplyOptions['flags']): boolean {
	// The reply flags are a subset of the message flags; discord.js's types do not say so.
	return (
		flags !== undefined &&
		(MessageFlagsBitField.resolve(flags as Parameters<typeof MessageFlagsBitField.resolve>[0]) & MessageFlags.Ephemeral) !== 0
	);
}
