import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { InteractionContextType, MessageFlags } from 'discord.js';
import { registerPlainCommand } from '../lib/discord/contexts.js';
import { measureDatabaseLatency } from '../lib/database/latency.js';
import { english } from '../lib/i18n/index.js';
import { readerTranslator } from '../lib/i18n/readers.js';
import { respond } from '../lib/discord/acknowledge.js';

@ApplyOptions<Command.Options>({
	description: english('commands:ping.description'),
	allowUnapproved: true,
	contexts: [InteractionContextType.Guild, InteractionContextType.BotDM]
})
export class PingCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry) {
		registerPlainCommand(this, registry);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction) {
		const database = await measureDatabaseLatency(this.container.sql);
		const gateway = this.container.client.ws.ping;
		const t = readerTranslator(interaction);
		const milliseconds = (value: number) => t('common:ping.milliseconds', { value });
		const lines = [
			t('common:ping.pong'),
			t('common:ping.gateway', { value: gateway < 0 ? t('common:ping.notMeasured') : milliseconds(gateway) }),
			t('common:ping.database', { value: database === null ? t('common:ping.unavailable') : milliseconds(database) })
		];
		return respond(interaction, { content: lines.join('\n'), flags: MessageFlags.Ephemeral });
	}
}
