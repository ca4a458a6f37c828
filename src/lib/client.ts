import { SapphireClient } from '@sapphire/framework';
import { GatewayDispatchEvents, GatewayIntentBits, LimitedCollection, Options, type CacheFactory, type Client } from 'discord.js';
import type { Config } from './config.js';
import { i18nPluginOptions } from './i18n/plugin.js';
import type { BotLogger } from './logger.js';
import { clientShardOptions } from './sharding.js';

/**
 * Managers whose cache the bot never reads. Their caches all share one collection that stays empty: discord.js makes
 * a cache for each manager of each server (a dozen per server), and even empty, a few hundred bytes each add up to
 * megabytes in 10,000 servers. Sharing is safe because nothing is ever stored in it (`maxSize` 0, no exception).
 *
 * That includes channels, roles and members, which discord.js's docs call unsupported to limit: nothing in the bot
 * reads them. Commands and components carry what they need (ids, the member's role ids and permissions, resolved
 * options), replies go through the interaction's webhook, and poll edits, notices and DMs through `client.rest`
 * with ids from the database. A member's role ids come from the interaction (`memberRoleIds`), never from
 * `member.roles.cache`, which only lists cached roles.
 */
const neverRead = new Set([
	'ApplicationCommandManager',
	'ApplicationEmojiManager',
	'AutoModerationRuleManager',
	'ChannelManager',
	'EntitlementManager',
	'GuildBanManager',
	'GuildChannelManager',
	'GuildEmojiManager',
	'GuildInviteManager',
	'GuildMemberManager',
	'GuildScheduledEventManager',
	'GuildSoundboardSoundManager',
	'GuildStickerManager',
	'MessageManager',
	'PermissionOverwriteManager',
	'PollAnswerVoterManager',
	'PresenceManager',
	'ReactionManager',
	'ReactionUserManager',
	'RoleManager',
	'StageInstanceManager',
	'SubscriptionManager',
	'ThreadManager',
	'ThreadMemberManager',
	'VoiceStateManager'
]);

/** The bot's caches: only the servers themselves (the approval listeners read them) and its own user. */
export function makeBotCache(): CacheFactory {
	const empty = new LimitedCollection({ maxSize: 0 });
	const others = Options.cacheWithLimits({ UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id } });
	return ((managerType, holds, manager) =>
		neverRead.has(manager.name) || neverRead.has(managerType.name) ? empty : others(managerType, holds, manager)) as CacheFactory;
}

/**
 * The bot's client: only the `Guilds` intent (slash commands and components carry their member and user), caches
 * trimmed to what the bot reads ({@link makeBotCache}), and no mention ever parsed unless a message asks for one.
 */
export function createClient(config: Config, logger: BotLogger): SapphireClient {
	explainCacheWarnings(logger);
	const client = new SapphireClient({
		intents: [GatewayIntentBits.Guilds],
		...clientShardOptions(config.sharding),
		loadMessageCommandListeners: false,
		// Sapphire's own "registries initialising/took N ms" lines: ours says when commands are registered, and theirs
		// formats with toLocaleString, whose first use maps several MB of ICU data into the process.
		loadApplicationCommandRegistriesStatusListeners: false,
		// Shutdown has about 3 s in all: do not wait long for Discord to acknowledge the close.
		closeTimeout: 500,
		// Our error listeners answer the user and log what is unexpected; the defaults would log every UserError too.
		loadDefaultErrorListeners: false,
		loadSubcommandErrorListeners: false,
		logger: { instance: logger },
		allowedMentions: { parse: [], repliedUser: false },
		rest: config.discordApiUrl === null ? {} : { api: config.discordApiUrl },
		makeCache: makeBotCache(),
		i18n: i18nPluginOptions
	});
	dropUnreadGuildData(client);
	return client;
}

let cacheWarningsExplained = false;

/**
 * discord.js warns, once per manager, that limiting the channel, role and permission-overwrite caches "is unsupported
 * and breaks functionality": it breaks what reads those caches, and the bot reads none of them (see
 * {@link makeBotCache}; the end-to-end tests drive every feature with them empty). That warning becomes one debug
 * line in the bot's log; every other process warning still reaches Node's own printer.
 */
function explainCacheWarnings(logger: BotLogger) {
	if (cacheWarningsExplained) return;
	cacheWarningsExplained = true;
	const printers = process.listeners('warning');
	process.removeAllListeners('warning');
	process.on('warning', (warning) => {
		if (warning.name === 'UnsupportedCacheOverwriteWarning') {
			logger.debug(`discord.js: ${warning.message} Expected: the bot reads none of these caches (src/lib/client.ts).`);
			return;
		}
		for (const print of printers) print.call(process, warning);
	});
}

/**
 * Empties the lists in each GUILD_CREATE that the bot never reads (channels, roles, members, emojis, ...) before
 * discord.js turns them into objects: its caches would drop them at once ({@link makeBotCache}), but building them
 * for every server at start-up costs CPU and leaves the heap larger than it needs to be. discord.js emits the raw
 * dispatch on `client.ws` just before handling it; if that order ever changed, this would only stop saving work.
 * The lists stay arrays: a GUILD_CREATE without `channels` marks the server unavailable.
 */
export function dropUnreadGuildData(client: Client) {
	client.ws.on(GatewayDispatchEvents.GuildCreate, (guild: Partial<Record<(typeof unreadGuildLists)[number], unknown[]>>) => {
		for (const list of unreadGuildLists) if (Array.isArray(guild[list])) guild[list] = [];
	});
}

const unreadGuildLists = [
	'channels',
	'threads',
	'roles',
	'members',
	'presences',
	'voice_states',
	'emojis',
	'stickers',
	'stage_instances',
	'guild_scheduled_events',
	'soundboard_sounds'
] as const;

/**
 * Closes the gateway connections only, so no new interaction arrives while the ones in flight are answered: their
 * replies go through interaction webhooks, and poll edits through REST, which keeps its token until `destroy()`.
 * discord.js marks the manager's `destroy` private; `Client#destroy` calls it again, which it ignores.
 */
export async function closeGateway(client: Client) {
	await (client.ws as unknown as { destroy(): Promise<void> }).destroy();
}
