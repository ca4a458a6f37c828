import { container, UserError } from '@sapphire/framework';
import { refusalFor } from './rules.js';

export const Identifiers = {
	GuildNotApproved: 'guildNotApproved'
} as const;

/**
 * The approval check every way into the bot goes through: Sapphire's `GuildApproved` precondition for commands,
 * and interaction handlers and autocomplete, which preconditions do not cover.
 *
 * @returns the message to show when the server may not use the bot, or `null` when it may (and in DMs)
 */
export async function guildRefusal(guildId: string | null): Promise<string | null> {
	if (guildId === null) return null;
	return refusalFor(await container.approvals.status(guildId));
}

/** Throws a {@link UserError} (shown ephemerally by the error listeners) when the server may not use the bot. */
export async function assertGuildApproved(guildId: string | null) {
	const refusal = await guildRefusal(guildId);
	if (refusal !== null) throw new UserError({ identifier: Identifiers.GuildNotApproved, message: refusal });
}
