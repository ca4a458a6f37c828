import { ApplyOptions } from '@sapphire/decorators';
import type { Command } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { ApplicationIntegrationType, AttachmentBuilder, InteractionContextType, MessageFlags, type SlashCommandStringOption } from 'discord.js';
import { mayAutocomplete, requesterOf } from '../lib/access.js';
import { interactionFields } from '../lib/discord/answers.js';
import { renderMessage } from '../lib/failures.js';
import { english } from '../lib/i18n/index.js';
import { guildLocaleOf, readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { closeByMember, createAndPostPoll, exportPoll, findNamedPoll, listOpen, readResults } from '../lib/polls/actions.js';
import { actorOf } from '../lib/polls/interactions.js';
import { searchPolls } from '../lib/polls/repository.js';
import { autocompleteChoice, renderOpenList, renderResults } from '../lib/polls/render.js';
import { PollLimits } from '../lib/polls/rules.js';

const t = english;

@ApplyOptions<Subcommand.Options>({
	description: t('commands:poll.description'),
	subcommands: [
		{ name: 'create', chatInputRun: 'chatInputCreate' },
		{ name: 'close', chatInputRun: 'chatInputClose' },
		{ name: 'results', chatInputRun: 'chatInputResults' },
		{ name: 'list', chatInputRun: 'chatInputList' },
		{ name: 'export', chatInputRun: 'chatInputExport' }
	]
})
export class PollCommand extends Subcommand {
	public override registerApplicationCommands(registry: Subcommand.Registry) {
		registry.registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
				.setContexts(InteractionContextType.Guild)
				.addSubcommand((create) =>
					create
						.setName('create')
						.setDescription(t('commands:poll.create.description'))
						.addStringOption((option) =>
							option
								.setName('question')
								.setDescription(t('commands:poll.create.question.description'))
								.setRequired(true)
								.setMaxLength(PollLimits.questionMaxLength)
						)
						.addStringOption((option) =>
							option.setName('options').setDescription(t('commands:poll.create.options.description')).setRequired(true)
						)
						.addStringOption((option) => option.setName('duration').setDescription(t('commands:poll.create.duration.description')))
						.addIntegerOption((option) =>
							option
								.setName('max_choices')
								.setDescription(t('commands:poll.create.maxChoices.description'))
								.setMinValue(1)
								.setMaxValue(PollLimits.maxOptions)
						)
						.addBooleanOption((option) => option.setName('anonymous').setDescription(t('commands:poll.create.anonymous.description')))
						.addBooleanOption((option) =>
							option.setName('hide_results').setDescription(t('commands:poll.create.hideResults.description'))
						)
						.addRoleOption((option) => option.setName('role').setDescription(t('commands:poll.create.role.description')))
				)
				.addSubcommand((close) => close.setName('close').setDescription(t('commands:poll.close.description')).addStringOption(pollOption))
				.addSubcommand((results) =>
					results.setName('results').setDescription(t('commands:poll.results.description')).addStringOption(pollOption)
				)
				.addSubcommand((list) => list.setName('list').setDescription(t('commands:poll.list.description')))
				.addSubcommand((exported) =>
					exported.setName('export').setDescription(t('commands:poll.export.description')).addStringOption(pollOption)
				)
		);
	}

	public async chatInputCreate(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await claimOrStandDown(this.container.sql, interaction.id);
		const poll = await createAndPostPoll(
			{
				guildId: interaction.guildId,
				channelId: interaction.channelId,
				creatorId: interaction.user.id,
				locale: guildLocaleOf(interaction),
				input: {
					question: interaction.options.getString('question', true),
					options: interaction.options.getString('options', true),
					duration: interaction.options.getString('duration'),
					maxChoices: interaction.options.getInteger('max_choices'),
					anonymous: interaction.options.getBoolean('anonymous'),
					hideResults: interaction.options.getBoolean('hide_results'),
					roleId: interaction.options.getRole('role')?.id ?? null
				}
			},
			async (message) => {
				const response = await interaction.reply({ ...message, allowedMentions: { parse: [] }, withResponse: true });
				// The callback's response normally carries the message; without it, ask for it, since a poll without its
				// message id can never show votes or its close.
				return (
					response.resource?.message?.id ??
					interaction.fetchReply().then(
						(reply) => reply.id,
						(error: unknown) => {
							this.container.logger.warn("A new poll's message id could not be read; its message will not be updated:", error, {
								...interactionFields(interaction)
							});
							return null;
						}
					)
				);
			}
		);
		this.container.logger.info(`Poll #${poll.number} created.`, interactionFields(interaction));
	}

	public async chatInputClose(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await claimOrStandDown(this.container.sql, interaction.id);
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		await closeByMember(poll, actorOf(interaction), {
			reason: 'command',
			confirm: (closed) =>
				interaction.reply({
					content: readerTranslator(interaction)('polls:closedNow', { number: closed.number }),
					flags: MessageFlags.Ephemeral
				})
		});
	}

	public async chatInputResults(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		// Reading a large poll can take longer than Discord's 3 s: acknowledge first. A refusal edits this reply.
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		const { state, voters } = await readResults(poll, actorOf(interaction));
		await interaction.editReply({ content: renderResults(readerTranslator(interaction), state, voters), allowedMentions: { parse: [] } });
	}

	public async chatInputList(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const { polls, total } = await listOpen(interaction.guildId);
		await interaction.reply({
			content: renderOpenList(readerTranslator(interaction), polls, total),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public async chatInputExport(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await interaction.deferReply({ flags: MessageFlags.Ephemeral });
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		const exported = await exportPoll(poll, actorOf(interaction));
		const reader = readerTranslator(interaction);
		await interaction.editReply({
			content: exported.notes.map((note) => renderMessage(reader, note)).join('\n'),
			files: exported.files.map((file) => new AttachmentBuilder(file.data, { name: file.name })),
			allowedMentions: { parse: [] }
		});
	}

	public override async autocompleteRun(interaction: Command.AutocompleteInteraction) {
		if (interaction.guildId === null || !(await mayAutocomplete(requesterOf(interaction), 'approvedGuild'))) return interaction.respond([]);
		const polls = await searchPolls(this.container.sql, interaction.guildId, interaction.options.getFocused());
		const reader = readerTranslator(interaction);
		return interaction.respond(polls.map((poll) => autocompleteChoice(reader, poll)));
	}
}

function pollOption(option: SlashCommandStringOption) {
	return option.setName('poll').setDescription(t('commands:poll.pollOption.description')).setRequired(true).setAutocomplete(true);
}
