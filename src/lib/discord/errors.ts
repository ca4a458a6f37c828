import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';

/** Groups of Discord JSON error codes the bot expects, and meets as normal outcomes rather than faults. */
export const ExpectedDiscordErrors = {
	/** The poll message or its channel is gone or out of the bot's reach: the poll works on without it. */
	Unreachable: [
		RESTJSONErrorCodes.UnknownChannel,
		RESTJSONErrorCodes.UnknownMessage,
		RESTJSONErrorCodes.MissingAccess,
		RESTJSONErrorCodes.MissingPermissions
	],
	/** An owner's approval DM that was deleted, or whose DM channel is gone. */
	MessageGone: [RESTJSONErrorCodes.UnknownMessage, RESTJSONErrorCodes.UnknownChannel],
	/** Discord no longer knows the interaction: its answer deadline passed. */
	InteractionExpired: [RESTJSONErrorCodes.UnknownInteraction],
	/** The bot is not in that server (any more). */
	NotInGuild: [RESTJSONErrorCodes.UnknownGuild],
	/** Another session of the shard answered this interaction first (a deploy overlap): its answer stands. */
	AlreadyAnswered: [RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged]
} as const satisfies Record<string, readonly number[]>;

/** Whether `error` is Discord answering with one of these JSON error codes (10008 Unknown Message, ...). */
export function isDiscordError(error: unknown, codes: readonly number[]): error is DiscordAPIError {
	return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.includes(error.code);
}

/**
 * `request`'s result, or `null` when Discord answered with one of `codes`; any other failure is thrown. The one way
 * the bot meets an expected Discord error.
 */
export async function unlessDiscordError<T>(request: Promise<T>, codes: readonly number[]): Promise<T | null> {
	try {
		return await request;
	} catch (error) {
		if (isDiscordError(error, codes)) return null;
		throw error;
	}
}
