/**
 * The REST routes the bot uses, each answering like Discord (status, body, error codes), with Discord's rules
 * enforced on every body (validation.ts) and interaction deadlines checked against the fake clock.
 */
import type { FakeClock } from './clock.js';
import type { CommandStore } from './commands.js';
import { DiscordApiError, Errors } from './errors.js';
import type { Gateway } from './gateway.js';
import {
	CALLBACK_DEADLINE_MS,
	couldAnswerInTime,
	firstDeliveryMs,
	CallbackType,
	InteractionType,
	TOKEN_LIFETIME_MS,
	type InteractionRecord,
	type InteractionRegistry
} from './interactions.js';
import { MessageFlags, numberComponents, type FakeMessage, type MessageStore, type UploadedFile } from './messages.js';
import { Permission } from './permissions.js';
import type { RestRequest, RestResponse, RouteDefinition } from './rest.js';
import { validateBulkCommands, validateCallbackBody, validateCommandBody, validateDmBody, validateMessageBody } from './validation.js';
import type { FakeChannel, World } from './world.js';

export interface RouteDeps {
	world: World;
	messages: MessageStore;
	commands: CommandStore;
	interactions: InteractionRegistry;
	gateway: Gateway;
	clock: FakeClock;
	gatewayUrl(): string;
	shardCount(): number;
	/** The bot left a guild: mark it and send GUILD_DELETE. */
	leaveGuild(guildId: string): void;
}

/** Route templates, for `fake.rateLimitNext(Route.interactionCallback, ...)` and friends. */
export const Route = {
	gatewayBot: 'GET /gateway/bot',
	interactionCallback: 'POST /interactions/:interactionId/:token/callback',
	webhookExecute: 'POST /webhooks/:applicationId/:token',
	webhookMessageEdit: 'PATCH /webhooks/:applicationId/:token/messages/:messageId',
	channelMessages: '/channels/:channelId/messages',
	createMessage: 'POST /channels/:channelId/messages',
	editMessage: 'PATCH /channels/:channelId/messages/:messageId',
	createDm: 'POST /users/@me/channels',
	globalCommands: '/applications/:applicationId/commands',
	guildCommands: '/applications/:applicationId/guilds/:guildId/commands'
} as const;

const noContent: RestResponse = { status: 204 };
const ok = (body: unknown): RestResponse => ({ status: 200, body });

