/**
 * The fake's picture of Discord: users, guilds with their channels, roles and members, DM channels. It also renders
 * these records as the JSON Discord sends (users, members, GUILD_CREATE), so every payload is built in one place.
 */
import type { FakeClock } from './clock.js';
import { ALL_PERMISSIONS, DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS, computeBasePermissions, toBitfield } from './permissions.js';
import { SnowflakeGenerator, shardForGuild } from './snowflake.js';
import { isDiscordLocale } from './validation.js';

export const ChannelType = { GuildText: 0, DM: 1, GuildVoice: 2, GuildCategory: 4, GuildAnnouncement: 5 } as const;

export interface FakeUser {
	id: string;
	username: string;
	global_name: string | null;
	discriminator: string;
	avatar: string | null;
	bot: boolean;
	public_flags: number;
}

export interface FakeRole {
	id: string;
	name: string;
	/** Bitfield as a decimal string, as Discord sends it. */
	permissions: string;
	position: number;
	color: number;
	hoist: boolean;
	managed: boolean;
	mentionable: boolean;
	icon: string | null;
	unicode_emoji: string | null;
	flags: number;
	tags?: { bot_id: string };
}

export interface FakeChannel {
	id: string;
	type: number;
	name?: string;
	guild_id?: string;
	position?: number;
	parent_id?: string | null;
	topic?: string | null;
	nsfw?: boolean;
	permission_overwrites?: unknown[];
	rate_limit_per_user?: number;
	last_message_id: string | null;
	flags: number;
	recipients?: FakeUser[];
}

export interface FakeMember {
	user: FakeUser;
	roles: string[];
	/** Permissions granted on top of the roles' (the driver's `addMember(..., { permissions })`). */
	extraPermissions: bigint;
	joined_at: string;
	nick: string | null;
}

export interface FakeGuild {
	id: string;
	name: string;
	ownerId: string;
	memberCount: number;
	channelIds: string[];
	roles: FakeRole[];
	members: Map<string, FakeMember>;
	joinedAt: string;
	features: string[];
	locale: string;
	botInGuild: boolean;
	botRoleId: string;
	/** The first text channel: where the driver sends interactions when a test names no channel. */
	defaultChannelId: string;
}

export interface CreateUserOptions {
	username: string;
	globalName?: string;
	bot?: boolean;
	id?: string;
	/** The user's client language (a Discord locale code), sent as `locale` in their interactions. Default en-US. */
	locale?: string;
}

export interface CreateGuildOptions {
	/** A fixed id (a snowflake), e.g. to recreate the same world after a restart; defaults to a new one. */
	id?: string;
	name: string;
	/** Defaults to a freshly created user named after the guild. */
	ownerId?: string;
	memberCount?: number;
	/** Defaults to one category and the text channels `general` and `polls`. */
	channels?: Array<{ name: string; type?: number; id?: string }>;
	roles?: Array<{ name: string; permissions?: bigint | string; mentionable?: boolean; id?: string }>;
	features?: string[];
	/** The server's preferred language (a Discord locale code). Default en-US. */
	locale?: string;
	/** The bot's own permissions in this guild (its managed role). */
	botPermissions?: bigint | string;
	/** Defaults to true: the bot is invited. False makes a guild the bot is not in (yet). */
	botInGuild?: boolean;
}

export class World {
	public readonly users = new Map<string, FakeUser>();
	public readonly guilds = new Map<string, FakeGuild>();
	public readonly channels = new Map<string, FakeChannel>();
	/** Each user's client language, when a test set one (Discord's default is en-US). */
	private readonly userLocales = new Map<string, string>();
	/** DM channel id per recipient user id. */
	private readonly dmChannelByUser = new Map<string, string>();
	public readonly botUser: FakeUser;
	public readonly applicationId: string;

	public constructor(
		public readonly ids: SnowflakeGenerator,
		private readonly clock: FakeClock,
		botName: string
	) {
		this.botUser = this.createUser({ username: botName, bot: true });
		// Discord gives a bot the same id as its application.
		this.applicationId = this.botUser.id;
	}

