import { ApplyOptions } from '@sapphire/decorators';
import { Subcommand } from '@sapphire/plugin-subcommands';
import {
	ApplicationIntegrationType,
	EmbedBuilder,
	InteractionContextType,
	MessageFlags,
	type AutocompleteInteraction,
	type SlashCommandStringOption
} from 'discord.js';
import { mayAutocomplete, requesterOf } from '../lib/access.js';
import { guildListPageSize, renderGuildList, type GuildListFilter } from '../lib/approval/list.js';
import { decisionRefusal } from '../lib/approval/messages.js';
import { findGuild, listGuilds, searchGuilds } from '../lib/approval/repository.js';
import { GuildStatuses, type Decision } from '../lib/approval/rules.js';
import { applyDecision, leaveGuild } from '../lib/approval/service.js';
import { isSnowflake } from '../lib/snowflake.js';
import { collectStats, formatStats } from '../lib/admin/stats.js';
import { commandContexts } from '../lib/discord/contexts.js';
import { Failure, message, refuse } from '../lib/failures.js';
import { localized, localizedChoice } from '../lib/i18n/commands.js';
import { english } from '../lib/i18n/index.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { deferNow, respond } from '../lib/discord/acknowledge.js';

const t = english;

const serverOption = (option: SlashCommandStringOption) =>
	option
		.setName('server')
		.setDescription(t('commands:admin.serverOption.description'))
		.setRequired(true)
		.setAutocomplete(true)
		.setMinLength(1)
		.setMaxLength(20);

/** The owner's console. Every answer is ephemeral; `OwnerOnly` is the real guard wherever it is registered. */
@ApplyOptions<Subcommand.Options>({
	description: t('commands:admin.description'),
	preconditions: ['OwnerOnly'],
	allowUnapproved: true,
	contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
	subcommands: [
		{ name: 'approve', chatInputRun: 'chatInputApprove' },
		{ name: 'deny', chatInputRun: 'chatInputDeny' },
		{ name: 'revoke', chatInputRun: 'chatInputRevoke' },
		{ name: 'leave', chatInputRun: 'chatInputLeave' },
		{ name: 'pending', chatInputRun: 'chatInputPending' },
		{ name: 'servers', chatInputRun: 'chatInputServers' },
		{ name: 'stats', chatInputRun: 'chatInputStats' }
	]
})
export class AdminCommand extends Subcommand {
	public override registerApplicationCommands(registry: Subcommand.Registry) {
		const adminGuildId = this.container.config.adminGuildId;
		localized(registry, 'admin').registerChatInputCommand(
			(builder) =>
				builder
					.setName(this.name)
					.setDescription(this.description)
					// Hidden from everyone but administrators in servers; OwnerOnly still checks every use.
					.setDefaultMemberPermissions(0)
					.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
					.setContexts(...commandContexts(this))
					.addSubcommand((command) =>
						command.setName('approve').setDescription(t('commands:admin.approve.description')).addStringOption(serverOption)
					)
					.addSubcommand((command) =>
						command
							.setName('deny')
							.setDescription(t('commands:admin.deny.description'))
							.addStringOption(serverOption)
							.addStringOption((option) =>
								option.setName('reason').setDescription(t('commands:admin.deny.reason.description')).setMaxLength(500)
							)
					)
					.addSubcommand((command) =>
						command.setName('revoke').setDescription(t('commands:admin.revoke.description')).addStringOption(serverOption)
					)
					.addSubcommand((command) =>
						command.setName('leave').setDescription(t('commands:admin.leave.description')).addStringOption(serverOption)
					)
					.addSubcommand((command) => command.setName('pending').setDescription(t('commands:admin.pending.description')))
					.addSubcommand((command) =>
						command
							.setName('servers')
							.setDescription(t('commands:admin.servers.description'))
							.addStringOption((option) =>
								option
									.setName('status')
									.setDescription(t('commands:admin.servers.status.description'))
									.addChoices(GuildStatuses.map((status) => localizedChoice(`approval:status.${status}`, status)))
							)
					)
					.addSubcommand((command) => command.setName('stats').setDescription(t('commands:admin.stats.description'))),
			adminGuildId === null ? {} : { guildIds: [adminGuildId] }
		);
	}

