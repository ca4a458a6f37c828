/**
 * Interactions the way Discord builds them: the driver turns a test's intent (`slash`, `click`, `select`,
 * `modalSubmit`, `autocomplete`) into the INTERACTION_CREATE payload Discord would send, checked against what the bot
 * registered, and returns a handle that follows the bot's answer (callback, original response, follow-ups).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { FakeClock } from './clock.js';
import type { CommandOption, CommandStore, RegisteredCommand } from './commands.js';
import type { Gateway } from './gateway.js';
import { MessageFlags, type FakeMessage, type MessageStore } from './messages.js';
import { DEFAULT_BOT_PERMISSIONS, Permission } from './permissions.js';
import type { SnowflakeGenerator } from './snowflake.js';
import { isDiscordLocale } from './validation.js';
import { ChannelType, type FakeChannel, type FakeGuild, type FakeUser, type World } from './world.js';

export const InteractionType = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4, ModalSubmit: 5 } as const;
export const CallbackType = {
	Pong: 1,
	ChannelMessage: 4,
	DeferredChannelMessage: 5,
	DeferredUpdateMessage: 6,
	UpdateMessage: 7,
	AutocompleteResult: 8,
	Modal: 9
} as const;
const OptionType = {
	Subcommand: 1,
	SubcommandGroup: 2,
	String: 3,
	Integer: 4,
	Boolean: 5,
	User: 6,
	Channel: 7,
	Role: 8,
	Mentionable: 9,
	Number: 10,
	Attachment: 11
} as const;

/** Discord's deadline for the first callback, and the lifetime of the interaction token for edits and follow-ups. */
export const CALLBACK_DEADLINE_MS = 3_000;
/**
 * A late callback counts as the bot's fault only if a session received the interaction at least this long before
 * the deadline: a bot that gets it later (replayed after a resume) cannot be expected to answer in time.
 */
export const ANSWERABLE_WITHIN_MS = 250;

/** How long after its dispatch the interaction first reached a session (`null`: it never did). */
export function firstDeliveryMs(record: InteractionRecord): number | null {
	return record.deliveredAt.length > 0 ? Math.min(...record.deliveredAt) - record.dispatchedAt : null;
}

/** Whether a session had the interaction early enough to answer it in time ({@link ANSWERABLE_WITHIN_MS}). */
export function couldAnswerInTime(record: InteractionRecord): boolean {
	const first = firstDeliveryMs(record);
	return first !== null && first <= CALLBACK_DEADLINE_MS - ANSWERABLE_WITHIN_MS;
}
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Records kept for callbacks and webhooks; older interactions are forgotten (their token then answers 404). */
const RETAINED_INTERACTIONS = 50_000;
/** A wait's timer this late means the test process itself was stalled; the wait then gets {@link STALL_GRACE_MS} more. */
const STALL_MS = 250;
const STALL_GRACE_MS = 1_000;

/**
 * Who acted and when, for a timeout's message: which member, when sessions received it, and how long the wait really
 * took (a wait much longer than its timeout means this test process itself was stalled, not the bot).
 */
function describeWait(record: InteractionRecord): string {
	const delivered = record.deliveredAt.map((at) => `+${at - record.dispatchedAt} ms`).join(', ') || 'never';
	return `interaction ${record.id} by ${record.user.username}, delivered ${delivered}, ${Math.round(performance.now() - record.dispatchedPerf)} ms since the dispatch`;
}

export interface CallbackBody {
	type: number;
	data: Record<string, unknown> | null;
}

export interface InteractionRecord {
	id: string;
	token: string;
	type: number;
	/** What the test did, for error messages: `/poll create`, `click poll:vote`. */
	label: string;
	guildId: string | null;
	channelId: string;
	user: FakeUser;
	payload: Record<string, unknown>;
	/** Fake-clock time of the dispatch (deadlines) and high-resolution time (latency measurement). */
	dispatchedAt: number;
	dispatchedPerf: number;
	callback: (CallbackBody & { ms: number }) | null;
	/** The response message: created by a type 4/5 callback, or the clicked message for type 6/7. */
	originalMessageId: string | null;
	/** The message a component (or a modal opened from one) belongs to. */
	sourceMessageId: string | null;
	followUpIds: string[];
	modal: Record<string, unknown> | null;
	/** For a deferred update (type 6): the message's edit count at the callback, so only a later edit completes it. */
	editCountAtCallback: number;
	/** How many gateway sessions received the INTERACTION_CREATE (more than one during a deploy overlap). */
	deliveredTo: number;
	/**
	 * Fake-clock times at which it reached a session's socket: at the dispatch, or later when a session that was down
	 * resumed and had it replayed (a resume after the 3 s leaves nothing to answer in time).
	 */
	deliveredAt: number[];
	/** Callbacks after the accepted one, each refused with 40060 (e.g. the second process of a deploy overlap). */
	repeatedCallbacks: Array<{ at: number; type: unknown }>;
}

