import { SapphireClient } from '@sapphire/framework';
import { GatewayIntentBits, Options } from 'discord.js';
import type { Config } from './config.js';
import type { BotLogger } from './logger.js';
import { clientShardOptions } from './sharding.js';

/**
 * The bot's client: only the `Guilds` intent (slash commands and components carry their member and user), caches
 * trimmed to what the bot reads, and no mention ever parsed unless a message asks for one.
 */
export function createClient(config: Config, logger: BotLogger): SapphireClient {
	return new SapphireClient({
		intents: [GatewayIntentBits.Guilds],
		...clientShardOptions(config.sharding),
		loadMessageCommandListeners: false,
		// Shutdown has about 3 s in all: do not wait long for Discord to acknowledge the close.
		closeTimeout: 1_000,
		// Our error listeners answer the user and log what is unexpected; the defaults would log every UserError too.
		loadDefaultErrorListeners: false,
		loadSubcommandErrorListeners: false,
		logger: { instance: logger },
		allowedMentions: { parse: [], repliedUser: false },
		rest: config.discordApiUrl === null ? {} : { api: config.discordApiUrl },
		makeCache: Options.cacheWithLimits({
			...Options.DefaultMakeCacheSettings,
			MessageManager: 0,
			GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
			UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
			PresenceManager: 0,
			ReactionManager: 0,
			ReactionUserManager: 0,
			GuildEmojiManager: 0,
			GuildStickerManager: 0,
			GuildScheduledEventManager: 0,
			GuildInviteManager: 0,
			GuildBanManager: 0,
			StageInstanceManager: 0,
			VoiceStateManager: 0,
			ThreadManager: 0,
			ThreadMemberManager: 0,
			AutoModerationRuleManager: 0,
			ApplicationCommandManager: 0,
			ApplicationEmojiManager: 0,
			EntitlementManager: 0
		})
	});
}