	public createUser(options: CreateUserOptions): FakeUser {
		if (options.id !== undefined) this.assertFreeId(options.id, this.users.has(options.id));
		if (options.locale !== undefined) assertLocale(options.locale);
		const user: FakeUser = {
			id: options.id ?? this.ids.next(),
			username: options.username,
			global_name: options.globalName ?? (options.bot ? null : options.username),
			discriminator: '0',
			avatar: null,
			bot: options.bot ?? false,
			public_flags: 0
		};
		this.users.set(user.id, user);
		if (options.locale !== undefined) this.userLocales.set(user.id, options.locale);
		return user;
	}

	/** The language of the user's Discord client: every interaction they start carries it as `locale`. */
	public setUserLocale(userId: string, locale: string): void {
		this.requireUser(userId);
		assertLocale(locale);
		this.userLocales.set(userId, locale);
	}

	public userLocale(userId: string): string {
		return this.userLocales.get(userId) ?? 'en-US';
	}

	/** The server's preferred language (`preferred_locale`, and `guild_locale` in its interactions). */
	public setGuildLocale(guildId: string, locale: string): FakeGuild {
		const guild = this.requireGuild(guildId);
		assertLocale(locale);
		guild.locale = locale;
		return guild;
	}

	public requireUser(id: string): FakeUser {
		const user = this.users.get(id);
		if (!user) throw new Error(`fake-discord: unknown user ${id} (create it with fake.createUser first)`);
		return user;
	}

	public requireGuild(id: string): FakeGuild {
		const guild = this.guilds.get(id);
		if (!guild) throw new Error(`fake-discord: unknown guild ${id}`);
		return guild;
	}

	public createGuild(options: CreateGuildOptions): FakeGuild {
		if (options.id !== undefined) this.assertFreeId(options.id, this.guilds.has(options.id));
		if (options.locale !== undefined) assertLocale(options.locale);
		for (const spec of options.channels ?? []) if (spec.id !== undefined) this.assertFreeId(spec.id, this.channels.has(spec.id));
		for (const spec of options.roles ?? []) if (spec.id !== undefined) this.assertFreeId(spec.id, false);
		const id = options.id ?? this.ids.next();
		const now = new Date(this.clock.now()).toISOString();
		const owner = options.ownerId
			? this.requireUser(options.ownerId)
			: this.createUser({ username: `${options.name} owner`.toLowerCase().replace(/[^a-z0-9_.]/g, '_') });
		const everyone = this.makeRole(id, '@everyone', DEFAULT_EVERYONE_PERMISSIONS, 0);
		const botRole = this.makeRole(this.ids.next(), this.botUser.username, toBitfield(options.botPermissions, DEFAULT_BOT_PERMISSIONS), 1);
		botRole.managed = true;
		botRole.tags = { bot_id: this.botUser.id };
		const extraRoles = (options.roles ?? []).map((role, index) => {
			const made = this.makeRole(role.id ?? this.ids.next(), role.name, toBitfield(role.permissions, 0n), index + 2);
			made.mentionable = role.mentionable ?? false;
			return made;
		});

		const guild: FakeGuild = {
			id,
			name: options.name,
			ownerId: owner.id,
			memberCount: options.memberCount ?? 2,
			channelIds: [],
			roles: [everyone, botRole, ...extraRoles],
			members: new Map(),
			joinedAt: now,
			features: options.features ?? [],
			locale: options.locale ?? 'en-US',
			botInGuild: options.botInGuild ?? true,
			botRoleId: botRole.id,
			defaultChannelId: ''
		};
		this.guilds.set(id, guild);

		const channelSpecs = options.channels ?? [{ name: 'Text Channels', type: ChannelType.GuildCategory }, { name: 'general' }, { name: 'polls' }];
		let categoryId: string | null = null;
		channelSpecs.forEach((spec, position) => {
			const channel = this.addGuildChannel(guild, spec.name, spec.type ?? ChannelType.GuildText, position, categoryId, spec.id);
			if (channel.type === ChannelType.GuildCategory) categoryId = channel.id;
		});
		const firstText = guild.channelIds
			.map((channelId) => this.channels.get(channelId)!)
			.find((channel) => channel.type === ChannelType.GuildText);
		guild.defaultChannelId = firstText?.id ?? this.addGuildChannel(guild, 'general', ChannelType.GuildText, channelSpecs.length, null).id;

		this.addMember(id, owner.id, {});
		guild.members.set(this.botUser.id, { user: this.botUser, roles: [botRole.id], extraPermissions: 0n, joined_at: now, nick: null });
		return guild;
	}