export type UserRef = FakeUser | string;

export interface SlashOptions {
	user: UserRef;
	/** Omit for a DM with the bot. */
	guildId?: string;
	/** Defaults to the guild's first text channel, or the user's DM channel. */
	channelId?: string;
	/** Command path as typed: `ping`, `poll create`, `settings roles add`. */
	command: string;
	/** Leaf option values by name. Users, roles and channels by id (or the FakeUser). */
	options?: Record<string, string | number | boolean | FakeUser>;
	locale?: string;
}

export interface AutocompleteOptions extends SlashOptions {
	/** The option being typed in; its value in `options` is the partial text (defaults to ''). */
	focused: string;
}

export interface ComponentOptions {
	user: UserRef;
	/** The message as the fake stores it (`fake.messages(...)`, `handle.waitForOriginal()`), or a raw message object. */
	message: FakeMessage | Record<string, unknown>;
	customId: string;
	locale?: string;
}

export interface SelectOptions extends ComponentOptions {
	values: string[];
}

export interface ModalSubmitOptions {
	user?: UserRef;
	/** The interaction the bot answered with a modal (callback type 9). */
	from: InteractionHandle;
	/** By custom_id: a text input's text, or a select's chosen values (option values, or user/role/channel ids). */
	values: Record<string, string | string[]>;
	locale?: string;
}

export class InteractionError extends Error {}

/** A dispatched interaction, followed through the bot's answer. */
export class InteractionHandle {
	/** Resolves with the callback body once the fake accepted it; rejects if none came in time or Discord refused it. */
	public readonly response: Promise<CallbackBody>;

	public constructor(
		public readonly record: InteractionRecord,
		private readonly registry: InteractionRegistry,
		private readonly messages: MessageStore,
		responseTimeoutMs: number
	) {
		this.response = registry.waitForCallback(record, responseTimeoutMs);
		// A test that never awaits `response` must not crash the run with an unhandled rejection.
		this.response.catch(() => undefined);
	}

	public get id(): string {
		return this.record.id;
	}

	public get token(): string {
		return this.record.token;
	}

	/** What was sent to the bot (INTERACTION_CREATE's `d`). */
	public get payload(): Record<string, unknown> {
		return this.record.payload;
	}

	/** Milliseconds from dispatch to the callback request arriving; undefined before the callback. */
	public get callbackMs(): number | undefined {
		return this.record.callback?.ms;
	}

	public get original(): FakeMessage | undefined {
		return this.record.originalMessageId ? this.messages.get(this.record.originalMessageId) : undefined;
	}

	public get followUps(): FakeMessage[] {
		return this.record.followUpIds.map((id) => this.messages.get(id)!).filter((message) => !message.deleted);
	}

	/** The modal the bot opened (callback type 9), if any. */
	public get modal(): Record<string, unknown> | null {
		return this.record.modal;
	}

	/**
	 * The response message once it has content: immediately after a type 4/7 callback, after the PATCH of
	 * `@original` for a deferred reply (type 5), after the edit for a deferred update (type 6).
	 */
	public waitForOriginal(timeoutMs = 5_000): Promise<FakeMessage> {
		return this.registry.waitFor(
			() => {
				const message = this.original;
				const callbackType = this.record.callback?.type;
				if (!message || (message.flags & MessageFlags.Loading) !== 0) return undefined;
				// A deferred update counts once the bot edited the message (or right away for type 7).
				if (callbackType === CallbackType.DeferredUpdateMessage && message.editCount <= this.record.editCountAtCallback) return undefined;
				return message;
			},
			timeoutMs,
			() =>
				`${this.record.label}: no original response within ${timeoutMs} ms (callback: ${this.record.callback ? `type ${this.record.callback.type}` : 'none'}; ${describeWait(this.record)})`
		);
	}

	/** The n-th follow-up (0-based) once it exists. */
	public waitForFollowUp(index = 0, timeoutMs = 5_000): Promise<FakeMessage> {
		return this.registry.waitFor(
			() => this.followUps[index],
			timeoutMs,
			() => `${this.record.label}: follow-up #${index} did not arrive within ${timeoutMs} ms (got ${this.followUps.length})`
		);
	}
}

export interface InteractionDeps {
	world: World;
	commands: CommandStore;
	messages: MessageStore;
	gateway: Gateway;
	clock: FakeClock;
	ids: SnowflakeGenerator;
	responseTimeoutMs: number;
}

