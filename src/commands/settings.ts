import { ApplyOptions } from '@sapphire/decorators';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { ApplicationIntegrationType, InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { renderMessage } from '../lib/failures.js';
import { english, type Translator } from '../lib/i18n/index.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { actorOf } from '../lib/polls/interactions.js';
import { listWeights, setWeight, WeightLimits } from '../lib/polls/weights.js';

const t = english;

@ApplyOptions<Subcommand.Options>({
	description: t('ballots:commands.settings.description'),
	subcommands: [
		{ name: 'weight', chatInputRun: 'chatInputWeight' },
		{ name: 'show', chatInputRun: 'chatInputShow' }
	]
})
export class SettingsCommand extends Subcommand {
	public override registerApplicationCommands(registry: Subcommand.Registry) {
		registry.registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
				.setContexts(InteractionContextType.Guild)
				// Shown to Manage Server by default; the rule itself is checked in src/lib/polls/weights.ts.
				.setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
				.addSubcommand((weight) =>
					weight
						.setName('weight')
						.setDescription(t('ballots:commands.settings.weight.description'))
						.addRoleOption((option) =>
							option.setName('role').setDescription(t('ballots:commands.settings.weight.role.description')).setRequired(true)
						)
						.addIntegerOption((option) =>
							option
								.setName('weight')
								.setDescription(t('ballots:commands.settings.weight.value.description'))
								.setRequired(true)
								.setMinValue(WeightLimits.min)
								.setMaxValue(WeightLimits.max)
						)
				)
				.addSubcommand((show) => show.setName('show').setDescription(t('ballots:commands.settings.show.description')))
		);
	}

	public async chatInputWeight(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const confirmation = await setWeight(actorOf(interaction), {
			guildId: interaction.guildId,
			roleId: interaction.options.getRole('role', true).id,
			weight: interaction.options.getInteger('weight', true)
		});
		await interaction.reply({
			content: renderMessage(readerTranslator(interaction), confirmation),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}

	public async chatInputShow(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const weights = await listWeights(interaction.guildId);
		await interaction.reply({
			content: renderWeights(readerTranslator(interaction), weights),
			flags: MessageFlags.Ephemeral,
			allowedMentions: { parse: [] }
		});
	}
}

function renderWeights(reader: Translator, weights: readonly { roleId: string; weight: number }[]): string {
	if (weights.length === 0) return reader('ballots:settings.weightsNone');
	// A server has at most 250 roles: 250 short lines stay far under 2,000 characters only up to ~60, so cut there.
	const lines = weights.slice(0, 60).map((rule) => reader('ballots:settings.weightLine', rule));
	return [reader('ballots:settings.weightsTitle'), ...lines].join('\n');
}
