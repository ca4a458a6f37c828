import { ApplyOptions } from '@sapphire/decorators';
import { UserError, type Command } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import {
	ApplicationIntegrationType,
	AttachmentBuilder,
	InteractionContextType,
	MessageFlags,
	type InteractionEditReplyOptions,
	type SlashCommandStringOption
} from 'discord.js';
import { guildRefusal } from '../lib/approval/gate.js';
import { interactionFields } from '../lib/discord/reply.js';
import { toCsv, toCsvWithin } from '../lib/polls/csv.js';
import {
	closePoll,
	createPoll,
	deletePoll,
	findPoll,
	listOpenPolls,
	listVotes,
	readPollState,
	searchPolls,
	setPollMessage,
	type PollRow,
	type PollState
} from '../lib/polls/repository.js';
import { autocompleteChoice, formatCount, renderOpenList, renderPollMessage, renderResults } from '../lib/polls/render.js';
import { countsVisible, mayManage, parsePollNumber, PollLimits, validateCreate, votersVisible } from '../lib/polls/rules.js';
import { describeCloseFailure } from '../lib/polls/interactions.js';
import { announceClose, viewerOf } from '../lib/polls/service.js';

export const PollIdentifiers = {
	InvalidInput: 'pollInvalidInput',
	NotFound: 'pollNotFound',
	Forbidden: 'pollForbidden',
	Closed: 'pollClosed',
	Hidden: 'pollHidden'
} as const;

