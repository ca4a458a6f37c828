import {
	ActionRowBuilder,
	ButtonBuilder,
	ButtonStyle,
	EmbedBuilder,
	TimestampStyles,
	time,
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed
} from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { GuildRow } from './repository.js';
import type { GuildStatus } from './rules.js';

export const ApprovalAction = { Approve: 'a', Deny: 'd' } as const;

const statusColour: Record<GuildStatus, number> = { pending: 0xfee75c, approved: 0x57f287, denied: 0xed4245 };

/** The DM that asks an owner to approve a server; once decided, it shows the decision with its buttons disabled. */
export function renderApprovalRequest(guild: GuildRow): { embeds: APIEmbed[]; components: APIActionRowComponent<APIButtonComponent>[] } {
	const decided = guild.status !== 'pending' || guild.decidedAt !== null;
	const embed = new EmbedBuilder()
		.setTitle(decided ? `Server ${guild.status}` : 'A server is waiting for your approval')
		.setColor(statusColour[guild.status])
		.addFields(
			{ name: 'Server', value: guild.name || 'Unknown', inline: true },
			{ name: 'Server id', value: guild.guildId, inline: true },
			{ name: 'Members', value: String(guild.memberCount), inline: true },
			{ name: 'Server owner', value: guild.ownerId ? `<@${guild.ownerId}> (${guild.ownerId})` : 'Unknown', inline: true },
			{ name: 'Joined', value: time(guild.joinedAt, TimestampStyles.RelativeTime), inline: true }
		);
	if (decided) embed.setDescription(describeDecision(guild));

	const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.Approval, guild.guildId, ApprovalAction.Approve))
			.setLabel('Approve')
			.setStyle(ButtonStyle.Success)
			.setDisabled(guild.status !== 'pending'),
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.Approval, guild.guildId, ApprovalAction.Deny))
			.setLabel('Deny')
			.setStyle(ButtonStyle.Danger)
			.setDisabled(guild.status !== 'pending')
	);
	return { embeds: [embed.toJSON()], components: [row.toJSON()] };
}

export function describeDecision(guild: GuildRow): string {
	const who = guild.decidedBy ? `<@${guild.decidedBy}>` : 'an owner';
	const when = guild.decidedAt ? ` ${time(guild.decidedAt, TimestampStyles.RelativeTime)}` : '';
	const verb = guild.status === 'pending' ? 'Set back to pending' : guild.status === 'approved' ? 'Approved' : 'Denied';
	const reason = guild.reason ? `\nReason: ${guild.reason}` : '';
	return `${verb} by ${who}${when}.${reason}`;
}
