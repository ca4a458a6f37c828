import { SapphireClient } from '@sapphire/framework';
import {
	AutoModerationRuleManager,
	GatewayDispatchEvents,
	GatewayIntentBits,
	Guild,
	GuildApplicationCommandManager,
	GuildBanManager,
	GuildInviteManager,
	GuildMemberManager,
	GuildScheduledEventManager,
	GuildSoundboardSoundManager,
	LimitedCollection,
	Options,
	PresenceManager,
	RoleManager,
	StageInstanceManager,
	VoiceStateManager,
	type CacheFactory,
	type Client
} from 'discord.js';
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
	'GuildApplicationCommandManager',
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
	makeGuildManagersLazy();
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
 * Removes the lists in each GUILD_CREATE that the bot never reads (roles, members, emojis, ...) before discord.js
 * turns them into objects: its caches would drop them at once ({@link makeBotCache}), but building them for every
 * server at start-up costs CPU and leaves the heap larger than it needs to be, and an absent list also leaves its
 * manager unmade ({@link makeGuildManagersLazy}). discord.js emits the raw dispatch on `client.ws` just before
 * handling it; if that order ever changed, this would only stop saving work. `channels` stays, emptied: a
 * GUILD_CREATE without it marks the server unavailable.
 */
export function dropUnreadGuildData(client: Client) {
	client.ws.on(GatewayDispatchEvents.GuildCreate, (guild: Partial<Record<(typeof unreadGuildLists)[number] | 'channels', unknown[]>>) => {
		if (Array.isArray(guild.channels)) guild.channels = [];
		// Set to undefined rather than deleted, so the parsed payload keeps its shape.
		for (const list of unreadGuildLists) if (guild[list] !== undefined) guild[list] = undefined;
	});
}

const unreadGuildLists = [
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
 * Managers that each Guild makes in its constructor and that the bot does not need in most servers: discord.js makes
 * about fifteen per server, some 60 bytes each plus what they hold (the commands manager a collection and a
 * permissions manager), which is most of a server's memory once its caches are empty ({@link makeBotCache}). Each
 * becomes an accessor on `Guild.prototype`: the constructor's assignment is dropped, and the first read makes the
 * manager and keeps it on that server as an ordinary property, so it behaves as before (with caches that hold
 * nothing, a manager made later knows all that one made at once would). `members` is read by every interaction in
 * a server, so active servers have one; the others are rarely read at all.
 *
 * Left out: `channels` (every GUILD_CREATE clears its cache, see {@link dropUnreadGuildData}), `emojis` and
 * `stickers` (`_patch` checks whether they exist before making them). If discord.js ever defined these with class
 * fields, the accessors would just be shadowed and nothing saved; test/unit/client-memory.test.ts would notice.
 */
const lazyGuildManagers: Readonly<Record<string, { Manager: unknown; of: 'guild' | 'client' }>> = {
	commands: { Manager: GuildApplicationCommandManager, of: 'guild' },
	members: { Manager: GuildMemberManager, of: 'guild' },
	bans: { Manager: GuildBanManager, of: 'guild' },
	roles: { Manager: RoleManager, of: 'guild' },
	presences: { Manager: PresenceManager, of: 'client' },
	voiceStates: { Manager: VoiceStateManager, of: 'guild' },
	stageInstances: { Manager: StageInstanceManager, of: 'guild' },
	invites: { Manager: GuildInviteManager, of: 'guild' },
	scheduledEvents: { Manager: GuildScheduledEventManager, of: 'guild' },
	autoModerationRules: { Manager: AutoModerationRuleManager, of: 'guild' },
	soundboardSounds: { Manager: GuildSoundboardSoundManager, of: 'guild' }
};

let guildManagersLazy = false;

/** See {@link lazyGuildManagers}. Once per process: it changes discord.js's Guild class for every client. */
export function makeGuildManagersLazy() {
	if (guildManagersLazy) return;
	guildManagersLazy = true;
	for (const [name, { Manager, of }] of Object.entries(lazyGuildManagers)) {
		// The typings mark these constructors private; discord.js itself calls them exactly so.
		const make = Manager as new (owner: Guild | Client) => object;
		Object.defineProperty(Guild.prototype, name, {
			configurable: true,
			get(this: Guild) {
				const manager = new make(of === 'guild' ? this : this.client);
				Object.defineProperty(this, name, { value: manager, writable: true, enumerable: true, configurable: true });
				return manager;
			},
			set() {
				// The constructor's new, empty manager: the getter makes an equivalent one when it is first needed.
			}
		});
	}
}

/**
 * Closes the gateway connections only, so no new interaction arrives while the ones in flight are answered: their
 * replies go through interaction webhooks, and poll edits through REST, which keeps its token until `destroy()`.
 * discord.js marks the manager's `destroy` private; `Client#destroy` calls it again, which it ignores.
 */
export async function closeGateway(client: Client) {
	await (client.ws as unknown as { destroy(): Promise<void> }).destroy();
}