/** Owns every interaction record and builds the payloads. */
export class InteractionRegistry extends EventEmitter<{ dispatch: [InteractionRecord]; callback: [InteractionRecord]; change: [] }> {
	private readonly byId = new Map<string, InteractionRecord>();
	/** Why Discord refused an interaction's callback, by interaction id. */
	private readonly refusals = new Map<string, string>();

	public constructor(private readonly deps: InteractionDeps) {
		super();
		this.setMaxListeners(0);
		// Any message change may complete a waiter (original filled, follow-up posted).
		deps.messages.on('create', () => this.emit('change'));
		deps.messages.on('update', () => this.emit('change'));
	}

	public get(id: string): InteractionRecord | undefined {
		return this.byId.get(id);
	}

	public all(): InteractionRecord[] {
		return [...this.byId.values()];
	}

	/** Records and announces an accepted callback (the REST layer validated it). */
	public markCallback(record: InteractionRecord, body: CallbackBody): void {
		record.callback = { ...body, ms: performance.now() - record.dispatchedPerf };
		this.emit('callback', record);
		this.emit('change');
	}

	/** A follow-up message of `record`'s, announced once it is listed (its create was announced before). */
	public markFollowUp(record: InteractionRecord, messageId: string): void {
		record.followUpIds.push(messageId);
		this.emit('change');
	}

	/** A callback after the accepted one: Discord answers 40060 and the first answer stands. */
	public markRepeated(record: InteractionRecord, type: unknown): void {
		record.repeatedCallbacks.push({ at: this.deps.clock.now(), type });
		this.emit('change');
	}

	/** Called when Discord refused the callback, so the handle can say why instead of timing out. */
	public markRefused(record: InteractionRecord, reason: string): void {
		this.refusals.set(record.id, reason);
		this.emit('change');
	}

	public waitForCallback(record: InteractionRecord, timeoutMs: number): Promise<CallbackBody> {
		return this.waitFor<CallbackBody>(
			() => {
				// An accepted callback wins over a refused later one (40060 for the second process of a deploy overlap).
				if (record.callback) return { type: record.callback.type, data: record.callback.data };
				const refusal = this.refusals.get(record.id);
				if (refusal) throw new InteractionError(`${record.label}: Discord refused the callback: ${refusal}`);
				return undefined;
			},
			timeoutMs,
			() => `${record.label}: the bot sent no interaction callback within ${timeoutMs} ms (${describeWait(record)})`
		);
	}

