import { ApplyOptions } from '@sapphire/decorators';
import { UserError } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import {
	ApplicationIntegrationType,
	EmbedBuilder,
	InteractionContextType,
	MessageFlags,
	type AutocompleteInteraction,
	type SlashCommandStringOption
} from 'discord.js';
import { guildListPageSize, renderGuildList, type GuildListFilter } from '../lib/approval/list.js';
import { refusalMessage } from '../lib/approval/messages.js';
import { findGuild, listGuilds, searchGuilds } from '../lib/approval/repository.js';
import { GuildStatuses, type Decision } from '../lib/approval/rules.js';
import { applyDecision, leaveGuild } from '../lib/approval/service.js';
import { snowflakePattern } from '../lib/snowflake.js';
import { collectStats, formatStats } from '../lib/admin/stats.js';
import { isOwner } from '../lib/owners.js';

const serverOption = (option: SlashCommandStringOption) =>
	option.setName('server').setDescription('The server’s id').setRequired(true).setAutocomplete(true).setMinLength(1).setMaxLength(20);

/** The owner's console. Every answer is ephemeral; `OwnerOnly` is the real guard wherever it is registered. */
@ApplyOptions<Subcommand.Options>({
	description: 'Owner tools: approve and manage servers',
	preconditions: ['OwnerOnly'],
	allowUnapproved: true,
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
		registry.registerChatInputCommand(
			(builder) =>
				builder
					.setName(this.name)
					.setDescription(this.description)
					// Hidden from everyone but administrators in servers; OwnerOnly still checks every use.
					.setDefaultMemberPermissions(0)
					.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
					.setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
					.addSubcommand((command) => command.setName('approve').setDescription('Let a server use the bot').addStringOption(serverOption))
					.addSubcommand((command) =>
						command
							.setName('deny')
							.setDescription('Refuse a server; the bot leaves it and leaves again if re-invited')
							.addStringOption(serverOption)
							.addStringOption((option) => option.setName('reason').setDescription('Why (kept in the audit history)').setMaxLength(500))
					)
					.addSubcommand((command) =>
						command.setName('revoke').setDescription('Set an approved server back to pending').addStringOption(serverOption)
					)
					.addSubcommand((command) =>
						command.setName('leave').setDescription('Leave a server without changing its state').addStringOption(serverOption)
					)
					.addSubcommand((command) => command.setName('pending').setDescription('Servers waiting for approval'))
					.addSubcommand((command) =>
						command
							.setName('servers')
							.setDescription('Servers the bot knows')
							.addStringOption((option) =>
								option
									.setName('status')
									.setDescription('Only servers in this state')
									.addChoices(GuildStatuses.map((status) => ({ name: status, value: status })))
							)
					)
					.addSubcommand((command) => command.setName('stats').setDescription('Servers, polls, votes and the health of this process')),
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
		const guild = await findGuild(this.container.sql, guildId);
		const left = await leaveGuild(guildId, `owner ${interaction.user.id} asked`);
		const name = guild ? `**${guild.name}** (${guildId})` : `server ${guildId}`;
		return interaction.reply({
			content: left ? `Left ${name}. Its approval state is unchanged.` : `I am not in ${name}.`,
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
		const embed = new EmbedBuilder().setTitle('Bot statistics').setDescription(formatStats(stats)).setColor(0x5865f2);
		return interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
	}

	public override async autocompleteRun(interaction: AutocompleteInteraction) {
		// The server list is the owner's business only.
		if (!isOwner(interaction.user.id)) return interaction.respond([]);
		const query = String(interaction.options.getFocused()).trim();
		const guilds = await searchGuilds(this.container.sql, query);
		return interaction.respond(guilds.map((guild) => ({ name: `${guild.name} (${guild.status})`.slice(0, 100), value: guild.guildId })));
	}

	private async decide(interaction: Subcommand.ChatInputCommandInteraction, decision: Decision) {
		const guildId = readServerId(interaction);
		const reason = interaction.options.getString('reason')?.trim() || null;
		// Editing every owner's approval DM and leaving a denied server can take a while: acknowledge first.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const result = await applyDecision({ guildId, decision, decidedBy: interaction.user.id, reason });
		if (result.isErr()) {
			const current = await findGuild(this.container.sql, guildId);
			return interaction.editReply({
				content: refusalMessage(result.unwrapErr(), { guildId, decision }, current?.status),
				allowedMentions: { parse: [] }
			});
		}
		const { guild, from } = result.unwrap();
		const consequence = guild.status === 'denied' ? ' I left it, and will leave again if re-invited.' : '';
		return interaction.editReply({
			content: `**${guild.name}** (${guildId}): ${from} → **${guild.status}**.${consequence}`,
			allowedMentions: { parse: [] }
		});
	}

	private async list(interaction: Subcommand.ChatInputCommandInteraction, filter: GuildListFilter) {
		const status = filter === 'all' ? null : filter;
		const { rows, total } = await listGuilds(this.container.sql, { status, limit: guildListPageSize, offset: 0 });
		return interaction.reply({ ...renderGuildList({ filter, page: 0, rows, total }), flags: MessageFlags.Ephemeral });
	}
}

function readServerId(interaction: Subcommand.ChatInputCommandInteraction): string {
	const value = interaction.options.getString('server', true).trim();
	if (!snowflakePattern.test(value)) {
		throw new UserError({
			identifier: 'invalidServerId',
			message: `“${value.slice(0, 40)}” is not a server id. A server id is a number of 17 to 20 digits (pick one from the suggestions).`
		});
	}
	return value;
}