export function createRoutes(deps: RouteDeps): RouteDefinition[] {
	const { world, messages, commands, interactions, clock } = deps;
	const route = (method: string, template: string, handle: RouteDefinition['handle'], auth = true): RouteDefinition => ({
		method,
		template,
		handle,
		auth
	});

	// ----- helpers -----

	const requireApplication = (request: RestRequest) => {
		if (request.params.applicationId !== world.applicationId)
			throw Errors.missingAccess(`application id ${request.params.applicationId} is not the bot's (${world.applicationId})`);
	};
	const requireGuildScope = (request: RestRequest) => {
		requireApplication(request);
		const guild = world.guilds.get(request.params.guildId!);
		if (!guild || !guild.botInGuild) throw Errors.missingAccess(`guild command route for guild ${request.params.guildId} the bot is not in`);
		return guild.id;
	};
	const requireChannel = (channelId: string): FakeChannel => {
		const channel = world.channels.get(channelId);
		if (!channel) throw Errors.unknownChannel();
		if (channel.guild_id) {
			const guild = world.guilds.get(channel.guild_id);
			if (!guild?.botInGuild) throw Errors.missingAccess(`channel ${channelId} is in a guild the bot is not in`);
		}
		return channel;
	};
	const requireChannelMessage = (channelId: string, messageId: string): FakeMessage => {
		requireChannel(channelId);
		const message = messages.get(messageId);
		if (!message || message.deleted || message.channel_id !== channelId || (message.flags & MessageFlags.Ephemeral) !== 0)
			throw Errors.unknownMessage();
		return message;
	};
	const hasSomething = (body: Record<string, unknown>, files: UploadedFile[]) =>
		(typeof body.content === 'string' && body.content.length > 0) ||
		(Array.isArray(body.embeds) && body.embeds.length > 0) ||
		(Array.isArray(body.components) && body.components.length > 0) ||
		files.length > 0 ||
		Boolean(body.poll) ||
		(Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0);

	/** The interaction behind a webhook token, while the token is valid (15 minutes). */
	const requireWebhookInteraction = (request: RestRequest): InteractionRecord => {
		if (request.params.applicationId !== world.applicationId) throw Errors.unknownWebhook();
		const record = interactions.get(interactionIdFromToken(request.params.token!));
		if (!record || record.token !== request.params.token) throw Errors.unknownWebhook();
		const age = clock.now() - record.dispatchedAt;
		if (age > TOKEN_LIFETIME_MS)
			throw Errors.invalidWebhookToken(`${record.label}: webhook token used ${Math.round(age / 1000)} s after the interaction (limit 15 min)`);
		// Writing through a token before acknowledging is the bot's mistake; reading (is there a response yet?) just
		// learns that there is none.
		if (!record.callback)
			throw new DiscordApiError(
				404,
				{ message: 'Unknown Webhook', code: 10015 },
				request.method === 'GET' ? undefined : `${record.label}: webhook used before the interaction was acknowledged`
			);
		return record;
	};
	const webhookMessage = (record: InteractionRecord, messageId: string): FakeMessage => {
		const id = messageId === '@original' ? record.originalMessageId : messageId;
		const message = id ? messages.get(id) : undefined;
		const belongs = message && (message.id === record.originalMessageId || record.followUpIds.includes(message.id));
		if (!message || message.deleted || !belongs) throw Errors.unknownMessage();
		return message;
	};
	const interactionMetadata = (record: InteractionRecord, extra: Record<string, unknown> = {}) => {
		const data = record.payload.data as Record<string, unknown> | undefined;
		return {
			id: record.id,
			type: record.type,
			user: { ...record.user },
			authorizing_integration_owners: record.payload.authorizing_integration_owners,
			...(record.type === InteractionType.ApplicationCommand ? { name: data?.name, command_type: 1 } : {}),
			...(record.sourceMessageId ? { interacted_message_id: record.sourceMessageId } : {}),
			...extra
		};
	};
	const createInteractionMessage = (
		record: InteractionRecord,
		body: Record<string, unknown>,
		files: UploadedFile[],
		options: { loading?: boolean; followUp?: boolean }
	): FakeMessage => {
		const channel = world.channels.get(record.channelId)!;
		return messages.create({
			channelId: record.channelId,
			...(channel.guild_id ? { guildId: channel.guild_id } : {}),
			author: world.botUser,
			body,
			files,
			type: !options.followUp && record.type === InteractionType.ApplicationCommand ? 20 : 0,
			extraFlags: options.loading ? MessageFlags.Loading : 0,
			webhookId: world.applicationId,
			interactionId: record.id,
			interactionMetadata: interactionMetadata(
				record,
				options.followUp && record.originalMessageId ? { original_response_message_id: record.originalMessageId } : {}
			)
		});
	};

	// ----- interaction callback -----

	const callback = (request: RestRequest): RestResponse => {
		const record = interactions.get(request.params.interactionId!);
		if (!record || record.token !== request.params.token)
			throw Errors.unknownInteraction(`callback for an interaction the fake never sent (${request.params.interactionId})`);
		const refuse = (error: DiscordApiError) => {
			interactions.markRefused(record, `${error.body.code} ${error.body.message}${error.violation ? ` (${error.violation})` : ''}`);
			return error;
		};
		const lateBy = clock.now() - record.dispatchedAt - CALLBACK_DEADLINE_MS;
		if (lateBy > 0) {
			// Discord refuses it either way; it is the bot's fault only if some session had the interaction in time to
			// answer (a session that was down gets it replayed on RESUME, possibly too late for anyone).
			const firstDelivery = firstDeliveryMs(record);
			const delivered = firstDelivery === null ? 'never delivered' : `first delivered ${firstDelivery} ms after the dispatch`;
			const why = `${record.label}: callback ${lateBy} ms after the 3 s deadline (${delivered})`;
			const error = Errors.unknownInteraction(why, { violation: couldAnswerInTime(record) });
			interactions.markRefused(record, `${error.body.code} ${error.body.message} (${why})`);
			throw error;
		}
		if (record.callback) {
			const type = (request.body as { type?: unknown } | undefined)?.type;
			interactions.markRepeated(record, type);
			const why = `${record.label}: second callback (type ${String(type)}); the first was type ${record.callback.type}`;
			// Several sessions got the interaction (a deploy overlap): losing the race is normal, not the bot's fault.
			if (record.deliveredTo > 1) throw Errors.alreadyAcknowledged(why, { violation: false });
			throw refuse(Errors.alreadyAcknowledged(why));
		}
		let body: ReturnType<typeof validateCallbackBody>;
		try {
			body = validateCallbackBody(request.body);
			checkCallbackFits(record, body.type);
		} catch (error) {
			throw error instanceof DiscordApiError ? refuse(error) : error;
		}
		const data = body.data ?? {};
		let message: FakeMessage | undefined;
		switch (body.type) {
			case CallbackType.ChannelMessage:
				if (!hasSomething(data, request.files)) throw refuse(Errors.emptyMessage());
				message = createInteractionMessage(record, data, request.files, {});
				record.originalMessageId = message.id;
				break;
			case CallbackType.DeferredChannelMessage:
				message = createInteractionMessage(record, { flags: (data.flags as number | undefined) ?? 0 }, [], { loading: true });
				record.originalMessageId = message.id;
				break;
			case CallbackType.DeferredUpdateMessage:
				record.originalMessageId = record.sourceMessageId;
				record.editCountAtCallback = messages.get(record.sourceMessageId!)?.editCount ?? 0;
				break;
			case CallbackType.UpdateMessage:
				record.originalMessageId = record.sourceMessageId;
				message = messages.edit(messages.get(record.sourceMessageId!)!, data, request.files);
				break;
			case CallbackType.Modal:
				// Discord numbers a modal's components like a message's; the submission echoes those ids.
				record.modal = { ...structuredClone(data), components: numberComponents(structuredClone(data.components as unknown[])) };
				break;
		}
		interactions.markCallback(record, { type: body.type, data: body.data });

		if (request.query.get('with_response') !== 'true') return noContent;
		return ok({
			interaction: {
				id: record.id,
				type: record.type,
				...(message
					? {
							response_message_id: message.id,
							response_message_loading: (message.flags & MessageFlags.Loading) !== 0,
							response_message_ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0
						}
					: {})
			},
			resource: { type: body.type, ...(message ? { message: messages.toApi(message) } : {}) }
		});
	};

	// ----- webhooks (interaction tokens) -----

	const webhookGet = (request: RestRequest) => ok(messages.toApi(webhookMessage(requireWebhookInteraction(request), request.params.messageId!)));
	const webhookEdit = (request: RestRequest) => {
		const record = requireWebhookInteraction(request);
		validateMessageBody('webhookEdit', request.body);
		const message = webhookMessage(record, request.params.messageId!);
		return ok(messages.toApi(messages.edit(message, request.body, request.files)));
	};
	const webhookDelete = (request: RestRequest) => {
		messages.delete(webhookMessage(requireWebhookInteraction(request), request.params.messageId!));
		return noContent;
	};
	const webhookExecute = (request: RestRequest) => {
		const record = requireWebhookInteraction(request);
		validateMessageBody('webhookExecute', request.body);
		if (!hasSomething(request.body, request.files)) throw Errors.emptyMessage();
		const original = record.originalMessageId ? messages.get(record.originalMessageId) : undefined;
		let message: FakeMessage;
		if (original && !original.deleted && (original.flags & MessageFlags.Loading) !== 0) {
			// Discord's quirk: the first follow-up after a deferred reply fills the deferred message instead (keeping its
			// visibility); once that message is deleted, a follow-up is a message of its own.
			message = messages.edit(original, request.body, request.files);
		} else {
			message = createInteractionMessage(record, request.body, request.files, { followUp: true });
			interactions.markFollowUp(record, message.id);
		}
		return request.query.get('wait') === 'true' ? ok(messages.toApi(message)) : noContent;
	};

	// ----- channels and messages -----

	/**
	 * Messages created with `enforce_nonce`, by channel and nonce: Discord answers a second create with the same nonce
	 * from the same author, within a few minutes, with the message the first one made instead of a new message.
	 */
	const noncedMessages = new Map<string, { messageId: string; at: number }>();
	const nonceWindowMs = 5 * 60_000;
	const createChannelMessage = (request: RestRequest) => {
		const channel = requireChannel(request.params.channelId!);
		validateMessageBody('messageCreate', request.body);
		const { nonce, enforce_nonce: enforceNonce } = (request.body ?? {}) as { nonce?: unknown; enforce_nonce?: unknown };
		const nonceKey = enforceNonce === true && (typeof nonce === 'string' || typeof nonce === 'number') ? `${channel.id}:${String(nonce)}` : null;
		if (nonceKey !== null) {
			const earlier = noncedMessages.get(nonceKey);
			const existing = earlier && Date.now() - earlier.at < nonceWindowMs ? messages.get(earlier.messageId) : undefined;
			if (existing) return ok(messages.toApi(existing));
		}
		if (!hasSomething(request.body, request.files)) throw Errors.emptyMessage();
		if (channel.guild_id) {
			const permissions = world.botPermissions(channel.guild_id);
			const needed = Permission.ViewChannel | Permission.SendMessages;
			if ((permissions & needed) !== needed) throw new DiscordApiError(403, { message: 'Missing Permissions', code: 50013 });
		}
		const message = messages.create({
			channelId: channel.id,
			...(channel.guild_id ? { guildId: channel.guild_id } : {}),
			author: world.botUser,
			body: request.body,
			files: request.files
		});
		channel.last_message_id = message.id;
		if (nonceKey !== null) noncedMessages.set(nonceKey, { messageId: message.id, at: Date.now() });
		return ok(messages.toApi(message));
	};
	const editChannelMessage = (request: RestRequest) => {
		const message = requireChannelMessage(request.params.channelId!, request.params.messageId!);
		validateMessageBody('messageEdit', request.body);
		if (message.author.id !== world.botUser.id) throw Errors.cannotEditOthersMessage();
		return ok(messages.toApi(messages.edit(message, request.body, request.files)));
	};
	const listChannelMessages = (request: RestRequest) => {
		requireChannel(request.params.channelId!);
		const limit = Math.min(Number(request.query.get('limit') ?? 50), 100);
		const visible = messages.inChannel(request.params.channelId!).filter((message) => (message.flags & MessageFlags.Ephemeral) === 0);
		return ok(
			visible
				.reverse()
				.slice(0, limit)
				.map((message) => messages.toApi(message))
		);
	};

	// ----- commands -----

	const commandRoutes = (base: string, scope: (request: RestRequest) => string | null): RouteDefinition[] => {
		const one = (request: RestRequest) => {
			const command = commands.get(request.params.commandId!, scope(request));
			if (!command) throw Errors.unknownApplicationCommand();
			return command;
		};
		return [
			// Discord sends the localisation maps only when asked (Sapphire asks, and compares them).
			route('GET', base, (request) => {
				const list = commands.list(scope(request));
				return ok(request.query.get('with_localizations') === 'true' ? list : list.map(withoutLocalizations));
			}),
			route('POST', base, (request) => {
				const guildId = scope(request);
				validateCommandBody('commandCreate', request.body);
				const { command, created } = commands.create(request.body, guildId);
				return { status: created ? 201 : 200, body: command };
			}),
			route('PUT', base, (request) => {
				const guildId = scope(request);
				validateBulkCommands(request.body);
				return ok(commands.bulkOverwrite(request.body, guildId));
			}),
			route('GET', `${base}/:commandId`, (request) => ok(one(request))),
			route('PATCH', `${base}/:commandId`, (request) => {
				const existing = one(request);
				validateCommandBody('commandPatch', request.body);
				return ok(commands.patch(existing, request.body));
			}),
			route('DELETE', `${base}/:commandId`, (request) => {
				commands.delete(one(request));
				return noContent;
			})
		];
	};

	const applicationJson = () => ({
		id: world.applicationId,
		name: world.botUser.username,
		icon: null,
		description: '',
		bot_public: false,
		bot_require_code_grant: false,
		flags: 0,
		owner: { ...world.botUser, bot: false },
		team: null,
		verify_key: '0'.repeat(64),
		bot: { ...world.botUser },
		integration_types_config: { '0': {} },
		approximate_guild_count: [...world.guilds.values()].filter((guild) => guild.botInGuild).length
	});

	return [
		route('GET', '/gateway', () => ok({ url: deps.gatewayUrl() }), false),
		route('GET', '/gateway/bot', () =>
			ok({
				url: deps.gatewayUrl(),
				shards: deps.shardCount(),
				session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: Math.max(16, deps.shardCount()) }
			})
		),
		route('GET', '/users/@me', () => ok({ ...world.botUser, verified: true, mfa_enabled: false, flags: 0, locale: 'en-US' })),
		route('GET', '/users/:userId', (request) => {
			const user = world.users.get(request.params.userId!);
			if (!user) throw Errors.unknownUser();
			return ok({ ...user });
		}),
		route('GET', '/applications/@me', () => ok(applicationJson())),
		route('GET', '/oauth2/applications/@me', () => ok(applicationJson())),
		...commandRoutes('/applications/:applicationId/commands', (request) => {
			requireApplication(request);
			return null;
		}),
		...commandRoutes('/applications/:applicationId/guilds/:guildId/commands', requireGuildScope),
		route('POST', '/interactions/:interactionId/:token/callback', callback, false),
		route('POST', '/webhooks/:applicationId/:token', webhookExecute, false),
		route('GET', '/webhooks/:applicationId/:token/messages/:messageId', webhookGet, false),
		route('PATCH', '/webhooks/:applicationId/:token/messages/:messageId', webhookEdit, false),
		route('DELETE', '/webhooks/:applicationId/:token/messages/:messageId', webhookDelete, false),
		route('GET', '/channels/:channelId', (request) => ok({ ...requireChannel(request.params.channelId!) })),
		route('GET', '/channels/:channelId/messages', listChannelMessages),
		route('POST', '/channels/:channelId/messages', createChannelMessage),
		route('GET', '/channels/:channelId/messages/:messageId', (request) =>
			ok(messages.toApi(requireChannelMessage(request.params.channelId!, request.params.messageId!)))
		),
		route('PATCH', '/channels/:channelId/messages/:messageId', editChannelMessage),
		route('DELETE', '/channels/:channelId/messages/:messageId', (request) => {
			messages.delete(requireChannelMessage(request.params.channelId!, request.params.messageId!));
			return noContent;
		}),
		route('POST', '/users/@me/channels', (request) => {
			validateDmBody(request.body);
			const recipientId = (request.body as { recipient_id?: unknown }).recipient_id;
			if (typeof recipientId !== 'string' || !world.users.has(recipientId)) throw Errors.unknownUser();
			return ok({ ...world.dmChannelFor(recipientId) });
		}),
		route('DELETE', '/users/@me/guilds/:guildId', (request) => {
			const guild = world.guilds.get(request.params.guildId!);
			if (!guild || !guild.botInGuild) throw Errors.unknownGuild();
			deps.leaveGuild(guild.id);
			return noContent;
		}),
		route('GET', '/guilds/:guildId', (request) => {
			const guild = world.guilds.get(request.params.guildId!);
			if (!guild?.botInGuild) throw Errors.unknownGuild();
			return ok({ ...world.guildJson(guild), approximate_member_count: guild.memberCount });
		}),
		route('GET', '/guilds/:guildId/channels', (request) => {
			const guild = world.guilds.get(request.params.guildId!);
			if (!guild?.botInGuild) throw Errors.unknownGuild();
			return ok(guild.channelIds.map((id) => ({ ...world.channels.get(id)! })));
		}),
		route('GET', '/guilds/:guildId/roles', (request) => {
			const guild = world.guilds.get(request.params.guildId!);
			if (!guild?.botInGuild) throw Errors.unknownGuild();
			return ok(guild.roles.map((role) => ({ ...role })));
		}),
		route('GET', '/guilds/:guildId/members/:userId', (request) => {
			const guild = world.guilds.get(request.params.guildId!);
			if (!guild?.botInGuild) throw Errors.unknownGuild();
			const member = guild.members.get(request.params.userId!);
			if (!member) throw new DiscordApiError(404, { message: 'Unknown Member', code: 10007 });
			return ok(world.memberJson(guild, member, false));
		})
	];
}

