import { ApplyOptions } from '@sapphire/decorators';
import type { Command } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { ApplicationIntegrationType, AttachmentBuilder, MessageFlags, PermissionFlagsBits, type SlashCommandStringOption } from 'discord.js';
import { mayAutocomplete, requesterOf } from '../lib/access.js';
import { interactionFields } from '../lib/discord/answers.js';
import { commandContexts } from '../lib/discord/contexts.js';
import { renderMessage } from '../lib/failures.js';
import { localized, localizedChoice } from '../lib/i18n/commands.js';
import { english } from '../lib/i18n/index.js';
import { guildLocaleOf, readerTranslator } from '../lib/i18n/readers.js';
import { claimOrStandDown } from '../lib/interaction-claims.js';
import { closeByMember, createAndPostPoll, exportPoll, findNamedPoll, listPolls, readResults } from '../lib/polls/actions.js';
import { actorOf } from '../lib/polls/interactions.js';
import { editByMember, reopenByMember } from '../lib/polls/life-actions.js';
import { searchPolls, type PollStateFilter } from '../lib/polls/repository.js';
import { autocompleteChoice, renderPollList, renderResults, timestamp } from '../lib/polls/render.js';
import { PollLimits, showVotersChoices } from '../lib/polls/rules.js';
import { answeredMessageId, deferNow, noteClaimed, respond, type AnswersInPublic } from '../lib/discord/acknowledge.js';

const t = english;

@ApplyOptions<Subcommand.Options>({
	description: t('commands:poll.description'),
	subcommands: [
		{ name: 'create', chatInputRun: 'chatInputCreate' },
		{ name: 'close', chatInputRun: 'chatInputClose' },
		{ name: 'results', chatInputRun: 'chatInputResults' },
		{ name: 'list', chatInputRun: 'chatInputList' },
		{ name: 'export', chatInputRun: 'chatInputExport' },
		{ name: 'edit', chatInputRun: 'chatInputEdit' },
		{ name: 'reopen', chatInputRun: 'chatInputReopen' }
	]
})
export class PollCommand extends Subcommand implements AnswersInPublic {
	/** A new poll is a message for everyone: a slow create is deferred in public (src/lib/discord/acknowledge.ts). */
	public answersInPublic(interaction: Subcommand.ChatInputCommandInteraction) {
		return interaction.options.getSubcommand(false) === 'create';
	}

