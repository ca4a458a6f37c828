import { Events, Listener } from '@sapphire/framework';
import { failedRegistrations } from '../../lib/discord/registration.js';

export class ApplicationCommandRegistriesBulkOverwriteError extends Listener<typeof Events.ApplicationCommandRegistriesBulkOverwriteError> {
	public override run(error: unknown, guildId: string | null) {
		failedRegistrations.add(guildId ?? 'global');
		this.container.logger.error(`Registering commands ${guildId === null ? 'globally' : `in server ${guildId}`} failed:`, error);
	}
}
