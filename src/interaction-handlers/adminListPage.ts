import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import { guildListPageSize, pageCount, renderGuildList, type GuildListFilter } from '../lib/approval/list.js';
import { listGuilds } from '../lib/approval/repository.js';
import { isGuildStatus } from '../lib/approval/rules.js';
import { CustomIdPrefix } from '../lib/custom-ids.js';
import { readOwnComponent } from '../lib/discord/components.js';
import { readerTranslator } from '../lib/i18n/readers.js';

interface PageRequest {
	readonly filter: GuildListFilter;
	readonly page: number;
}

/** Previous/Next on the server lists of `/admin`. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class AdminListPageHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		const request = await readOwnComponent(interaction, CustomIdPrefix.AdminList, 'owner', readPageRequest);
		return request === null ? this.none() : this.some(request);
	}

	public override async run(interaction: ButtonInteraction, request: PageRequest) {
		const status = request.filter === 'all' ? null : request.filter;
		let { rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: request.page * guildListPageSize });
		// The list may have shrunk since the buttons were drawn: show its last page instead of an empty one.
		let page = request.page;
		if (rows.length === 0 && total > 0) {
			page = pageCount(total) - 1;
			({ rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: page * guildListPageSize }));
		}
		return interaction.update(renderGuildList(readerTranslator(interaction), { filter: request.filter, page, rows, total }));
	}
}

function readPageRequest([filter = '', pageText = '']: readonly string[]): PageRequest | null {
	const page = Number(pageText);
	if ((filter !== 'all' && !isGuildStatus(filter)) || !Number.isSafeInteger(page) || page < 0) return null;
	return { filter, page };
}
