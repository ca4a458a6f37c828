import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';

export class ClientReady extends Listener<typeof Events.ClientReady> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ClientReady, once: true });
	}

	public override run(client: Client<true>) {
		this.container.logger.info(`Connected as ${client.user.tag} to ${client.guilds.cache.size} server(s).`);
	}
}