	public createRole(guildId: string, options: { name: string; permissions?: bigint | string; mentionable?: boolean; id?: string }): FakeRole {
		const guild = this.requireGuild(guildId);
		if (options.id !== undefined)
			this.assertFreeId(
				options.id,
				guild.roles.some((role) => role.id === options.id)
			);
		const role = this.makeRole(options.id ?? this.ids.next(), options.name, toBitfield(options.permissions, 0n), guild.roles.length);
		role.mentionable = options.mentionable ?? false;
		guild.roles.push(role);
		return role;
	}

	public addMember(guildId: string, userId: string, options: { roles?: string[]; permissions?: bigint | string; joinedAt?: string }): FakeMember {
		const guild = this.requireGuild(guildId);
		const user = this.requireUser(userId);
		for (const roleId of options.roles ?? []) {
			if (!guild.roles.some((role) => role.id === roleId)) throw new Error(`fake-discord: role ${roleId} is not in guild ${guildId}`);
		}
		const member: FakeMember = {
			user,
			roles: options.roles ?? [],
			extraPermissions: toBitfield(options.permissions, 0n),
			joined_at: options.joinedAt ?? new Date(this.clock.now()).toISOString(),
			nick: null
		};
		guild.members.set(userId, member);
		return member;
	}

	/** A member of the guild, added with no roles if the test never added them (Discord only lets members interact). */
	public ensureMember(guildId: string, userId: string): FakeMember {
		return this.requireGuild(guildId).members.get(userId) ?? this.addMember(guildId, userId, {});
	}

	public memberPermissions(guild: FakeGuild, member: FakeMember): bigint {
		const roleIds = new Set([guild.id, ...member.roles]);
		return computeBasePermissions({
			isOwner: member.user.id === guild.ownerId,
			rolePermissions: guild.roles.filter((role) => roleIds.has(role.id)).map((role) => BigInt(role.permissions)),
			extra: member.extraPermissions
		});
	}

	public botPermissions(guildId: string): bigint {
		const guild = this.requireGuild(guildId);
		return this.memberPermissions(guild, guild.members.get(this.botUser.id)!);
	}

	/** The DM channel between the bot and a user, created on first use like `POST /users/@me/channels` does. */
	public dmChannelFor(userId: string): FakeChannel {
		const existing = this.dmChannelByUser.get(userId);
		if (existing) return this.channels.get(existing)!;
		const channel: FakeChannel = {
			id: this.ids.next(),
			type: ChannelType.DM,
			last_message_id: null,
			flags: 0,
			recipients: [this.requireUser(userId)]
		};
		this.channels.set(channel.id, channel);
		this.dmChannelByUser.set(userId, channel.id);
		return channel;
	}

	public guildsOnShard(shardId: number, shardCount: number): FakeGuild[] {
		return [...this.guilds.values()].filter((guild) => guild.botInGuild && shardForGuild(guild.id, shardCount) === shardId);
	}

	// ----- JSON as Discord sends it -----

	public memberJson(guild: FakeGuild, member: FakeMember, withPermissions: boolean): Record<string, unknown> {
		return {
			user: { ...member.user },
			roles: [...member.roles],
			joined_at: member.joined_at,
			nick: member.nick,
			avatar: null,
			banner: null,
			premium_since: null,
			deaf: false,
			mute: false,
			pending: false,
			flags: 0,
			communication_disabled_until: null,
			...(withPermissions ? { permissions: this.memberPermissions(guild, member).toString() } : {})
		};
	}

