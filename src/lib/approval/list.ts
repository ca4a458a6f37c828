import {
	ActionRowBuilder,
	ButtonBuilder,
	ButtonStyle,
	EmbedBuilder,
	TimestampStyles,
	escapeMarkdown,
	time,
	type APIActionRowComponent,
	type APIButtonComponent,
	type APIEmbed
} from 'discord.js';
import { buildCustomId, CustomIdPrefix } from '../custom-ids.js';
import type { Translator } from '../i18n/index.js';
import type { GuildRow } from './repository.js';
import type { GuildStatus } from './rules.js';

export const guildListPageSize = 10;

/** The status a list shows, or every status. */
export type GuildListFilter = GuildStatus | 'all';

export interface GuildListPage {
	readonly filter: GuildListFilter;
	readonly page: number;
	readonly rows: readonly GuildRow[];
	readonly total: number;
}

export function pageCount(total: number) {
	return Math.max(1, Math.ceil(total / guildListPageSize));
}

/** One page of `/admin servers` or `/admin pending`, with Previous/Next buttons when there is more than one. */
export function renderGuildList(t: Translator, list: GuildListPage): { embeds: APIEmbed[]; components: APIActionRowComponent<APIButtonComponent>[] } {
	const pages = pageCount(list.total);
	const title = list.filter === 'all' ? t('admin:list.all') : t('admin:list.status', { status: list.filter });
	const lines = list.rows.map((guild) => describeGuild(t, guild));
	const embed = new EmbedBuilder()
		.setTitle(t('admin:list.title', { title, total: list.total }))
		.setDescription(lines.length > 0 ? lines.join('\n\n') : t('admin:list.none'))
		.setFooter({ text: t('admin:list.page', { page: list.page + 1, pages }) })
		.setColor(0x5865f2);
	if (pages === 1) return { embeds: [embed.toJSON()], components: [] };

	const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.AdminList, list.filter, list.page - 1))
			.setLabel(t('admin:list.previous'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(list.page === 0),
		new ButtonBuilder()
			.setCustomId(buildCustomId(CustomIdPrefix.AdminList, list.filter, list.page + 1))
			.setLabel(t('admin:list.next'))
			.setStyle(ButtonStyle.Secondary)
			.setDisabled(list.page + 1 >= pages)
	);
	return { embeds: [embed.toJSON()], components: [row.toJSON()] };
}

function describeGuild(t: Translator, guild: GuildRow): string {
	const decided = guild.decidedAt ? t('admin:list.decided', { date: time(guild.decidedAt, TimestampStyles.ShortDate) }) : '';
	const left = guild.leftAt ? t('admin:list.left') : '';
	return [
		`**${escapeMarkdown(guild.name)}** (\`${guild.guildId}\`)`,
		t('admin:list.line', {
			status: guild.status,
			members: guild.memberCount,
			date: time(guild.joinedAt, TimestampStyles.ShortDate),
			decided,
			left
		})
	].join('\n');
}
