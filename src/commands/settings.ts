import { ApplyOptions } from '@sapphire/decorators';
import { fetchT } from '@sapphire/plugin-i18next';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { ApplicationIntegrationType, EmbedBuilder, InteractionContextType, MessageFlags, PermissionFlagsBits } from 'discord.js';
import { localized, localizedChoice } from '../lib/i18n/commands.js';
import { english, type MessageKey, type Translator } from '../lib/i18n/index.js';
import { listWeights, setWeight, WeightLimits } from '../lib/polls/weights.js';
import { actorOf as pollActorOf } from '../lib/polls/interactions.js';
import { renderMessage } from '../lib/failures.js';
import { guildLanguage, languageChoices, setGuildLanguage, type SettingsActor } from '../lib/settings/service.js';
import { respond } from '../lib/discord/acknowledge.js';

const t = english;

/** A server's settings for the bot. Each setting is one subcommand calling src/lib/settings; every answer is ephemeral. */
@ApplyOptions<Subcommand.Options>({
	description: t('commands:settings.description'),
	subcommands: [
		{ name: 'language', chatInputRun: 'chatInputLanguage' },
		{ name: 'weight', chatInputRun: 'chatInputWeight' },
		{ name: 'show', chatInputRun: 'chatInputShow' }
	]
})
export class SettingsCommand extends Subcommand {
	public override registerApplicationCommands(registry: Subcommand.Registry) {
		localized(registry, 'settings').registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				// Shown to Manage Server only; servers may change that, so src/lib/settings checks again.
				.setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
				.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
				.setContexts(InteractionContextType.Guild)
				.addSubcommand((command) =>
					command
						.setName('language')
						.setDescription(t('commands:settings.language.description'))
						.addStringOption((option) =>
							option
								.setName('language')
								.setDescription(t('commands:settings.language.language.description'))
								.setRequired(true)
								.addChoices(languageChoices().map((choice) => localizedChoice(languageKey(choice), choice)))
						)
				)
				.addSubcommand((weight) =>
					weight
						.setName('weight')
						.setDescription(t('commands:settings.weight.description'))
						.addRoleOption((option) =>
							option.setName('role').setDescription(t('commands:settings.weight.role.description')).setRequired(true)
						)
						.addIntegerOption((option) =>
							option
								.setName('weight')
								.setDescription(t('commands:settings.weight.value.description'))
								.setRequired(true)
								.setMinValue(WeightLimits.min)
								.setMaxValue(WeightLimits.max)
						)
				)
				.addSubcommand((command) => command.setName('show').setDescription(t('commands:settings.show.description')))
		);
	}

	public async chatInputLanguage(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const chosen = await setGuildLanguage(actorOf(interaction), interaction.options.getString('language', true));
		// Fetched after the change: a member whose own language the bot lacks reads the answer in the new one.
		const reader = (await fetchT(interaction)) as unknown as Translator;
		const { effective } = guildLanguage(interaction.guildId, interaction.guildLocale);
		const content =
			chosen === null
				? reader('settings:languageAutomatic', { language: reader(languageKey(effective)) })
				: reader('settings:languageSet', { language: reader(languageKey(chosen)) });
		return respond(interaction, { content, flags: MessageFlags.Ephemeral });
	}

	public async chatInputWeight(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const confirmation = await setWeight(pollActorOf(interaction), {
			guildId: interaction.guildId,
			roleId: interaction.options.getRole('role', true).id,
			weight: interaction.options.getInteger('weight', true)
		});
		const reader = (await fetchT(interaction)) as unknown as Translator;
		return respond(interaction, { content: renderMessage(reader, confirmation), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}

	public async chatInputShow(interaction: Subcommand.ChatInputCommandInteraction<'cached'>) {
		const reader = (await fetchT(interaction)) as unknown as Translator;
		const weights = await listWeights(interaction.guildId);
		const { chosen, effective } = guildLanguage(interaction.guildId, interaction.guildLocale);
		const language =
			chosen === null
				? reader('settings:show.languageAutomatic', { language: reader(languageKey(effective)) })
				: reader('settings:show.language', { language: reader(languageKey(chosen)) });
		const embed = new EmbedBuilder()
			.setTitle(reader('settings:show.title'))
			.setDescription([language, '', renderWeights(reader, weights)].join('\n'))
			.setColor(0x5865f2);
		return respond(interaction, { embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
	}
}

function actorOf(interaction: Subcommand.ChatInputCommandInteraction<'cached'>): SettingsActor {
	return { guildId: interaction.guildId, manageGuild: interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild) };
}

function languageKey(choice: string): MessageKey {
	return `settings:languages.${choice}` as MessageKey;
}

function renderWeights(reader: Translator, weights: readonly { roleId: string; weight: number }[]): string {
	if (weights.length === 0) return reader('ballots:settings.weightsNone');
	// A server has at most 250 roles; 60 short lines stay well inside an embed's 4,096 characters.
	const lines = weights.slice(0, 60).map((rule) => reader('ballots:settings.weightLine', rule));
	return [reader('ballots:settings.weightsTitle'), ...lines].join('\n');
}
