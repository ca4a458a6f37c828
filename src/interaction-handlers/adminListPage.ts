import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { guildListPageSize, pageCount, renderGuildList, type GuildListFilter } from '../lib/approval/list.js';
import { listGuilds } from '../lib/approval/repository.js';
import { isGuildStatus } from '../lib/approval/rules.js';
import { CustomIdPrefix, parseCustomId } from '../lib/custom-ids.js';
import { isOwner, notOwnerMessage } from '../lib/owners.js';

interface PageRequest {
	readonly filter: GuildListFilter;
	readonly page: number;
}

/** Previous/Next on the server lists of `/admin`. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class AdminListPageHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const parts = parseCustomId(interaction.customId, CustomIdPrefix.AdminList);
		if (parts === null) return this.none();
		const [filter = '', pageText = ''] = parts;
		const page = Number(pageText);
		if ((filter !== 'all' && !isGuildStatus(filter)) || !Number.isSafeInteger(page) || page < 0) return this.none();
		return this.some<PageRequest>({ filter, page });
	}

	public override async run(interaction: ButtonInteraction, request: PageRequest) {
		if (!isOwner(interaction.user.id)) return interaction.reply({ content: notOwnerMessage, flags: MessageFlags.Ephemeral });
		const status = request.filter === 'all' ? null : request.filter;
		let { rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: request.page * guildListPageSize });
		// The list may have shrunk since the buttons were drawn: show its last page instead of an empty one.
		let page = request.page;
		if (rows.length === 0 && total > 0) {
			page = pageCount(total) - 1;
			({ rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: page * guildListPageSize }));
		}
		return interaction.update(renderGuildList({ filter: request.filter, page, rows, total }));
	}
}
