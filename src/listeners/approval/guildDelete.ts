import { Events, Listener } from '@sapphire/framework';
import type { Guild } from 'discord.js';
import { markGuildLeft } from '../../lib/approval/repository.js';

/** The bot left or was removed from a server. Its row, and so its approval state, is kept. */
export class GuildDelete extends Listener<typeof Events.GuildDelete> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.GuildDelete });
	}

	public override async run(guild: Guild) {
		// discord.js emits guildUnavailable, not guildDelete, for an outage; this is a real removal.
		await markGuildLeft(this.container.sql, guild.id);
		this.container.logger.info(`Removed from server ${guild.id}.`, { guildId: guild.id });
	}
}
