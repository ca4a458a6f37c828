/**
 * What poll pieces read from an interaction: the poll component it is for (checked in `parse`, so a foreign,
 * malformed or cross-server id is refused before anything is loaded), and who is acting.
 */
import type { Interaction, MessageComponentInteraction, ModalSubmitInteraction } from 'discord.js';
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { assertAccess, requesterOf } from '../access.js';
import { Failure, message, refuse } from '../failures.js';
import { parsePollComponentId, type PollComponent, type PollComponentId } from './custom-ids.js';
import type { Actor } from './actions.js';
import type { ClickedMessage } from './edits.js';

/**
 * The poll component this interaction is for, `null` when it is another handler's. Refuses (answered ephemerally) a
 * server not approved, a malformed id, and an id naming a poll of another server.
 */
export async function readPollComponent(
	interaction: Pick<MessageComponentInteraction | ModalSubmitInteraction, 'customId' | 'guildId' | 'user'>,
	kind: PollComponent
): Promise<PollComponentId | null> {
	const parsed = parsePollComponentId(interaction.customId, kind);
	if (parsed === null) return null;
	await assertAccess(requesterOf(interaction), 'approvedGuild');
	if (parsed === 'malformed') refuse(Failure.ComponentMalformed, message('polls:componentMalformed'));
	if (interaction.guildId !== parsed.guildId) refuse(Failure.ComponentOtherServer, message('polls:componentOtherServer'));
	return parsed;
}

/**
 * The poll message a vote came from (a click on it, or a ballot whose modal its Rank button opened); never an
 * ephemeral message, which no channel edit can reach.
 */
export function clickedOn(interaction: MessageComponentInteraction | ModalSubmitInteraction): ClickedMessage | undefined {
	const { message } = interaction;
	if (message === null || message.flags.has(MessageFlags.Ephemeral)) return undefined;
	return { channelId: message.channelId, messageId: message.id };
}

/** Who is acting, as polls care: the member, whether they have Manage Server, and their roles. */
export function actorOf(interaction: Interaction): Actor {
	return {
		userId: interaction.user.id,
		manageGuild: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
		roleIds: memberRoleIds(interaction)
	};
}

/**
 * The member's role ids, as the interaction carries them. discord.js turns the raw member into a `GuildMember` when
 * the server is cached and keeps those ids in its `_roles`; `member.roles.cache` would list only cached roles, and the
 * bot caches none (src/lib/client.ts). `@everyone` is not among them (a poll limited to it is stored unrestricted).
 */
function memberRoleIds(interaction: Interaction): string[] {
	const { member } = interaction;
	if (member === null) return [];
	if (Array.isArray(member.roles)) return [...member.roles];
	const { _roles: roles } = member as unknown as { _roles?: unknown };
	if (!Array.isArray(roles)) throw new Error("discord.js's GuildMember no longer keeps the raw role ids in _roles");
	return roles.filter((id): id is string => typeof id === 'string');
}
