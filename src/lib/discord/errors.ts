import { DiscordAPIError } from 'discord.js';

/** Whether `error` is Discord answering with one of these JSON error codes (10008 Unknown Message, ...). */
export function isDiscordError(error: unknown, ...codes: readonly number[]): error is DiscordAPIError {
	return error instanceof DiscordAPIError && typeof error.code === 'number' && codes.includes(error.code);
}
