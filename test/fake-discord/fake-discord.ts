/**
 * FakeDiscord: a local Discord (REST v10 + gateway v10) for tests, the playground and the benchmark.
 * Binds to 127.0.0.1 only. See README.md in this folder for the driver API.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from './clock.js';
import { CommandStore, type RegisteredCommand } from './commands.js';
import { Gateway, type GatewayEventKind, type GatewayLogEntry, type SessionInfo } from './gateway.js';
import {
	InteractionRegistry,
	type AutocompleteOptions,
	type ComponentOptions,
	type InteractionHandle,
	type InteractionRecord,
	type ModalSubmitOptions,
	type SelectOptions,
	type SlashOptions
} from './interactions.js';
import { MessageStore, type FakeMessage } from './messages.js';
import { RestApi, type RequestHold, type RequestLogEntry, type RouteMatcher, type Violation } from './rest.js';
import { createRoutes } from './routes.js';
import { SnowflakeGenerator, shardForGuild } from './snowflake.js';
import {
	World,
	type CreateGuildOptions,
	type CreateUserOptions,
	type FakeChannel,
	type FakeGuild,
	type FakeMember,
	type FakeRole,
	type FakeUser
} from './world.js';

export interface FakeDiscordOptions {
	/** What `GET /gateway/bot` recommends (the bot decides how many shards it actually opens). Default 1. */
	shardCount?: number;
	/** Default 0: any free port. */
	port?: number;
	/** The bot user's name. Default `TestBot`. */
	botName?: string;
	/** Sent in HELLO. Default 41 250 ms like Discord; lower it to exercise heartbeats. */
	heartbeatIntervalMs?: number;
	/** How long a dropped session stays resumable. Default 60 s. */
	resumeWindowMs?: number;
	/** How long `handle.response` waits for the bot's callback before rejecting. Default 5 s. */
	interactionResponseTimeoutMs?: number;
}

export interface FakeDiscordEvents {
	messageCreate: [FakeMessage];
	messageUpdate: [FakeMessage];
	messageDelete: [FakeMessage];
	interaction: [InteractionRecord];
	callback: [InteractionRecord];
	request: [RequestLogEntry];
	violation: [Violation];
	gateway: [GatewayLogEntry];
}

export interface UnknownRoute {
	at: number;
	method: string;
	path: string;
}

export class FakeDiscord extends EventEmitter<FakeDiscordEvents> {
	/** Every broken Discord rule (invalid body, double or late callback, expired token, missing auth...). Tests assert it is empty. */
	public readonly violations: Violation[] = [];
	/** Requests to routes the fake does not know (answered 404 like Discord). Tests assert it is empty. */
	public readonly unknownRoutes: UnknownRoute[] = [];
	public readonly clock = new FakeClock();

	private readonly ids = new SnowflakeGenerator(() => this.clock.now());
	private readonly world: World;
	private readonly messageStore: MessageStore;
	private readonly commandStore: CommandStore;
	private readonly gateway: Gateway;
	private readonly interactions: InteractionRegistry;
	private readonly rest: RestApi;
	private readonly server: Server;
	private port = 0;

	private constructor(private readonly options: FakeDiscordOptions) {
		super();
		this.setMaxListeners(0);
		this.world = new World(this.ids, this.clock, options.botName ?? 'TestBot');
		this.messageStore = new MessageStore(this.ids, this.clock, 'http://127.0.0.1/cdn', (id) => this.world.users.get(id));
		this.commandStore = new CommandStore(this.ids, this.world.applicationId);
		this.gateway = new Gateway({
			world: this.world,
			clock: this.clock,
			url: () => this.gatewayUrl,
			heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
			resumeWindowMs: options.resumeWindowMs ?? 60_000
		});
		this.interactions = new InteractionRegistry({
			world: this.world,
			commands: this.commandStore,
			messages: this.messageStore,
			gateway: this.gateway,
			clock: this.clock,
			ids: this.ids,
			responseTimeoutMs: options.interactionResponseTimeoutMs ?? 5_000
		});
		this.rest = new RestApi(
			createRoutes({
				world: this.world,
				messages: this.messageStore,
				commands: this.commandStore,
				interactions: this.interactions,
				gateway: this.gateway,
				clock: this.clock,
				gatewayUrl: () => this.gatewayUrl,
				shardCount: () => this.options.shardCount ?? 1,
				leaveGuild: (guildId) => this.removeGuild(guildId)
			}),
			this.clock,
			{
				onViolation: (violation) => {
					this.violations.push(violation);
					this.emit('violation', violation);
				},
				onUnknownRoute: (entry) => this.unknownRoutes.push({ at: this.clock.now(), ...entry }),
				onRequest: (entry) => this.emit('request', entry)
			}
		);
		this.messageStore.on('create', (message) => this.emit('messageCreate', message));
		this.messageStore.on('update', (message) => this.emit('messageUpdate', message));
		this.messageStore.on('delete', (message) => this.emit('messageDelete', message));
		this.interactions.on('dispatch', (record) => this.emit('interaction', record));
		this.interactions.on('callback', (record) => this.emit('callback', record));
		this.gateway.on('event', (entry) => this.emit('gateway', entry));

		this.server = createServer({ keepAlive: true }, (request, response) => void this.rest.handle(request, response));
		this.server.on('upgrade', (request, socket, head) => this.gateway.handleUpgrade(request, socket, head));
	}