	public chatInputApprove(interaction: Subcommand.ChatInputCommandInteraction) {
		return this.decide(interaction, 'approve');
	}

	public chatInputDeny(interaction: Subcommand.ChatInputCommandInteraction) {
		return this.decide(interaction, 'deny');
	}

	public chatInputRevoke(interaction: Subcommand.ChatInputCommandInteraction) {
		return this.decide(interaction, 'revoke');
	}

	public async chatInputLeave(interaction: Subcommand.ChatInputCommandInteraction) {
		const guildId = readServerId(interaction);
		await claimOrStandDown(this.container.sql, interaction.id);
		const guild = await findGuild(this.container.sql, guildId);
		const left = await leaveGuild(guildId, `owner ${interaction.user.id} asked`);
		const reader = readerTranslator(interaction);
		const name = guild ? reader('admin:serverNamed', { name: guild.name, guildId }) : reader('admin:serverId', { guildId });
		return respond(interaction, {
			content: reader(left ? 'admin:left' : 'admin:notIn', { name }),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public chatInputPending(interaction: Subcommand.ChatInputCommandInteraction) {
		return this.list(interaction, 'pending');
	}

	public chatInputServers(interaction: Subcommand.ChatInputCommandInteraction) {
		const status = interaction.options.getString('status') as GuildListFilter | null;
		return this.list(interaction, status ?? 'all');
	}

	public async chatInputStats(interaction: Subcommand.ChatInputCommandInteraction) {
		const stats = await collectStats();
		const reader = readerTranslator(interaction);
		const embed = new EmbedBuilder().setTitle(reader('admin:stats.title')).setDescription(formatStats(reader, stats)).setColor(0x5865f2);
		return respond(interaction, { embeds: [embed], flags: MessageFlags.Ephemeral });
	}

	public override async autocompleteRun(interaction: AutocompleteInteraction) {
		// The server list is the owner's business only.
		if (!(await mayAutocomplete(requesterOf(interaction), 'owner'))) return interaction.respond([]);
		const query = String(interaction.options.getFocused()).trim();
		const guilds = await searchGuilds(this.container.sql, query);
		return interaction.respond(guilds.map((guild) => ({ name: `${guild.name} (${guild.status})`.slice(0, 100), value: guild.guildId })));
	}

	private async decide(interaction: Subcommand.ChatInputCommandInteraction, decision: Decision) {
		const guildId = readServerId(interaction);
		const reason = interaction.options.getString('reason')?.trim() || null;
		// Before acknowledging: the process that acknowledges must be the one that decides (see interaction-claims.ts).
		await claimOrStandDown(this.container.sql, interaction.id);
		// Editing every owner's approval DM and leaving a denied server can take a while: acknowledge first.
		await deferNow(interaction);
		const result = await applyDecision({ guildId, decision, decidedBy: interaction.user.id, reason });
		if (result.isErr()) {
			const current = await findGuild(this.container.sql, guildId);
			refuse(Failure.DecisionRefused, decisionRefusal(result.unwrapErr(), { guildId, decision }, current?.status));
		}
		const { guild, from } = result.unwrap();
		const reader = readerTranslator(interaction);
		const consequence = guild.status === 'denied' ? reader('admin:deniedConsequence') : '';
		return respond(interaction, {
			content: `${reader('admin:decided', { name: guild.name, guildId, from, to: guild.status })}${consequence}`,
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	private async list(interaction: Subcommand.ChatInputCommandInteraction, filter: GuildListFilter) {
		const status = filter === 'all' ? null : filter;
		const { rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: 0 });
		return respond(interaction, {
			...renderGuildList(readerTranslator(interaction), { filter, page: 0, rows, total }),
			flags: MessageFlags.Ephemeral
		});
	}
}

function readServerId(interaction: Subcommand.ChatInputCommandInteraction): string {
	const value = interaction.options.getString('server', true).trim();
	if (!isSnowflake(value)) refuse(Failure.InvalidInput, message('admin:invalidServerId', { input: value.slice(0, 40) }));
	return value;
}
