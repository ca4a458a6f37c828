import { ApplyOptions } from '@sapphire/decorators';
import { container, InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { guildListPageSize, pageCount, renderGuildList, type GuildListFilter } from '../lib/approval/list.js';
import { decisionRefusal } from '../lib/approval/messages.js';
import { findGuild, listGuilds } from '../lib/approval/repository.js';
import { ApprovalAction, renderApprovalRequest } from '../lib/approval/render.js';
import { isGuildStatus, type Decision } from '../lib/approval/rules.js';
import { applyDecision } from '../lib/approval/service.js';
import { CustomIdPrefix } from '../lib/custom-ids.js';
import { readOwnComponent } from '../lib/discord/components.js';
import { renderMessage } from '../lib/failures.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { isSnowflake } from '../lib/snowflake.js';

type OwnerClick =
	| { readonly kind: 'approval'; readonly guildId: string; readonly decision: Decision }
	| { readonly kind: 'listPage'; readonly filter: GuildListFilter; readonly page: number };

/**
 * The owner's buttons: Approve and Deny on the approval DM, Previous/Next on the server lists of `/admin`. One
 * handler for both: Sapphire asks every button handler to parse every click, poll votes included.
 */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class OwnerButtonsHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		const click =
			(await readOwnComponent(interaction, CustomIdPrefix.Approval, 'owner', readApprovalClick)) ??
			(await readOwnComponent(interaction, CustomIdPrefix.AdminList, 'owner', readPageRequest));
		return click === null ? this.none() : this.some<OwnerClick>(click);
	}

	public override async run(interaction: ButtonInteraction, click: OwnerClick) {
		return click.kind === 'approval' ? decide(interaction, click) : turnPage(interaction, click);
	}
}

async function decide(interaction: ButtonInteraction, click: Extract<OwnerClick, { kind: 'approval' }>) {
	const t = readerTranslator(interaction);
	const { sql } = container;
	// Before acknowledging: the process that acknowledges must be the one that decides (see interaction-claims.ts).
	await claimOrStandDown(sql, interaction.id);
	// Editing the other owners' DMs and leaving a denied server can take a while: acknowledge first.
	await interaction.deferUpdate();
	const { guildId, decision } = click;
	const result = await applyDecision({ guildId, decision, decidedBy: interaction.user.id, reason: null, fromMessageId: interaction.message.id });
	if (result.isOk()) return interaction.editReply({ ...renderApprovalRequest(t, result.unwrap().guild), allowedMentions: { parse: [] } });
	const guild = await findGuild(sql, guildId);
	// The DM was out of date (decided elsewhere): show the real state, and say why nothing changed.
	if (guild !== null) await interaction.editReply({ ...renderApprovalRequest(t, guild), allowedMentions: { parse: [] } });
	return interaction.followUp({
		content: renderMessage(t, decisionRefusal(result.unwrapErr(), { guildId, decision }, guild?.status)),
		flags: MessageFlags.Ephemeral
	});
}

async function turnPage(interaction: ButtonInteraction, request: Extract<OwnerClick, { kind: 'listPage' }>) {
	const { sql } = container;
	const status = request.filter === 'all' ? null : request.filter;
	let { rows, total } = await listGuilds(sql, { status, limit: guildListPageSize, offset: request.page * guildListPageSize });
	// The list may have shrunk since the buttons were drawn: show its last page instead of an empty one.
	let page = request.page;
	if (rows.length === 0 && total > 0) {
		page = pageCount(total) - 1;
		({ rows, total } = await listGuilds(sql, { status, limit: guildListPageSize, offset: page * guildListPageSize }));
	}
	return interaction.update(renderGuildList(readerTranslator(interaction), { filter: request.filter, page, rows, total }));
}

function readApprovalClick([guildId = '', action]: readonly string[]): OwnerClick | null {
	if (!isSnowflake(guildId) || (action !== ApprovalAction.Approve && action !== ApprovalAction.Deny)) return null;
	return { kind: 'approval', guildId, decision: action === ApprovalAction.Approve ? 'approve' : 'deny' };
}

function readPageRequest([filter = '', pageText = '']: readonly string[]): OwnerClick | null {
	const page = Number(pageText);
	if ((filter !== 'all' && !isGuildStatus(filter)) || !Number.isSafeInteger(page) || page < 0) return null;
	return { kind: 'listPage', filter, page };
}