	/** GUILD_CREATE's payload: a full guild with channels, roles and the bot's own member. */
	public guildCreateJson(guild: FakeGuild): Record<string, unknown> {
		const botMember = guild.members.get(this.botUser.id)!;
		return {
			id: guild.id,
			name: guild.name,
			icon: null,
			splash: null,
			discovery_splash: null,
			banner: null,
			description: null,
			owner_id: guild.ownerId,
			region: 'deprecated',
			afk_channel_id: null,
			afk_timeout: 300,
			system_channel_id: guild.defaultChannelId,
			system_channel_flags: 0,
			rules_channel_id: null,
			public_updates_channel_id: null,
			safety_alerts_channel_id: null,
			widget_enabled: false,
			verification_level: 0,
			default_message_notifications: 1,
			explicit_content_filter: 0,
			mfa_level: 0,
			nsfw_level: 0,
			premium_tier: 0,
			premium_subscription_count: 0,
			premium_progress_bar_enabled: false,
			preferred_locale: guild.locale,
			features: [...guild.features],
			vanity_url_code: null,
			application_id: null,
			max_members: 500_000,
			max_video_channel_users: 25,
			max_stage_video_channel_users: 50,
			hub_type: null,
			incidents_data: null,
			joined_at: guild.joinedAt,
			large: guild.memberCount > 250,
			lazy: true,
			unavailable: false,
			member_count: guild.memberCount,
			roles: guild.roles.map((role) => ({ ...role })),
			channels: guild.channelIds.map((id) => ({ ...this.channels.get(id)! })),
			members: [this.memberJson(guild, botMember, false)],
			threads: [],
			presences: [],
			voice_states: [],
			emojis: [],
			stickers: [],
			stage_instances: [],
			guild_scheduled_events: [],
			soundboard_sounds: [],
			embedded_activities: [],
			activity_instances: [],
			version: Date.now()
		};
	}

	/** A guild as REST and GUILD_UPDATE send it: GUILD_CREATE's payload without the gateway-only parts. */
	public guildJson(guild: FakeGuild): Record<string, unknown> {
		const {
			channels: _channels,
			members: _members,
			threads: _threads,
			presences: _presences,
			voice_states: _voice,
			joined_at: _joinedAt,
			large: _large,
			lazy: _lazy,
			unavailable: _unavailable,
			member_count: _memberCount,
			...rest
		} = this.guildCreateJson(guild);
		return rest;
	}

	private makeRole(id: string, name: string, permissions: bigint, position: number): FakeRole {
		return {
			id,
			name,
			permissions: (permissions & ALL_PERMISSIONS).toString(),
			position,
			color: 0,
			hoist: false,
			managed: false,
			mentionable: false,
			icon: null,
			unicode_emoji: null,
			flags: 0
		};
	}

	/** Fixed ids must look like snowflakes (the REST layer and shard routing read them) and be unused. */
	private assertFreeId(id: string, taken: boolean): void {
		if (!/^\d{17,20}$/.test(id)) throw new Error(`fake-discord: id ${JSON.stringify(id)} is not a snowflake (17 to 20 digits)`);
		if (taken) throw new Error(`fake-discord: id ${id} is already in use`);
	}

	private addGuildChannel(guild: FakeGuild, name: string, type: number, position: number, parentId: string | null, id?: string): FakeChannel {
		const channel: FakeChannel = {
			id: id ?? this.ids.next(),
			type,
			name,
			guild_id: guild.id,
			position,
			parent_id: type === ChannelType.GuildCategory ? null : parentId,
			topic: null,
			nsfw: false,
			permission_overwrites: [],
			rate_limit_per_user: 0,
			last_message_id: null,
			flags: 0
		};
		this.channels.set(channel.id, channel);
		guild.channelIds.push(channel.id);
		return channel;
	}
}

function assertLocale(locale: string): void {
	if (!isDiscordLocale(locale))
		throw new Error(`fake-discord: ${JSON.stringify(locale)} is not a Discord locale code (e.g. en-US, de, fr, es-ES, pt-BR)`);
}