	/** Re-evaluates `probe` on every change until it returns a value (or throws). */
	public waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const check = () => {
				try {
					const value = probe();
					if (value === undefined) return;
					finish();
					resolve(value);
				} catch (error) {
					finish();
					reject(error);
				}
			};
			const since = performance.now();
			const expire = () => {
				// A timer that fires well past its time means this process was stalled (2 cores shared by the whole
				// suite): what the bot sent meanwhile is still unread on the socket. Read it before judging the bot.
				if (performance.now() - since - timeoutMs > STALL_MS && timer !== graceTimer) {
					timer = graceTimer = setTimeout(expire, STALL_GRACE_MS);
					return;
				}
				finish();
				reject(new InteractionError(describe()));
			};
			let graceTimer: NodeJS.Timeout | undefined;
			let timer = setTimeout(expire, timeoutMs);
			const finish = () => {
				clearTimeout(timer);
				this.off('change', check);
			};
			this.on('change', check);
			check();
		});
	}

	// ----- builders -----

	public slash(options: SlashOptions): InteractionHandle {
		const { command, path, leafDefinitions } = this.resolveCommand(options.command, options.guildId);
		const context = this.context(options.user, options.guildId, options.channelId);
		this.checkCommandAvailable(command, context);
		const leaf = buildOptionValues(leafDefinitions, options.options ?? {}, context, this.deps.world, null, `/${options.command}`);
		const data = {
			id: command.id,
			name: command.name,
			type: 1,
			...(command.guild_id ? { guild_id: command.guild_id } : {}),
			...nestOptions(path, leaf.options),
			...(leaf.resolved ? { resolved: leaf.resolved } : {})
		};
		return this.dispatch(InteractionType.ApplicationCommand, `/${options.command}`, context, { data }, options.locale);
	}

	public autocomplete(options: AutocompleteOptions): InteractionHandle {
		const { command, path, leafDefinitions } = this.resolveCommand(options.command, options.guildId);
		const context = this.context(options.user, options.guildId, options.channelId);
		const focusedDefinition = leafDefinitions.find((definition) => definition.name === options.focused);
		if (!focusedDefinition?.autocomplete)
			throw new InteractionError(`/${options.command}: option "${options.focused}" is not an autocomplete option`);
		const values = { [options.focused]: '', ...options.options };
		const leaf = buildOptionValues(leafDefinitions, values, context, this.deps.world, options.focused, `/${options.command}`);
		const data = {
			id: command.id,
			name: command.name,
			type: 1,
			...(command.guild_id ? { guild_id: command.guild_id } : {}),
			...nestOptions(path, leaf.options)
		};
		return this.dispatch(
			InteractionType.Autocomplete,
			`/${options.command} (autocomplete ${options.focused})`,
			context,
			{ data },
			options.locale
		);
	}

	public click(options: ComponentOptions): InteractionHandle {
		const { component, message } = this.findComponent(options.message, options.customId);
		if (component.type !== 2)
			throw new InteractionError(`click: component "${options.customId}" is not a button (type ${String(component.type)})`);
		if (component.style === 5 || component.style === 6)
			throw new InteractionError(`click: "${options.customId}" is a link/premium button; Discord sends no interaction for it`);
		const context = this.context(options.user, message.guild_id as string | undefined, message.channel_id as string);
		return this.dispatchComponent(
			`click ${options.customId}`,
			context,
			message,
			options.locale,
			{ custom_id: options.customId, component_type: 2 },
			component
		);
	}

	public select(options: SelectOptions): InteractionHandle {
		const { component, message } = this.findComponent(options.message, options.customId);
		const type = component.type as number;
		if (![3, 5, 6, 7, 8].includes(type))
			throw new InteractionError(`select: component "${options.customId}" is not a select menu (type ${type})`);
		const min = (component.min_values as number | undefined) ?? 1;
		const max = (component.max_values as number | undefined) ?? 1;
		if (options.values.length < min || options.values.length > max)
			throw new InteractionError(`select "${options.customId}": ${options.values.length} value(s) chosen, the menu allows ${min}..${max}`);
		if (type === 3) {
			const allowed = new Set(((component.options as Array<{ value: string }> | undefined) ?? []).map((option) => option.value));
			const unknown = options.values.filter((value) => !allowed.has(value));
			if (unknown.length > 0)
				throw new InteractionError(`select "${options.customId}": values ${JSON.stringify(unknown)} are not options of the menu`);
		}
		const context = this.context(options.user, message.guild_id as string | undefined, message.channel_id as string);
		const resolved = type === 3 ? null : resolveSelectValues(type, options.values, context, this.deps.world);
		const data = { custom_id: options.customId, component_type: type, values: [...options.values], ...(resolved ? { resolved } : {}) };
		return this.dispatchComponent(`select ${options.customId}`, context, message, options.locale, data, component);
	}

	/** A MESSAGE_COMPONENT interaction for `component` of `message`, carrying the component's numeric id as Discord does. */
	private dispatchComponent(
		label: string,
		context: InteractionContext,
		message: Record<string, unknown>,
		locale: string | undefined,
		data: Record<string, unknown>,
		component: Record<string, unknown>
	): InteractionHandle {
		const withId = { ...data, ...(typeof component.id === 'number' ? { id: component.id } : {}) };
		return this.dispatch(InteractionType.MessageComponent, label, context, { data: withId, message }, locale, message.id as string);
	}

	public modalSubmit(options: ModalSubmitOptions): InteractionHandle {
		const source = options.from.record;
		const modal = source.modal;
		if (!modal) throw new InteractionError(`modalSubmit: ${source.label} was not answered with a modal`);
		const label = `modal ${String(modal.custom_id)}`;
		const tree = modal.components as Array<Record<string, unknown>>;
		const inputs = modalInputs(tree);
		const unknown = Object.keys(options.values).filter((customId) => !inputs.has(customId));
		if (unknown.length > 0)
			throw new InteractionError(
				`${label}: no input with custom_id ${unknown.join(', ')} (inputs: ${[...inputs.keys()].join(', ') || 'none'})`
			);
		for (const [customId, input] of inputs) checkModalValue(input, options.values[customId], `${label} ${customId}`);

		const context = this.context(options.user ?? source.user, source.guildId ?? undefined, source.channelId);
		const resolved: Record<string, Record<string, unknown>> = {};
		for (const [customId, input] of inputs) {
			const chosen = options.values[customId];
			if (input.type === 3 || input.type === 4 || !Array.isArray(chosen)) continue;
			for (const [kind, entries] of Object.entries(resolveSelectValues(input.type as number, chosen, context, this.deps.world) ?? {}))
				resolved[kind] = { ...resolved[kind], ...entries };
		}
		const submitted = tree.map((node) => fillModalNode(node, options.values));
		const sourceMessage = source.sourceMessageId ? this.deps.messages.get(source.sourceMessageId) : undefined;
		const data = { custom_id: modal.custom_id, components: submitted, ...(Object.keys(resolved).length > 0 ? { resolved } : {}) };
		return this.dispatch(
			InteractionType.ModalSubmit,
			label,
			context,
			{ data, ...(sourceMessage ? { message: this.deps.messages.toApi(sourceMessage) } : {}) },
			options.locale,
			sourceMessage?.id ?? null
		);
	}

	// ----- internals -----

	private dispatch(
		type: number,
		label: string,
		context: InteractionContext,
		extra: Record<string, unknown>,
		locale: string | undefined,
		sourceMessageId: string | null = null
	): InteractionHandle {
		const { world, gateway, clock, ids } = this.deps;
		if (locale !== undefined && !isDiscordLocale(locale))
			throw new InteractionError(`${label}: ${JSON.stringify(locale)} is not a Discord locale code`);
		const id = ids.next();
		const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
		const payload: Record<string, unknown> = {
			id,
			application_id: world.applicationId,
			type,
			token,
			version: 1,
			locale: locale ?? world.userLocale(context.user.id),
			entitlements: [],
			attachment_size_limit: 10_485_760,
			...context.payload,
			...extra
		};
		const record: InteractionRecord = {
			id,
			token,
			type,
			label,
			guildId: context.guild?.id ?? null,
			channelId: context.channel.id,
			user: context.user,
			payload,
			dispatchedAt: clock.now(),
			dispatchedPerf: performance.now(),
			callback: null,
			originalMessageId: null,
			sourceMessageId,
			followUpIds: [],
			modal: null,
			editCountAtCallback: 0,
			deliveredTo: 0,
			deliveredAt: [],
			repeatedCallbacks: []
		};
		this.byId.set(id, record);
		if (this.byId.size > RETAINED_INTERACTIONS) {
			const oldest = this.byId.keys().next().value!;
			this.byId.delete(oldest);
			this.refusals.delete(oldest);
		}
		const onDelivered = (at: number) => record.deliveredAt.push(at);
		const delivered = context.guild
			? gateway.dispatchToGuild(context.guild.id, 'INTERACTION_CREATE', payload, onDelivered)
			: gateway.dispatchToShard(0, 'INTERACTION_CREATE', payload, onDelivered);
		record.deliveredTo = delivered;
		if (delivered === 0) {
			this.byId.delete(id);
			throw new InteractionError(
				`${label}: the bot has no gateway session for ${context.guild ? `guild ${context.guild.id}` : 'DMs (shard 0)'}`
			);
		}
		this.emit('dispatch', record);
		return new InteractionHandle(record, this, this.deps.messages, this.deps.responseTimeoutMs);
	}

	private context(userRef: UserRef, guildId: string | undefined, channelId: string | undefined): InteractionContext {
		const { world } = this.deps;
		const user = world.requireUser(typeof userRef === 'string' ? userRef : userRef.id);
		if (!guildId) {
			const channel = channelId ? world.channels.get(channelId) : world.dmChannelFor(user.id);
			if (!channel || channel.type !== ChannelType.DM) throw new InteractionError(`channel ${channelId} is not a DM channel`);
			return {
				user,
				guild: null,
				channel,
				appPermissions: DEFAULT_BOT_PERMISSIONS,
				payload: {
					user: { ...user },
					channel_id: channel.id,
					channel: { ...channel },
					app_permissions: DEFAULT_BOT_PERMISSIONS.toString(),
					context: 1,
					authorizing_integration_owners: { '0': '0' }
				}
			};
		}
		const guild = world.requireGuild(guildId);
		if (!guild.botInGuild) throw new InteractionError(`guild ${guildId}: the bot is not in it, Discord would not deliver interactions`);
		const channel = world.channels.get(channelId ?? guild.defaultChannelId);
		if (!channel || channel.guild_id !== guild.id) throw new InteractionError(`channel ${channelId} is not in guild ${guildId}`);
		const member = world.ensureMember(guild.id, user.id);
		const appPermissions = world.botPermissions(guild.id);
		return {
			user,
			guild,
			channel,
			appPermissions,
			payload: {
				guild_id: guild.id,
				guild: { id: guild.id, features: [...guild.features], locale: guild.locale },
				guild_locale: guild.locale,
				member: world.memberJson(guild, member, true),
				channel_id: channel.id,
				channel: { ...channel, permissions: world.memberPermissions(guild, member).toString() },
				app_permissions: appPermissions.toString(),
				context: 0,
				authorizing_integration_owners: { '0': guild.id }
			}
		};
	}

	private resolveCommand(
		commandPath: string,
		guildId: string | undefined
	): { command: RegisteredCommand; path: string[]; leafDefinitions: CommandOption[] } {
		const [name, ...path] = commandPath.trim().split(/\s+/);
		const candidates = [...(guildId ? this.deps.commands.list(guildId) : []), ...this.deps.commands.list(null)];
		const command = candidates.find((candidate) => candidate.name === name && candidate.type === 1);
		if (!command)
			throw new InteractionError(
				`/${commandPath}: the bot registered no chat input command "${name}" (registered: ${candidates.map((candidate) => candidate.name).join(', ') || 'none'})`
			);
		let definitions = command.options ?? [];
		const hasSubcommands = definitions.some((option) => option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup);
		for (const [depth, part] of path.entries()) {
			const next = definitions.find(
				(option) => option.name === part && (option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup)
			);
			if (!next)
				throw new InteractionError(
					`/${commandPath}: "${part}" is not a subcommand${depth ? ' of that group' : ''} (choices: ${
						definitions
							.filter((option) => option.type <= 2)
							.map((option) => option.name)
							.join(', ') || 'none'
					})`
				);
			definitions = next.options ?? [];
			if (next.type === OptionType.Subcommand && depth !== path.length - 1)
				throw new InteractionError(`/${commandPath}: "${part}" is a subcommand, nothing can follow it`);
		}
		const endsOnLeaf = !definitions.some((option) => option.type === OptionType.Subcommand || option.type === OptionType.SubcommandGroup);
		if ((hasSubcommands && path.length === 0) || !endsOnLeaf)
			throw new InteractionError(`/${commandPath}: incomplete, Discord requires a subcommand`);
		return { command, path, leafDefinitions: definitions };
	}

	private checkCommandAvailable(command: RegisteredCommand, context: InteractionContext): void {
		if (!context.guild) {
			const dmAllowed = command.contexts ? command.contexts.includes(1) : command.dm_permission !== false;
			if (command.guild_id || !dmAllowed) throw new InteractionError(`/${command.name} is not available in DMs`);
			return;
		}
		if (command.contexts && !command.contexts.includes(0)) throw new InteractionError(`/${command.name} is not available in guilds`);
		if (command.default_member_permissions !== null) {
			const member = this.deps.world.ensureMember(context.guild.id, context.user.id);
			const has = this.deps.world.memberPermissions(context.guild, member);
			// "0" hides the command from everyone but administrators (Discord's rule for disabled-by-default commands).
			const needed = BigInt(command.default_member_permissions) || Permission.Administrator;
			if ((has & needed) !== needed)
				throw new InteractionError(
					`/${command.name}: the user lacks default_member_permissions ${command.default_member_permissions}; Discord hides the command from them`
				);
		}
	}

	private findComponent(
		messageInput: FakeMessage | Record<string, unknown>,
		customId: string
	): { component: Record<string, unknown>; message: Record<string, unknown> } {
		const stored = 'wouldPing' in messageInput ? (messageInput as FakeMessage) : undefined;
		const latest = stored ? (this.deps.messages.get(stored.id) ?? stored) : undefined;
		if (latest?.deleted) throw new InteractionError(`message ${latest.id} was deleted; nobody can click it`);
		const message = latest ? this.deps.messages.toApi(latest) : structuredClone(messageInput as Record<string, unknown>);
		let found: Record<string, unknown> | undefined;
		const visit = (node: unknown) => {
			if (found || typeof node !== 'object' || node === null) return;
			if (Array.isArray(node)) return node.forEach(visit);
			const component = node as Record<string, unknown>;
			if (component.custom_id === customId) found = component;
			visit(component.components);
			visit(component.accessory);
		};
		visit(message.components);
		if (!found) throw new InteractionError(`message ${String(message.id)} has no component with custom_id "${customId}"`);
		if (found.disabled === true) throw new InteractionError(`component "${customId}" is disabled; Discord does not let users use it`);
		return { component: found, message };
	}
}

