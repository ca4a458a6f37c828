import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';
import { guildFacts } from '../../lib/approval/facts.js';
import { syncGuilds } from '../../lib/approval/service.js';

/** The bot joined a server: a new one waits for approval, an approved one stays so, a denied one is left again. */
export class GuildCreate extends Listener<typeof Events.GuildCreate> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildCreate });
	}

	public override run(guild: Guild) {
		return syncGuilds([guildFacts(guild)]);
	}
}
