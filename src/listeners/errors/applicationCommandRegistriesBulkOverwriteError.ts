import { Events, Listener } from '@sapphire/framework';

export class ApplicationCommandRegistriesBulkOverwriteError extends Listener<typeof Events.ApplicationCommandRegistriesBulkOverwriteError> {
	public override run(error: unknown, guildId: string | null) {
		this.container.logger.error(`Registering commands ${guildId === null ? 'globally' : `in server ${guildId}`} failed:`, error);
	}
}