interface InteractionContext {
	user: FakeUser;
	guild: FakeGuild | null;
	channel: FakeChannel;
	appPermissions: bigint;
	payload: Record<string, unknown>;
}

interface BuiltOptions {
	options: Array<Record<string, unknown>>;
	resolved: Record<string, Record<string, unknown>> | null;
}

/** Wraps leaf options in the subcommand group/subcommand layers Discord nests them in. */
function nestOptions(path: string[], leaf: Array<Record<string, unknown>>): { options?: Array<Record<string, unknown>> } {
	if (path.length === 0) return leaf.length > 0 ? { options: leaf } : {};
	let options: Array<Record<string, unknown>> = [{ type: OptionType.Subcommand, name: path[path.length - 1], options: leaf }];
	if (path.length === 2) options = [{ type: OptionType.SubcommandGroup, name: path[0], options }];
	return { options };
}

function buildOptionValues(
	definitions: CommandOption[],
	values: Record<string, string | number | boolean | FakeUser>,
	context: InteractionContext,
	world: World,
	focused: string | null,
	label: string
): BuiltOptions {
	const resolved: Record<string, Record<string, unknown>> = {};
	const addResolved = (kind: string, id: string, value: Record<string, unknown>) => {
		resolved[kind] ??= {};
		resolved[kind][id] = value;
	};
	const options: Array<Record<string, unknown>> = [];
	for (const [name, raw] of Object.entries(values)) {
		const definition = definitions.find((candidate) => candidate.name === name);
		if (!definition)
			throw new InteractionError(
				`${label}: no option "${name}" (options: ${definitions.map((candidate) => candidate.name).join(', ') || 'none'})`
			);
		if (name === focused) {
			options.push({ type: definition.type, name, value: String(raw), focused: true });
			continue;
		}
		const value = typeof raw === 'object' ? raw.id : raw;
		checkOptionValue(definition, value, `${label} ${name}`);
		switch (definition.type) {
			case OptionType.User:
			case OptionType.Mentionable:
			case OptionType.Role:
			case OptionType.Channel:
				resolveEntity(definition, String(value), context, world, addResolved, `${label} ${name}`);
		}
		options.push({ type: definition.type, name, value });
	}
	// While autocompleting, the user has not filled the required options yet.
	const missing = focused
		? []
		: definitions.filter((definition) => definition.required && !(definition.name in values)).map((definition) => definition.name);
	if (missing.length > 0) throw new InteractionError(`${label}: required option(s) missing: ${missing.join(', ')}`);
	// Discord sends options in definition order, not in the order the user filled them.
	const order = definitions.map((definition) => definition.name);
	options.sort((a, b) => order.indexOf(a.name as string) - order.indexOf(b.name as string));
	return { options, resolved: Object.keys(resolved).length > 0 ? resolved : null };
}

