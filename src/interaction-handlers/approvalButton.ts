import { ApplyOptions } from '@sapphire/decorators';
import { InteractionHandler, InteractionHandlerTypes } from '@sapphire/framework';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { findGuild } from '../lib/approval/repository.js';
import { ApprovalAction, renderApprovalRequest } from '../lib/approval/render.js';
import { refusalMessage } from '../lib/approval/messages.js';
import { applyDecision } from '../lib/approval/service.js';
import type { Decision } from '../lib/approval/rules.js';
import { CustomIdPrefix, parseCustomId } from '../lib/custom-ids.js';
import { snowflakePattern } from '../lib/snowflake.js';
import { isOwner, notOwnerMessage } from '../lib/owners.js';

interface ApprovalClick {
	readonly guildId: string;
	readonly decision: Decision;
}

/** The Approve and Deny buttons of the approval DM. */
@ApplyOptions<InteractionHandler.Options>({ interactionHandlerType: InteractionHandlerTypes.Button })
export class ApprovalButtonHandler extends InteractionHandler {
	public override parse(interaction: ButtonInteraction) {
		const parts = parseCustomId(interaction.customId, CustomIdPrefix.Approval);
		if (parts === null) return this.none();
		const [guildId = '', action] = parts;
		if (!snowflakePattern.test(guildId) || (action !== ApprovalAction.Approve && action !== ApprovalAction.Deny)) return this.none();
		return this.some<ApprovalClick>({ guildId, decision: action === ApprovalAction.Approve ? 'approve' : 'deny' });
	}

	public override async run(interaction: ButtonInteraction, click: ApprovalClick) {
		if (!isOwner(interaction.user.id)) {
			this.container.logger.warn(`Refused an approval click by non-owner ${interaction.user.id}.`, {
				guildId: click.guildId,
				interactionId: interaction.id
			});
			return interaction.reply({ content: notOwnerMessage, flags: MessageFlags.Ephemeral });
		}
		// Editing the other owners' DMs and leaving a denied server can take a while: acknowledge first.
		await interaction.deferUpdate();
		const result = await applyDecision({ ...click, decidedBy: interaction.user.id, reason: null, fromMessageId: interaction.message.id });
		if (result.isErr()) {
			const guild = await findGuild(this.container.sql, click.guildId);
			if (guild === null) return interaction.followUp({ content: refusalMessage(result.unwrapErr(), click), flags: MessageFlags.Ephemeral });
			// The DM was out of date (decided elsewhere): show the real state, and say why nothing changed.
			await interaction.editReply({ ...renderApprovalRequest(guild), allowedMentions: { parse: [] } });
			return interaction.followUp({ content: refusalMessage(result.unwrapErr(), click, guild.status), flags: MessageFlags.Ephemeral });
		}
		return interaction.editReply({ ...renderApprovalRequest(result.unwrap().guild), allowedMentions: { parse: [] } });
	}
}
