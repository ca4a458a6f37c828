import { ApplyOptions } from '@sapphire/decorators';
import { Command } from '@sapphire/framework';
import { ApplicationIntegrationType, InteractionContextType, MessageFlags } from 'discord.js';
import { measureDatabaseLatency } from '../lib/database/latency.js';

@ApplyOptions<Command.Options>({ description: 'Check that the bot is alive, with its gateway and database latency', allowUnapproved: true })
export class PingCommand extends Command {
	public override registerApplicationCommands(registry: Command.Registry) {
		registry.registerChatInputCommand((builder) =>
			builder
				.setName(this.name)
				.setDescription(this.description)
				.setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
				.setContexts(InteractionContextType.Guild, InteractionContextType.BotDM)
		);
	}

	public override async chatInputRun(interaction: Command.ChatInputCommandInteraction) {
		const database = await measureDatabaseLatency(this.container.sql);
		const gateway = this.container.client.ws.ping;
		const lines = [
			'Pong!',
			`Gateway: ${gateway < 0 ? 'not measured yet' : `${gateway} ms`}`,
			`Database: ${database === null ? 'unavailable' : `${database} ms`}`
		];
		return interaction.reply({ content: lines.join('\n'), flags: MessageFlags.Ephemeral });
	}
}
