/**
 * Where Discord offers each command, declared once in its options (`contexts`): the command's builder registers it,
 * and /help lists the command only where it is offered, so /help never promises a command Discord then refuses.
 */
import type { Command } from '@sapphire/framework';
import { ApplicationIntegrationType, InteractionContextType, type CommandInteraction } from 'discord.js';
import { localized } from '../i18n/commands.js';

/** The command's registered contexts: servers only unless its options say more. */
export function commandContexts(command: Command): InteractionContextType[] {
	return [...(command.options.contexts ?? [InteractionContextType.Guild])];
}

/**
 * Whether Discord offers `command` where `interaction` happens: in its contexts, and, for a command registered in
 * some servers only (`DEV_GUILD_ID`, `ADMIN_GUILD_ID`), in one of those.
 */
export function isOfferedHere(command: Command, interaction: CommandInteraction): boolean {
	const context = interaction.context ?? (interaction.inGuild() ? InteractionContextType.Guild : InteractionContextType.BotDM);
	if (!commandContexts(command).includes(context)) return false;
	const registry = command.applicationCommandRegistry;
	const onlyInServers = registry.globalChatInputCommandIds.size === 0 && registry.guildIdToChatInputCommandIds.size > 0;
	return !onlyInServers || (interaction.guildId !== null && registry.guildIdToChatInputCommandIds.has(interaction.guildId));
}

/**
 * Registers a command that takes no options (`/help`, `/ping`): its localised name and description, installed to
 * servers, offered where its options say.
 */
export function registerPlainCommand(command: Command, registry: Command.Registry) {
	localized(registry, command.name).registerChatInputCommand((builder) =>
		builder
			.setName(command.name)
			.setDescription(command.description)
			.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
			.setContexts(...commandContexts(command))
	);
}
