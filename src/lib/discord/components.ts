import type { MessageComponentInteraction } from 'discord.js';
import { assertAccess, requesterOf, type Requirement } from '../access.js';
import { parseCustomId } from '../custom-ids.js';

/**
 * What an interaction handler's `parse` does for a component of its own: `null` when the custom id is another
 * handler's (or not a shape `read` accepts), else the access check for `requirement` (which throws its refusal)
 * and what `read` made of the id's parts.
 */
export async function readOwnComponent<T>(
	interaction: MessageComponentInteraction,
	prefix: string,
	requirement: Requirement,
	read: (parts: readonly string[]) => T | null
): Promise<T | null> {
	const parts = parseCustomId(interaction.customId, prefix);
	const parsed = parts === null ? null : read(parts);
	if (parsed === null) return null;
	await assertAccess(requesterOf(interaction), requirement);
	return parsed;
}