/** A command as `GET` returns it without `with_localizations=true`: no localisation maps at any depth. */
function withoutLocalizations<T>(value: T): T {
	if (Array.isArray(value)) return value.map(withoutLocalizations) as T;
	if (typeof value !== 'object' || value === null) return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([key]) => key !== 'name_localizations' && key !== 'description_localizations')
			.map(([key, child]) => [key, withoutLocalizations(child)])
	) as T;
}

/** Which callback types make sense for which interaction (Discord refuses the rest). */
function checkCallbackFits(record: InteractionRecord, callbackType: number): void {
	const allowed: Record<number, number[]> = {
		[InteractionType.ApplicationCommand]: [CallbackType.ChannelMessage, CallbackType.DeferredChannelMessage, CallbackType.Modal],
		[InteractionType.MessageComponent]: [
			CallbackType.ChannelMessage,
			CallbackType.DeferredChannelMessage,
			CallbackType.DeferredUpdateMessage,
			CallbackType.UpdateMessage,
			CallbackType.Modal
		],
		[InteractionType.Autocomplete]: [CallbackType.AutocompleteResult],
		[InteractionType.ModalSubmit]: [
			CallbackType.ChannelMessage,
			CallbackType.DeferredChannelMessage,
			...(record.sourceMessageId ? [CallbackType.DeferredUpdateMessage, CallbackType.UpdateMessage] : [])
		]
	};
	if (!(allowed[record.type] ?? []).includes(callbackType))
		throw Errors.invalidCallbackType(`${record.label}: callback type ${callbackType} is not valid for interaction type ${record.type}`);
}

/** Tokens are opaque to the bot; the fake encodes the interaction id in its own tokens to find the record quickly. */
function interactionIdFromToken(token: string): string {
	return token.match(/^aW50ZXJhY3Rpb246(\d+):/)?.[1] ?? '';
}
