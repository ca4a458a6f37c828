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
import type { Translator } from '../i18n/index.js';
import type { GuildRow } from './repository.js';
import type { GuildStatus } from './rules.js';

export const ApprovalAction = { Approve: 'a', Deny: 'd' } as const;

const statusColour: Record<GuildStatus, number> = { pending: 0xfee75c, approved: 0x57f287, denied: 0xed4245 };

/** The DM that asks an owner to approve a server; once decided, it shows the decision with its buttons disabled. */
export function renderApprovalRequest(
	t: Translator,
	guild: GuildRow
): { embeds: APIEmbed[]; components: APIActionRowComponent<APIButtonComponent>[] } {
	const decided = guild.status !== 'pending' || guild.decidedAt !== null;
	const embed = new EmbedBuilder()
		.setTitle(decided ? t('approval:request.decided', { status: guild.status }) : t('approval:request.waiting'))
		.setColor(statusColour[guild.status])
		.addFields(
			{ name: t('approval:request.server'), value: guild.name || t('approval:request.unknown'), inline: true },
			{ name: t('approval:request.serverId'), value: guild.guildId, inline: true },
			{ name: t('approval:request.members'), value: String(guild.memberCount), inline: true },
			{
				name: t('approval:request.owner'),
				value: guild.ownerId ? `<@${guild.ownerId}> (${guild.ownerId})` : t('approval:request.unknown'),
				inline: true
			},
			{ name: t('approval:request.joined'), value: time(guild.joinedAt, TimestampStyles.RelativeTime), inline: true }
		);
	if (decided) embed.setDescription(describeDecision(t, guild));

	const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.Approval, guild.guildId, ApprovalAction.Approve))
			.setLabel(t('approval:request.approve'))
			.setStyle(ButtonStyle.Success)
			.setDisabled(guild.status !== 'pending'),
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.Approval, guild.guildId, ApprovalAction.Deny))
			.setLabel(t('approval:request.deny'))
			.setStyle(ButtonStyle.Danger)
			.setDisabled(guild.status !== 'pending')
	);
	return { embeds: [embed.toJSON()], components: [row.toJSON()] };
}

export function describeDecision(t: Translator, guild: GuildRow): string {
	const who = guild.decidedBy ? `<@${guild.decidedBy}>` : t('approval:decision.anOwner');
	const when = guild.decidedAt ? ` ${time(guild.decidedAt, TimestampStyles.RelativeTime)}` : '';
	const reason = guild.reason ? `\n${t('approval:decision.reason', { reason: guild.reason })}` : '';
	return `${t(`approval:decision.${guild.status}`, { who, when })}${reason}`;
}
