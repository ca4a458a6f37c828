import { ApplyOptions } from '@sapphire/decorators';
import { Command, type ChatInputCommand } from '@sapphire/framework';
import { Subcommand } from '@sapphire/plugin-subcommands';
import { localizedDescription, localizedName } from '../lib/i18n/commands.js';
import { EmbedBuilder, InteractionContextType, MessageFlags } from 'discord.js';
import { accessRefusal, requesterOf } from '../lib/access.js';
import { isOfferedHere, registerPlainCommand } from '../lib/discord/contexts.js';
import { renderMessage } from '../lib/failures.js';
import { english } from '../lib/i18n/index.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { respond } from '../lib/discord/acknowledge.js';

@ApplyOptions<Command.Options>({
	description: english('commands:help.description'),
	allowUnapproved: true,
	contexts: [InteractionContextType.Guild, InteractionContextType.BotDM]
})
export class HelpCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry) {
		registerPlainCommand(this, registry);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction) {
		const t = readerTranslator(interaction);
		const usable: string[] = [];
		for (const command of this.container.stores.get('commands').values()) {
			if (!command.supportsChatInputCommands() || !isOfferedHere(command, interaction) || !(await this.mayRun(interaction, command))) continue;
			// Named as Discord's `/` picker shows them to this member, in their language.
			const subcommands =
				command instanceof Subcommand ? command.parsedSubcommandMappings.map((mapping) => localizedName(t, command.name, mapping.name)) : [];
			const usage = subcommands.length > 0 ? ` (${subcommands.map((name) => `\`${name}\``).join(', ')})` : '';
			usable.push(`**/${localizedName(t, command.name)}**${usage}: ${localizedDescription(t, command.name)}`);
		}
		usable.sort();

		// /help must work even without the database: then it cannot tell whether the server is approved, and says so.
		const notice = await accessRefusal(requesterOf(interaction), 'approvedGuild').then(
			(refused) => (refused === null ? null : renderMessage(t, refused.text)),
			() => t('common:help.approvalUnknown')
		);
		const embed = new EmbedBuilder()
			.setTitle(t('common:help.title'))
			.setDescription([...(notice ? [notice, ''] : []), ...usable].join('\n'))
			.setColor(0x5865f2);
		return respond(interaction, { embeds: [embed], flags: MessageFlags.Ephemeral });
	}

	/** The same checks Sapphire runs before the command: global preconditions, then the command's own. */
	private async mayRun(interaction: Command.ChatInputCommandInteraction, command: ChatInputCommand) {
		const global = await this.container.stores.get('preconditions').chatInputRun(interaction, command, { external: true });
		if (global.isErr()) return false;
		const own = await command.preconditions.chatInputRun(interaction, command, { external: true });
		return own.isOk();
	}
}
