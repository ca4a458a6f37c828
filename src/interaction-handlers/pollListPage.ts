import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import type { ButtonInteraction } from 'discord.js';
import { assertAccess, requesterOf } from '../lib/access.js';
import { CustomIdPrefix, parseCustomId } from '../lib/custom-ids.js';
import { Failure, message, refuse } from '../lib/failures.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { listPolls } from '../lib/polls/actions.js';
import { renderPollList } from '../lib/polls/render.js';
import { snowflakePattern } from '../lib/snowflake.js';

interface PageRequest {
	readonly guildId: string;
	readonly page: number;
}

/** Previous/Next under `/poll list`. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class PollListPageHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		const parts = parseCustomId(interaction.customId, CustomIdPrefix.PollList);
		if (parts === null) return this.none();
		await assertAccess(requesterOf(interaction), 'approvedGuild');
		const [guildId = '', pageText = '', ...rest] = parts;
		if (!snowflakePattern.test(guildId) || !/^\d{1,6}$/.test(pageText) || rest.length > 0) {
			refuse(Failure.ComponentMalformed, message('polls:componentMalformed'));
		}
		if (interaction.guildId !== guildId) refuse(Failure.ComponentOtherServer, message('polls:componentOtherServer'));
		return this.some<PageRequest>({ guildId, page: Number(pageText) });
	}

	public override async run(interaction: ButtonInteraction, { guildId, page }: PageRequest) {
		const view = await listPolls(guildId, page);
		return interaction.update({ ...renderPollList(readerTranslator(interaction), view), allowedMentions: { parse: [] } });
	}
}
