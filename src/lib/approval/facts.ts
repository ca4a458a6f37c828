import type { Guild } from 'discord.js';
import type { GuildFacts } from './repository.js';

export function guildFacts(guild: Guild): GuildFacts {
	return { guildId: guild.id, name: guild.name, ownerId: guild.ownerId || null, memberCount: guild.memberCount };
}
