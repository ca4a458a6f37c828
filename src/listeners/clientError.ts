import { Events, Listener } from '@sapphire/framework';

export class ClientError extends Listener<typeof Events.Error> {
	public override run(error: Error) {
		this.container.logger.error('discord.js client error:', error);
	}
}