	public override registerApplicationCommands(registry: Subcommand.Registry) {
		localized(registry, 'poll').registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
				.setContexts(...commandContexts(this))
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
						.addStringOption((option) => option.setName('starts_in').setDescription(t('commands:poll.create.startsIn.description')))
						.addStringOption((option) =>
							option.setName('remind_before').setDescription(t('commands:poll.create.remindBefore.description'))
						)
						.addRoleOption((option) => option.setName('remind_role').setDescription(t('commands:poll.create.remindRole.description')))
						.addBooleanOption((option) => option.setName('ranked').setDescription(t('commands:poll.create.ranked.description')))
						.addBooleanOption((option) => option.setName('weighted').setDescription(t('commands:poll.create.weighted.description')))
						.addStringOption((option) =>
							option
								.setName('show_voters')
								.setDescription(t('commands:poll.create.showVoters.description'))
								.addChoices(
									...showVotersChoices.map((choice) => localizedChoice(`commands:poll.create.showVoters.choices.${choice}`, choice))
								)
						)
				)
				.addSubcommand((close) => close.setName('close').setDescription(t('commands:poll.close.description')).addStringOption(pollOption))
				.addSubcommand((results) =>
					results.setName('results').setDescription(t('commands:poll.results.description')).addStringOption(pollOption)
				)
				.addSubcommand((list) => list.setName('list').setDescription(t('commands:poll.list.description')))
				.addSubcommand((exported) =>
					exported.setName('export').setDescription(t('commands:poll.export.description')).addStringOption(pollOption)
				)
				.addSubcommand((edit) =>
					edit
						.setName('edit')
						.setDescription(t('commands:poll.edit.description'))
						.addStringOption(pollOption)
						.addStringOption((option) =>
							option
								.setName('question')
								.setDescription(t('commands:poll.edit.question.description'))
								.setMaxLength(PollLimits.questionMaxLength)
						)
						.addStringOption((option) => option.setName('options').setDescription(t('commands:poll.edit.options.description')))
						.addStringOption((option) => option.setName('add_options').setDescription(t('commands:poll.edit.addOptions.description')))
						.addStringOption((option) => option.setName('duration').setDescription(t('commands:poll.edit.duration.description')))
				)
				.addSubcommand((reopen) =>
					reopen
						.setName('reopen')
						.setDescription(t('commands:poll.reopen.description'))
						.addStringOption(pollOption)
						.addStringOption((option) => option.setName('duration').setDescription(t('commands:poll.reopen.duration.description')))
				)
		);
	}

	public async chatInputCreate(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await claimOrStandDown(this.container.sql, interaction.id);
		noteClaimed(interaction);
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
					roleId: interaction.options.getRole('role')?.id ?? null,
					ranked: interaction.options.getBoolean('ranked'),
					weighted: interaction.options.getBoolean('weighted'),
					showVoters: interaction.options.getString('show_voters')
				},
				life: {
					startsIn: interaction.options.getString('starts_in'),
					remindBefore: interaction.options.getString('remind_before'),
					remindRole: remindRoleOf(interaction),
					mayMentionAnyRole: interaction.memberPermissions.has(PermissionFlagsBits.MentionEveryone)
				}
			},
			async (message) => {
				const response = await respond(interaction, { ...message, allowedMentions: { parse: [] }, withResponse: true });
				// The answer normally carries the message; without it, ask for it, since a poll without its message id can
				// never show votes or its close.
				return (
					answeredMessageId(response) ??
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
			},
			(scheduled) => {
				const startsAt = scheduled.scheduledFor!;
				return respond(interaction, {
					content: readerTranslator(interaction)('life:scheduled', {
						number: scheduled.number,
						date: timestamp(startsAt, 'f'),
						relative: timestamp(startsAt, 'R')
					}),
					flags: MessageFlags.Ephemeral
				});
			}
		);
		this.container.logger.info(`Poll #${poll.number} ${poll.scheduledFor === null ? 'created' : 'scheduled'}.`, interactionFields(interaction));
	}

	public async chatInputClose(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await claimOrStandDown(this.container.sql, interaction.id);
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		await closeByMember(poll, actorOf(interaction), {
			reason: 'command',
			confirm: (closed) =>
				respond(interaction, {
					content: readerTranslator(interaction)(closed.scheduledFor === null ? 'polls:closedNow' : 'life:cancelled', {
						number: closed.number
					}),
					flags: MessageFlags.Ephemeral
				})
		});
	}

	public async chatInputEdit(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		const edited = await editByMember(poll, actorOf(interaction), {
			question: interaction.options.getString('question'),
			options: interaction.options.getString('options'),
			addOptions: interaction.options.getString('add_options'),
			duration: interaction.options.getString('duration')
		});
		await respond(interaction, {
			content: readerTranslator(interaction)('life:edited', { number: edited.number }),
			flags: MessageFlags.Ephemeral
		});
	}

	public async chatInputReopen(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		await reopenByMember(poll, actorOf(interaction), {
			duration: interaction.options.getString('duration'),
			confirm: (open) =>
				respond(interaction, {
					content: readerTranslator(interaction)('life:reopenedNow', { number: open.number }),
					flags: MessageFlags.Ephemeral
				})
		});
	}

	public async chatInputResults(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		// Reading a large poll can take longer than Discord's 3 s: acknowledge first. A refusal edits this reply.
		await deferNow(interaction);
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		const { state, voters, chart } = await readResults(poll, actorOf(interaction));
		await respond(interaction, {
			content: renderResults(readerTranslator(interaction), state, voters),
			files: chart === null ? [] : [new AttachmentBuilder(chart.data, { name: chart.name })],
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public async chatInputList(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const view = await listPolls(interaction.guildId, 0);
		await respond(interaction, {
			...renderPollList(readerTranslator(interaction), view),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public async chatInputExport(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await deferNow(interaction);
		const poll = await findNamedPoll(interaction.guildId, interaction.options.getString('poll', true));
		const exported = await exportPoll(poll, actorOf(interaction));
		const reader = readerTranslator(interaction);
		await respond(interaction, {
			content: exported.notes.map((note) => renderMessage(reader, note)).join('\n'),
			files: exported.files.map((file) => new AttachmentBuilder(file.data, { name: file.name })),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public override async autocompleteRun(interaction: Command.AutocompleteInteraction) {
		if (interaction.guildId === null || !(await mayAutocomplete(requesterOf(interaction), 'approvedGuild'))) return interaction.respond([]);
		const polls = await searchPolls(
			this.container.sql,
			interaction.guildId,
			interaction.options.getFocused(),
			25,
			autocompleteScope[interaction.options.getSubcommand(false) ?? ''] ?? 'any'
		);
		const reader = readerTranslator(interaction);
		return interaction.respond(polls.map((poll) => autocompleteChoice(reader, poll)));
	}
}

/** The polls each subcommand's `poll` option offers: the ones it applies to (open ones include the scheduled). */
const autocompleteScope: Readonly<Record<string, PollStateFilter>> = { close: 'open', edit: 'open', reopen: 'closed' };

/** The reminder's role as the interaction resolved it, with whether anyone may mention it. */
function remindRoleOf(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
	const role = interaction.options.getRole('remind_role');
	return role === null ? null : { id: role.id, mentionable: role.mentionable };
}

function pollOption(option: SlashCommandStringOption) {
	return option.setName('poll').setDescription(t('commands:poll.pollOption.description')).setRequired(true).setAutocomplete(true);
}