function checkOptionValue(definition: CommandOption, value: unknown, label: string): void {
	const fail = (why: string) => {
		throw new InteractionError(`${label}: ${why}`);
	};
	switch (definition.type) {
		case OptionType.String:
			if (typeof value !== 'string') fail(`expected a string, got ${JSON.stringify(value)}`);
			if (definition.min_length !== undefined && (value as string).length < definition.min_length)
				fail(`shorter than min_length ${definition.min_length}`);
			if (definition.max_length !== undefined && (value as string).length > definition.max_length)
				fail(`longer than max_length ${definition.max_length}`);
			break;
		case OptionType.Integer:
		case OptionType.Number:
			if (typeof value !== 'number' || (definition.type === OptionType.Integer && !Number.isInteger(value)))
				fail(`expected ${definition.type === OptionType.Integer ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
			if (definition.min_value !== undefined && (value as number) < definition.min_value) fail(`below min_value ${definition.min_value}`);
			if (definition.max_value !== undefined && (value as number) > definition.max_value) fail(`above max_value ${definition.max_value}`);
			break;
		case OptionType.Boolean:
			if (typeof value !== 'boolean') fail(`expected a boolean, got ${JSON.stringify(value)}`);
			break;
		case OptionType.User:
		case OptionType.Role:
		case OptionType.Channel:
		case OptionType.Mentionable:
			if (typeof value !== 'string' || !/^\d{17,20}$/.test(value)) fail(`expected a snowflake id, got ${JSON.stringify(value)}`);
			break;
		case OptionType.Attachment:
			fail('attachment options are not supported by the fake yet');
	}
	if (definition.choices && !definition.choices.some((choice) => choice.value === value))
		fail(`${JSON.stringify(value)} is not one of the choices ${JSON.stringify(definition.choices.map((choice) => choice.value))}`);
}

type AddResolved = (kind: string, id: string, value: Record<string, unknown>) => void;

function resolveEntity(definition: CommandOption, id: string, context: InteractionContext, world: World, add: AddResolved, label: string): void {
	const guild = context.guild;
	const user = world.users.get(id);
	const role = guild?.roles.find((candidate) => candidate.id === id);
	const channel = world.channels.get(id);
	if ((definition.type === OptionType.User || definition.type === OptionType.Mentionable) && user) {
		add('users', id, { ...user });
		const member = guild?.members.get(id);
		if (guild && member) {
			const { user: _user, ...memberWithoutUser } = world.memberJson(guild, member, true);
			add('members', id, memberWithoutUser);
		}
		return;
	}
	if ((definition.type === OptionType.Role || definition.type === OptionType.Mentionable) && role) return add('roles', id, { ...role });
	if (definition.type === OptionType.Channel && channel && (!guild || channel.guild_id === guild.id)) {
		if (definition.channel_types && !definition.channel_types.includes(channel.type))
			throw new InteractionError(`${label}: channel type ${channel.type} is not allowed (${definition.channel_types.join(', ')})`);
		return add('channels', id, {
			id,
			name: channel.name,
			type: channel.type,
			permissions: guild ? world.memberPermissions(guild, world.ensureMember(guild.id, context.user.id)).toString() : '0',
			...(channel.guild_id ? { guild_id: channel.guild_id } : {}),
			parent_id: channel.parent_id ?? null,
			flags: 0
		});
	}
	throw new InteractionError(
		`${label}: ${id} is not a known ${['', '', '', '', '', '', 'user', 'channel', 'role', 'user or role'][definition.type]}${guild ? ` in guild ${guild.id}` : ''}`
	);
}

function resolveSelectValues(
	type: number,
	values: string[],
	context: InteractionContext,
	world: World
): Record<string, Record<string, unknown>> | null {
	const definitionType = { 5: OptionType.User, 6: OptionType.Role, 7: OptionType.Mentionable, 8: OptionType.Channel }[type]!;
	const resolved: Record<string, Record<string, unknown>> = {};
	const add: AddResolved = (kind, id, value) => {
		resolved[kind] ??= {};
		resolved[kind][id] = value;
	};
	for (const value of values) resolveEntity({ type: definitionType, name: 'select', description: '' }, value, context, world, add, 'select');
	return resolved;
}

const withId = (node: Record<string, unknown>) => (typeof node.id === 'number' ? { id: node.id } : {});

/**
 * Turns a modal's component tree into the submitted tree, as Discord sends it: text inputs get their `value`, selects
 * their `values` (empty when nothing was chosen), other components only keep type and id.
 */
function fillModalNode(node: Record<string, unknown>, values: Record<string, string | string[]>): Record<string, unknown> {
	const chosen = typeof node.custom_id === 'string' ? values[node.custom_id] : undefined;
	if (node.type === 4) return { type: 4, ...withId(node), custom_id: node.custom_id, value: typeof chosen === 'string' ? chosen : '' };
	if (SELECT_COMPONENT_TYPES.has(node.type as number))
		return { type: node.type, ...withId(node), custom_id: node.custom_id, values: Array.isArray(chosen) ? [...chosen] : [] };
	if (node.type === 18) return { type: 18, ...withId(node), component: fillModalNode(node.component as Record<string, unknown>, values) };
	if (node.type === 1)
		return {
			type: 1,
			...withId(node),
			components: (node.components as Array<Record<string, unknown>>).map((child) => fillModalNode(child, values))
		};
	return { type: node.type, ...withId(node) };
}

const SELECT_COMPONENT_TYPES = new Set([3, 5, 6, 7, 8]);

/** The modal's inputs (text inputs and selects) by custom_id, wherever they sit (action row or Label). */
function modalInputs(nodes: Array<Record<string, unknown>>): Map<string, Record<string, unknown>> {
	const inputs = new Map<string, Record<string, unknown>>();
	const visit = (node: Record<string, unknown>) => {
		if ((node.type === 4 || SELECT_COMPONENT_TYPES.has(node.type as number)) && typeof node.custom_id === 'string')
			inputs.set(node.custom_id, node);
		if (Array.isArray(node.components)) (node.components as Array<Record<string, unknown>>).forEach(visit);
		if (node.component) visit(node.component as Record<string, unknown>);
	};
	nodes.forEach(visit);
	return inputs;
}

/** What Discord's client would let the user submit: required inputs filled, lengths and select counts respected. */
function checkModalValue(input: Record<string, unknown>, value: string | string[] | undefined, label: string): void {
	const required = input.required !== false;
	if (input.type === 4) {
		if (Array.isArray(value)) throw new InteractionError(`${label}: a text input takes a string, not a list`);
		const text = value ?? '';
		if (required && text === '') throw new InteractionError(`${label}: required input without a value`);
		const minLength = (input.min_length as number | undefined) ?? 0;
		const maxLength = (input.max_length as number | undefined) ?? 4000;
		if (text !== '' && (text.length < minLength || text.length > maxLength))
			throw new InteractionError(`${label}: ${text.length} characters, the input allows ${minLength}..${maxLength}`);
		return;
	}
	if (value !== undefined && !Array.isArray(value)) throw new InteractionError(`${label}: a select takes a list of values`);
	const chosen = value ?? [];
	const min = (input.min_values as number | undefined) ?? 1;
	const max = (input.max_values as number | undefined) ?? 1;
	if (chosen.length === 0 && !required) return;
	if (chosen.length < min || chosen.length > max)
		throw new InteractionError(`${label}: ${chosen.length} value(s) chosen, the menu allows ${min}..${max}${required ? '' : ' (or none)'}`);
	if (input.type === 3) {
		const allowed = new Set(((input.options as Array<{ value: string }> | undefined) ?? []).map((option) => option.value));
		const foreign = chosen.filter((entry) => !allowed.has(entry));
		if (foreign.length > 0) throw new InteractionError(`${label}: values ${JSON.stringify(foreign)} are not options of the menu`);
	}
}