	public static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
		const fake = new FakeDiscord(options);
		await new Promise<void>((resolve, reject) => {
			fake.server.once('error', reject);
			fake.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
		});
		fake.port = (fake.server.address() as AddressInfo).port;
		return fake;
	}

	public async close(): Promise<void> {
		await this.gateway.close();
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	// ----- addresses and identity -----

	/** What the bot gets as `DISCORD_API_URL` (discord.js appends `/v10`). */
	public get restBase(): string {
		return `http://127.0.0.1:${this.port}/api`;
	}

	public get gatewayUrl(): string {
		return `ws://127.0.0.1:${this.port}/gateway`;
	}

	public get botUser(): FakeUser {
		return this.world.botUser;
	}

	public get applicationId(): string {
		return this.world.applicationId;
	}

	// ----- world -----

	/** `id` fixes the user's id (a snowflake), e.g. to recreate the same world after a restart. */
	public createUser(options: CreateUserOptions): FakeUser {
		return this.world.createUser(options);
	}

	/** The user's client language from now on (`locale` of their interactions); a Discord locale code. */
	public setUserLocale(userId: string, locale: string): void {
		this.world.setUserLocale(userId, locale);
	}

	/** The server's preferred language (`guild_locale`); the bot hears of it with GUILD_UPDATE, as on Discord. */
	public setGuildLocale(guildId: string, locale: string): void {
		const guild = this.world.setGuildLocale(guildId, locale);
		if (guild.botInGuild) this.gateway.dispatchToGuild(guild.id, 'GUILD_UPDATE', this.world.guildJson(guild));
	}

	/** Creates a guild with the bot in it (GUILD_CREATE goes to the owning shard if it is connected). */
	public createGuild(options: CreateGuildOptions): FakeGuild {
		const guild = this.world.createGuild(options);
		if (guild.botInGuild) this.gateway.dispatchToGuild(guild.id, 'GUILD_CREATE', this.world.guildCreateJson(guild));
		return guild;
	}

	/** The bot is invited (again) to an existing guild. */
	public addBotToGuild(guildId: string): void {
		const guild = this.world.requireGuild(guildId);
		guild.botInGuild = true;
		guild.joinedAt = new Date(this.clock.now()).toISOString();
		this.gateway.dispatchToGuild(guild.id, 'GUILD_CREATE', this.world.guildCreateJson(guild));
	}

	/** The bot is removed from the guild (kicked, or left via REST): GUILD_DELETE without `unavailable`. */
	public removeGuild(guildId: string): void {
		const guild = this.world.requireGuild(guildId);
		if (!guild.botInGuild) return;
		guild.botInGuild = false;
		this.gateway.dispatchToGuild(guild.id, 'GUILD_DELETE', { id: guild.id });
	}

	public isBotInGuild(guildId: string): boolean {
		return this.world.guilds.get(guildId)?.botInGuild ?? false;
	}

	public guild(guildId: string): FakeGuild {
		return this.world.requireGuild(guildId);
	}

	public channel(channelId: string): FakeChannel | undefined {
		return this.world.channels.get(channelId);
	}

	/** `permissions` (a bitfield) is added on top of the roles'; members' computed permissions appear in interactions. */
	public addMember(guildId: string, userId: string, options: { roles?: string[]; permissions?: bigint | string } = {}): FakeMember {
		return this.world.addMember(guildId, userId, options);
	}

	/** A member's permissions in the guild (owner, administrator, roles and extra permissions), as interactions carry them. */
	public memberPermissions(guildId: string, userId: string): bigint {
		const guild = this.world.requireGuild(guildId);
		const member = guild.members.get(userId);
		if (!member) throw new Error(`fake-discord: user ${userId} is not a member of guild ${guildId}`);
		return this.world.memberPermissions(guild, member);
	}

	/** Creates a role; like Discord, tells the bot with GUILD_ROLE_CREATE (discord.js resolves members' roles from its cache). */
	public createRole(guildId: string, options: { name: string; permissions?: bigint | string; mentionable?: boolean; id?: string }): FakeRole {
		const role = this.world.createRole(guildId, options);
		if (this.world.requireGuild(guildId).botInGuild)
			this.gateway.dispatchToGuild(guildId, 'GUILD_ROLE_CREATE', { guild_id: guildId, role: { ...role } });
		return role;
	}

	/** Someone else (a moderator) deletes a message; the bot's later edits of it get 10008 Unknown Message. */
	public deleteMessage(messageId: string): void {
		const message = this.messageStore.get(messageId);
		if (!message || message.deleted) throw new Error(`fake-discord: no message ${messageId} to delete`);
		this.messageStore.delete(message);
	}

	/** The shard that receives a guild's events, for the shard count the bot identified with (or `shardCount`). */
	public shardForGuild(guildId: string, shardCount = this.gateway.identifiedShardCount() || (this.options.shardCount ?? 1)): number {
		return shardForGuild(guildId, shardCount);
	}

	// ----- commands -----

	/** Every command the bot registered, global and per guild (guild ones carry `guild_id`). */
	public get commands(): RegisteredCommand[] {
		return this.commandStore.all();
	}

	/** Resolves once commands with all these names are registered (any scope); without names, once any is and registration went quiet for 300 ms. */
	public waitForCommands(names?: string[], timeoutMs = 15_000): Promise<RegisteredCommand[]> {
		return new Promise((resolve, reject) => {
			let quietTimer: NodeJS.Timeout | undefined;
			const check = () => {
				const all = this.commandStore.all();
				if (names) {
					if (names.every((name) => all.some((command) => command.name === name))) done(() => resolve(all));
					return;
				}
				if (all.length === 0) return;
				clearTimeout(quietTimer);
				quietTimer = setTimeout(() => done(() => resolve(this.commandStore.all())), 300);
			};
			const timer = setTimeout(
				() =>
					done(() =>
						reject(
							new Error(
								`fake-discord: commands ${names ? JSON.stringify(names) : '(any)'} not registered within ${timeoutMs} ms; registered: ${JSON.stringify(this.commandStore.all().map((command) => command.name))}`
							)
						)
					),
				timeoutMs
			);
			const done = (settle: () => void) => {
				clearTimeout(timer);
				clearTimeout(quietTimer);
				this.commandStore.off('change', check);
				settle();
			};
			this.commandStore.on('change', check);
			check();
		});
	}

	// ----- interactions -----

	/** `/command [group] [subcommand]` with options, checked against the registered definition. */
	public slash(options: SlashOptions): InteractionHandle {
		return this.interactions.slash(options);
	}

	public click(options: ComponentOptions): InteractionHandle {
		return this.interactions.click(options);
	}

	public select(options: SelectOptions): InteractionHandle {
		return this.interactions.select(options);
	}

	public modalSubmit(options: ModalSubmitOptions): InteractionHandle {
		return this.interactions.modalSubmit(options);
	}

	public autocomplete(options: AutocompleteOptions): InteractionHandle {
		return this.interactions.autocomplete(options);
	}

	/** Every interaction dispatched so far (the most recent 50 000). */
	public get interactionLog(): InteractionRecord[] {
		return this.interactions.all();
	}

	/**
	 * Callbacks refused with 40060 because the interaction was already answered, oldest first. With several sessions
	 * on a shard (a deploy overlap) these are expected and not violations; a test counts them here.
	 */
	public get repeatedCallbacks(): Array<{ interactionId: string; label: string; at: number; type: unknown }> {
		return this.interactions
			.all()
			.flatMap((record) => record.repeatedCallbacks.map((attempt) => ({ interactionId: record.id, label: record.label, ...attempt })))
			.sort((a, b) => a.at - b.at);
	}

	// ----- reading messages -----

	/** Messages in a channel, oldest first, latest state; ephemeral ones included (check `flags & 64`). */
	public messages(channelId: string, options: { includeDeleted?: boolean } = {}): FakeMessage[] {
		return this.messageStore.inChannel(channelId, options);
	}

	/** The DM channel between the bot and a user (created on first use, like `POST /users/@me/channels`). */
	public dmChannel(userId: string): FakeChannel {
		return this.world.dmChannelFor(userId);
	}

	/** Messages the bot sent to a user's DM channel. */
	public dms(userId: string): FakeMessage[] {
		return this.messageStore.inChannel(this.world.dmChannelFor(userId).id);
	}

	public message(messageId: string): FakeMessage | undefined {
		return this.messageStore.get(messageId);
	}

	/**
	 * Messages that notified this user, role or everyone when they were sent (`message.pinged`), oldest first.
	 * Edits never notify; mentions a message merely shows now are in `message.wouldPing`.
	 */
	public messagesPinging(target: { userId: string } | { roleId: string } | { everyone: true }): FakeMessage[] {
		const pinged = (message: FakeMessage) =>
			'userId' in target
				? message.pinged.users.includes(target.userId)
				: 'roleId' in target
					? message.pinged.roles.includes(target.roleId)
					: message.pinged.everyone;
		return this.messageStore.all().filter((message) => !message.deleted && pinged(message));
	}

	/** A user writes in a channel (e.g. so the bot can reply to them): stored, and MESSAGE_CREATE goes to the bot. */
	public postUserMessage(options: { user: FakeUser | string; channelId: string; content: string }): FakeMessage {
		const author = this.world.requireUser(typeof options.user === 'string' ? options.user : options.user.id);
		const channel = this.world.channels.get(options.channelId);
		if (!channel) throw new Error(`fake-discord: unknown channel ${options.channelId}`);
		const message = this.messageStore.create({
			channelId: channel.id,
			...(channel.guild_id ? { guildId: channel.guild_id } : {}),
			author,
			body: { content: options.content },
			files: []
		});
		channel.last_message_id = message.id;
		const payload = { ...this.messageStore.toApi(message), channel_type: channel.type };
		if (channel.guild_id) {
			const guild = this.world.requireGuild(channel.guild_id);
			const { user: _user, ...member } = this.world.memberJson(guild, this.world.ensureMember(guild.id, author.id), false);
			this.gateway.dispatchToGuild(guild.id, 'MESSAGE_CREATE', { ...payload, member });
		} else this.gateway.dispatchToShard(0, 'MESSAGE_CREATE', payload);
		return message;
	}

	/** The first message (existing or future, created or edited) matching `predicate`. */
	public waitForMessage(predicate: (message: FakeMessage) => boolean, timeoutMs = 5_000): Promise<FakeMessage> {
		return new Promise((resolve, reject) => {
			const existing = this.messageStore.all().find((message) => !message.deleted && predicate(message));
			if (existing) return resolve(existing);
			const check = (message: FakeMessage) => {
				if (!message.deleted && predicate(message)) finish(() => resolve(message));
			};
			const timer = setTimeout(() => finish(() => reject(new Error(`fake-discord: no matching message within ${timeoutMs} ms`))), timeoutMs);
			const finish = (settle: () => void) => {
				clearTimeout(timer);
				this.messageStore.off('create', check);
				this.messageStore.off('update', check);
				settle();
			};
			this.messageStore.on('create', check);
			this.messageStore.on('update', check);
		});
	}

	// ----- logs -----

	/** Every REST request: method, route template, status, time and how long the fake took. */
	public get requestLog(): RequestLogEntry[] {
		return this.rest.requestLog;
	}

	/** CONNECT / IDENTIFY / READY / RESUME / RESUMED / INVALID_SESSION / DROPPED / CLOSE, per shard. */
	public get gatewayLog(): GatewayLogEntry[] {
		return this.gateway.log;
	}

	/** Shard ids the bot currently has connected and identified. */
	public connectedShards(): number[] {
		return this.gateway.connectedShards();
	}

	/** Live gateway sessions (optionally of one shard), oldest first; two processes on one shard are two sessions. */
	public sessions(shardId?: number): SessionInfo[] {
		return this.gateway.sessionList().filter((session) => shardId === undefined || session.shardId === shardId);
	}

	/** The next gateway event of this kind (after `since`, epoch ms of the fake clock, default: now). */
	public waitForGatewayEvent(
		kind: GatewayEventKind,
		options: { shardId?: number; since?: number; timeoutMs?: number } = {}
	): Promise<GatewayLogEntry> {
		const since = options.since ?? this.clock.now();
		const fits = (entry: GatewayLogEntry) =>
			entry.kind === kind && entry.at >= since && (options.shardId === undefined || entry.shardId === options.shardId);
		return new Promise((resolve, reject) => {
			const existing = this.gateway.log.find(fits);
			if (existing) return resolve(existing);
			const timeoutMs = options.timeoutMs ?? 10_000;
			const listener = (entry: GatewayLogEntry) => {
				if (!fits(entry)) return;
				clearTimeout(timer);
				this.gateway.off('event', listener);
				resolve(entry);
			};
			const timer = setTimeout(() => {
				this.gateway.off('event', listener);
				reject(
					new Error(`fake-discord: no ${kind}${options.shardId === undefined ? '' : ` on shard ${options.shardId}`} within ${timeoutMs} ms`)
				);
			}, timeoutMs);
			this.gateway.on('event', listener);
		});
	}

	// ----- fault injection -----

	/** Kills the shard's connection: resumable (the socket just dies) or not (op 9 `d: false`, the session is gone). */
	public dropShard(shardId: number, options: { resumable: boolean } = { resumable: true }): void {
		if (this.gateway.dropShard(shardId, options) === 0)
			throw new Error(`fake-discord: dropShard(${shardId}): no connected session on that shard`);
	}

	/** Like `dropShard` for one session (`fake.sessions()`), leaving the shard's other sessions running. */
	public dropSession(sessionId: string, options: { resumable: boolean } = { resumable: true }): void {
		if (!this.gateway.dropSession(sessionId, options))
			throw new Error(`fake-discord: dropSession(${sessionId}): no connected session with that id`);
	}

	/** Op 7 Reconnect: the client should close and RESUME. */
	public reconnectShard(shardId: number): void {
		if (this.gateway.requestReconnect(shardId) === 0)
			throw new Error(`fake-discord: reconnectShard(${shardId}): no connected session on that shard`);
	}

	/** Op 9 Invalid Session with `d: resumable`. */
	public invalidateSession(shardId: number, resumable: boolean): void {
		if (this.gateway.invalidateSession(shardId, resumable) === 0)
			throw new Error(`fake-discord: invalidateSession(${shardId}): no connected session on that shard`);
	}

	/** The next `count` matching requests get 429 with `Retry-After` (see RouteMatcher for matchers; `Route` has templates). */
	public rateLimitNext(matcher: RouteMatcher, count: number, retryAfterSeconds: number): void {
		this.rest.rateLimitNext(matcher, count, retryAfterSeconds);
	}

	/** Holds the next matching request until `release()` (see {@link RestApi.holdNext}). */
	public holdNext(matcher: RouteMatcher): RequestHold {
		return this.rest.holdNext(matcher);
	}

	/** The next `count` matching requests fail with `status` (5xx by default). */
	public failNext(matcher: RouteMatcher, count: number, status = 500): void {
		this.rest.failNext(matcher, count, status);
	}

	/** Discord's global limit on authenticated requests (about 50/s for a bot); off unless a test turns it on. */
	public setGlobalRateLimit(perSecond: number | null): void {
		this.rest.setGlobalRateLimit(perSecond);
	}

	/** Requests the global limit refused with 429. */
	public get globalLimitHits(): number {
		return this.rest.globalLimitHits;
	}

	/** Injected faults not yet consumed. */
	public pendingFaults(): number {
		return this.rest.pendingFaults();
	}

	/** A readable summary of violations and unknown routes, empty when the protocol was followed. */
	public protocolProblems(): string[] {
		return [
			...this.violations.map(
				(violation) => `violation: ${violation.method} ${violation.route} → ${violation.status} ${violation.code}: ${violation.reason}`
			),
			...this.unknownRoutes.map((route) => `unknown route: ${route.method} ${route.path}`)
		];
	}
}
