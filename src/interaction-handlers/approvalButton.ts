import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { decisionRefusal } from '../lib/approval/messages.js';
import { findGuild } from '../lib/approval/repository.js';
import { ApprovalAction, renderApprovalRequest } from '../lib/approval/render.js';
import type { Decision } from '../lib/approval/rules.js';
import { applyDecision } from '../lib/approval/service.js';
import { CustomIdPrefix } from '../lib/custom-ids.js';
import { readOwnComponent } from '../lib/discord/components.js';
import { renderMessage } from '../lib/failures.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { isSnowflake } from '../lib/snowflake.js';

interface ApprovalClick {
	readonly guildId: string;
	readonly decision: Decision;
}

/** The Approve and Deny buttons of the approval DM. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class ApprovalButtonHandler extends InteractionHandler {
	public override async parse(interaction: ButtonInteraction) {
		const click = await readOwnComponent(interaction, CustomIdPrefix.Approval, 'owner', readApprovalClick);
		return click === null ? this.none() : this.some(click);
	}

	public override async run(interaction: ButtonInteraction, click: ApprovalClick) {
		const t = readerTranslator(interaction);
		// Before acknowledging: the process that acknowledges must be the one that decides (see interaction-claims.ts).
		await claimOrStandDown(this.container.sql, interaction.id);
		// Editing the other owners' DMs and leaving a denied server can take a while: acknowledge first.
		await interaction.deferUpdate();
		const result = await applyDecision({ ...click, decidedBy: interaction.user.id, reason: null, fromMessageId: interaction.message.id });
		if (result.isOk()) return interaction.editReply({ ...renderApprovalRequest(t, result.unwrap().guild), allowedMentions: { parse: [] } });
		const guild = await findGuild(this.container.sql, click.guildId);
		// The DM was out of date (decided elsewhere): show the real state, and say why nothing changed.
		if (guild !== null) await interaction.editReply({ ...renderApprovalRequest(t, guild), allowedMentions: { parse: [] } });
		return interaction.followUp({
			content: renderMessage(t, decisionRefusal(result.unwrapErr(), click, guild?.status)),
			flags: MessageFlags.Ephemeral
		});
	}
}

function readApprovalClick([guildId = '', action]: readonly string[]): ApprovalClick | null {
	if (!isSnowflake(guildId) || (action !== ApprovalAction.Approve && action !== ApprovalAction.Deny)) return null;
	return { guildId, decision: action === ApprovalAction.Approve ? 'approve' : 'deny' };
}