@ApplyOptions<Subcommand.Options>({
	description: 'Create and run polls',
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
						.setDescription('Post a poll in this channel')
						.addStringOption((option) =>
							option.setName('question').setDescription('What to ask').setRequired(true).setMaxLength(PollLimits.questionMaxLength)
						)
						.addStringOption((option) =>
							option.setName('options').setDescription('2 to 25 choices separated by |, e.g. Pizza | Sushi | Tacos').setRequired(true)
						)
						.addStringOption((option) =>
							option.setName('duration').setDescription('How long it stays open: 30m, 2h, 1d12h, 1w (1 minute to 32 days)')
						)
						.addIntegerOption((option) =>
							option
								.setName('max_choices')
								.setDescription('How many options one member may pick (default 1)')
								.setMinValue(1)
								.setMaxValue(PollLimits.maxOptions)
						)
						.addBooleanOption((option) => option.setName('anonymous').setDescription('Nobody, not even you, can see who voted for what'))
						.addBooleanOption((option) =>
							option.setName('hide_results').setDescription('Hide the counts from everyone until the poll closes')
						)
						.addRoleOption((option) => option.setName('role').setDescription('Only members with this role may vote'))
				)
				.addSubcommand((close) => close.setName('close').setDescription('Close a poll now').addStringOption(pollOption))
				.addSubcommand((results) => results.setName('results').setDescription('See a poll’s results').addStringOption(pollOption))
				.addSubcommand((list) => list.setName('list').setDescription('List this server’s open polls'))
				.addSubcommand((exported) =>
					exported.setName('export').setDescription('Download a poll’s results as CSV').addStringOption(pollOption)
				)
		);
	}

	public async chatInputCreate(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const draft = validateCreate({
			question: interaction.options.getString('question', true),
			options: interaction.options.getString('options', true),
			duration: interaction.options.getString('duration'),
			maxChoices: interaction.options.getInteger('max_choices'),
			anonymous: interaction.options.getBoolean('anonymous'),
			hideResults: interaction.options.getBoolean('hide_results'),
			roleId: interaction.options.getRole('role')?.id ?? null,
			guildId: interaction.guildId
		});
		if (draft.isErr()) throw new UserError({ identifier: PollIdentifiers.InvalidInput, message: draft.unwrapErr() });

		const poll = await createPoll(this.container.sql, {
			guildId: interaction.guildId,
			channelId: interaction.channelId,
			creatorId: interaction.user.id,
			draft: draft.unwrap()
		});
		const state: PollState = { poll, options: draft.unwrap().options.map((label, index) => ({ index, label, votes: 0 })) };
		let messageId: string | null = null;
		try {
			const response = await interaction.reply({ ...renderPollMessage(state), allowedMentions: { parse: [] }, withResponse: true });
			messageId = response.resource?.message?.id ?? null;
		} catch (error) {
			// Nobody saw the poll: leave nothing behind.
			await deletePoll(this.container.sql, poll.guildId, poll.number);
			throw error;
		}
		// The callback's response normally carries the message; without it, ask for it, since a poll without its
		// message id can never show votes or its close.
		messageId ??= await interaction.fetchReply().then(
			(message) => message.id,
			(error: unknown) => {
				this.container.logger.warn(
					`Poll #${poll.number}'s message id could not be read; its message will not be updated:`,
					error,
					interactionFields(interaction)
				);
				return null;
			}
		);
		if (messageId !== null) await setPollMessage(this.container.sql, poll.guildId, poll.number, interaction.channelId, messageId);
		this.container.logger.info(`Poll #${poll.number} created.`, interactionFields(interaction));
	}

	public async chatInputClose(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const poll = await this.pollFromOption(interaction);
		if (!mayManage(poll, viewerOf(interaction))) {
			throw new UserError({
				identifier: PollIdentifiers.Forbidden,
				message: `Only the creator of poll #${poll.number} or a member with Manage Server can close it.`
			});
		}
		const closed = await closePoll(this.container.sql, poll.guildId, poll.number, { reason: 'command', userId: interaction.user.id });
		if (closed.isErr()) {
			const failure = closed.unwrapErr();
			throw new UserError({
				identifier: failure === 'closed' ? PollIdentifiers.Closed : PollIdentifiers.NotFound,
				message: describeCloseFailure(failure, poll.number)
			});
		}
		await interaction.reply({ content: `Poll #${poll.number} is closed.`, flags: MessageFlags.Ephemeral });
		this.container.logger.info(`Poll #${poll.number} closed by command.`, interactionFields(interaction));
		await announceClose(closed.unwrap());
	}

	public async chatInputResults(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await answerDeferred(interaction, async () => {
			const poll = await this.pollFromOption(interaction);
			const state = (await readPollState(this.container.sql, poll.guildId, poll.number)).unwrap();
			// Only as many votes as the answer can mention; the counts say how many more there are.
			const voters = votersVisible(state.poll, viewerOf(interaction))
				? await listVotes(this.container.sql, poll.guildId, poll.number, PollLimits.resultsVoterRows)
				: null;
			return { content: renderResults(state, voters), allowedMentions: { parse: [] } };
		});
	}

	public async chatInputList(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const { polls, total } = await listOpenPolls(this.container.sql, interaction.guildId);
		await interaction.reply({ content: renderOpenList(polls, total), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	public async chatInputExport(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		await answerDeferred(interaction, async () => {
			const poll = await this.pollFromOption(interaction);
			if (!mayManage(poll, viewerOf(interaction))) {
				throw new UserError({
					identifier: PollIdentifiers.Forbidden,
					message: `Only the creator of poll #${poll.number} or a member with Manage Server can export it.`
				});
			}
			if (!countsVisible(poll)) {
				throw new UserError({
					identifier: PollIdentifiers.Hidden,
					message: `Poll #${poll.number} hides its results until it closes: export it after closing it.`
				});
			}
			const state = (await readPollState(this.container.sql, poll.guildId, poll.number)).unwrap();
			const counts = toCsv(
				['option', 'votes'],
				state.options.map((option) => [option.label, option.votes])
			);
			const files = [new AttachmentBuilder(Buffer.from(counts), { name: `poll-${poll.number}.csv` })];
			const lines = [`Results of poll #${poll.number}.`];
			if (votersVisible(state.poll, viewerOf(interaction))) {
				// One row more than the file takes, to know whether it was cut.
				const votes = await listVotes(this.container.sql, poll.guildId, poll.number, PollLimits.exportVoteRows + 1);
				const labels = state.options.map((option) => option.label);
				const rows = votes
					.slice(0, PollLimits.exportVoteRows)
					.map((vote) => [vote.userId, labels[vote.option] ?? String(vote.option), vote.votedAt?.toISOString() ?? '']);
				const csv = toCsvWithin(['user_id', 'option', 'voted_at'], rows, PollLimits.exportVoteBytes);
				files.push(new AttachmentBuilder(Buffer.from(csv.text), { name: `poll-${poll.number}-votes.csv` }));
				if (votes.length > csv.rows) {
					const total = state.options.reduce((sum, option) => sum + option.votes, 0);
					lines.push(
						`The votes file is cut: it holds the first ${formatCount(csv.rows)} of ${formatCount(Math.max(total, votes.length))} votes, ordered by user id, because Discord limits the size of an upload. The counts file is complete.`
					);
				}
			}
			return { content: lines.join('\n'), files };
		});
	}

	public override async autocompleteRun(interaction: Command.AutocompleteInteraction) {
		if (interaction.guildId === null || (await guildRefusal(interaction.guildId)) !== null) return interaction.respond([]);
		const typed = interaction.options.getFocused();
		const polls = await searchPolls(this.container.sql, interaction.guildId, typed);
		return interaction.respond(polls.map(autocompleteChoice));
	}

	private async pollFromOption(interaction: Subcommand.ChatInputCommandInteraction<'cached'>): Promise<PollRow> {
		const number = parsePollNumber(interaction.options.getString('poll', true));
		if (number.isErr()) throw new UserError({ identifier: PollIdentifiers.InvalidInput, message: number.unwrapErr() });
		const poll = await findPoll(this.container.sql, interaction.guildId, number.unwrap());
		if (poll.isErr())
			throw new UserError({ identifier: PollIdentifiers.NotFound, message: `There is no poll #${number.unwrap()} in this server.` });
		return poll.unwrap();
	}
}

/**
 * Defers the answer first (reading a large poll can take longer than Discord's 3 s), then answers by editing it. A
 * {@link UserError} is answered in the same (ephemeral) reply; anything else goes to the error listeners.
 */
async function answerDeferred(
	interaction: Subcommand.ChatInputCommandInteraction<'cached'>,
	work: () => Promise<Pick<InteractionEditReplyOptions, 'content' | 'files' | 'allowedMentions'>>
) {
	await interaction.deferReply({ flags: MessageFlags.Ephemeral });
	let answer: Pick<InteractionEditReplyOptions, 'content' | 'files' | 'allowedMentions'>;
	try {
		answer = await work();
	} catch (error) {
		if (!(error instanceof UserError)) throw error;
		answer = { content: error.message, allowedMentions: { parse: [] } };
	}
	await interaction.editReply(answer);
}

function pollOption(option: SlashCommandStringOption) {
	return option.setName('poll').setDescription('The poll’s number, as shown on it (12 or #12)').setRequired(true).setAutocomplete(true);
}
