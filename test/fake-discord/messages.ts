/**
 * Every message the bot created, with its latest state (edits, flags, components), the files it attached, the
 * `allowed_mentions` it sent and whom it would have pinged. Emits `create`, `update` and `delete` so tests and the
 * playground can follow a message live.
 */
import { EventEmitter } from 'node:events';
import type { FakeClock } from './clock.js';
import { computeWouldPing, type AllowedMentions, type WouldPing } from './mentions.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { FakeUser } from './world.js';

export const MessageFlags = {
	SuppressEmbeds: 1 << 2,
	Ephemeral: 1 << 6,
	Loading: 1 << 7,
	SuppressNotifications: 1 << 12,
	IsComponentsV2: 1 << 15
} as const;

export interface UploadedFile {
	/** The multipart field name, e.g. `files[0]`. */
	field: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface StoredAttachment {
	id: string;
	filename: string;
	size: number;
	url: string;
	proxy_url: string;
	content_type: string;
	description?: string;
	/** Test-only: the bytes the bot uploaded, and the same as UTF-8 text (a CSV, a log...). */
	data: Buffer;
	text: string;
}

/** What a test reads: the message as Discord stores it plus what only a fake can know. */
export interface FakeMessage {
	id: string;
	channel_id: string;
	guild_id?: string;
	author: FakeUser;
	content: string;
	timestamp: string;
	edited_timestamp: string | null;
	tts: boolean;
	mention_everyone: boolean;
	mentions: FakeUser[];
	mention_roles: string[];
	attachments: StoredAttachment[];
	embeds: unknown[];
	components: unknown[];
	pinned: boolean;
	type: number;
	flags: number;
	webhook_id?: string;
	application_id?: string;
	interaction_metadata?: Record<string, unknown>;
	message_reference?: { type: number; message_id: string; channel_id: string; guild_id?: string };
	/** Test-only fields: */
	allowed_mentions: AllowedMentions | null;
	/** Whom the message mentions now (Discord's `mentions`, `mention_roles`, `mention_everyone`); follows edits. */
	wouldPing: WouldPing;
	/**
	 * Whom Discord actually notified: decided when the message was sent (or when a deferred reply was filled).
	 * Edits never notify, even when they add a mention.
	 */
	pinged: WouldPing;
	/** How many times the message was edited after creation. */
	editCount: number;
	deleted: boolean;
	/** The interaction whose response or follow-up this is. */
	interactionId?: string;
}

export interface MessageStoreEvents {
	create: [FakeMessage];
	update: [FakeMessage];
	delete: [FakeMessage];
}

const TEST_ONLY_FIELDS = new Set(['allowed_mentions', 'wouldPing', 'pinged', 'editCount', 'deleted', 'interactionId']);

export class MessageStore extends EventEmitter<MessageStoreEvents> {
	private readonly byId = new Map<string, FakeMessage>();
	private readonly byChannel = new Map<string, string[]>();

	public constructor(
		private readonly ids: SnowflakeGenerator,
		private readonly clock: FakeClock,
		private readonly cdnBase: string,
		private readonly lookupUser: (id: string) => FakeUser | undefined
	) {
		super();
		this.setMaxListeners(0);
	}

	public get(id: string): FakeMessage | undefined {
		return this.byId.get(id);
	}

	public inChannel(channelId: string, options: { includeDeleted?: boolean } = {}): FakeMessage[] {
		const ids = this.byChannel.get(channelId) ?? [];
		return ids.map((id) => this.byId.get(id)!).filter((message) => options.includeDeleted || !message.deleted);
	}

	public all(): FakeMessage[] {
		return [...this.byId.values()];
	}

	/** Creates a message from a validated request body (JSON or payload_json) and its uploaded files. */
	public create(init: {
		channelId: string;
		guildId?: string;
		author: FakeUser;
		body: Record<string, unknown>;
		files: UploadedFile[];
		type?: number;
		extraFlags?: number;
		webhookId?: string;
		interactionId?: string;
		interactionMetadata?: Record<string, unknown>;
	}): FakeMessage {
		const { body } = init;
		const message: FakeMessage = {
			id: this.ids.next(),
			channel_id: init.channelId,
			...(init.guildId ? { guild_id: init.guildId } : {}),
			author: init.author,
			content: '',
			timestamp: new Date(this.clock.now()).toISOString(),
			edited_timestamp: null,
			tts: body.tts === true,
			mention_everyone: false,
			mentions: [],
			mention_roles: [],
			attachments: [],
			embeds: [],
			components: [],
			pinned: false,
			type: init.type ?? 0,
			flags: ((body.flags as number | undefined) ?? 0) | (init.extraFlags ?? 0),
			...(init.webhookId ? { webhook_id: init.webhookId, application_id: init.webhookId } : {}),
			...(init.interactionMetadata ? { interaction_metadata: init.interactionMetadata } : {}),
			allowed_mentions: null,
			wouldPing: { everyone: false, roles: [], users: [] },
			pinged: { everyone: false, roles: [], users: [] },
			editCount: 0,
			deleted: false,
			...(init.interactionId ? { interactionId: init.interactionId } : {})
		};
		this.applyReference(message, body.message_reference);
		this.applyBody(message, body, init.files);
		// A deferred reply's placeholder notifies nobody; filling it does (see edit).
		if ((message.flags & MessageFlags.Loading) === 0) message.pinged = structuredClone(message.wouldPing);
		this.byId.set(message.id, message);
		const list = this.byChannel.get(message.channel_id) ?? [];
		list.push(message.id);
		this.byChannel.set(message.channel_id, list);
		this.emit('create', message);
		return message;
	}

	/** Applies an edit; fields absent from the body keep their value, like Discord's PATCH. */
	public edit(message: FakeMessage, body: Record<string, unknown>, files: UploadedFile[], options: { keepLoading?: boolean } = {}): FakeMessage {
		const wasLoading = (message.flags & MessageFlags.Loading) !== 0;
		this.applyBody(message, body, files);
		if (wasLoading && !options.keepLoading) {
			// Completing a deferred reply is not an "edit" for Discord: it fills the loading placeholder.
			message.flags &= ~MessageFlags.Loading;
			message.pinged = structuredClone(message.wouldPing);
		} else {
			message.edited_timestamp = new Date(this.clock.now()).toISOString();
			message.editCount++;
		}
		this.emit('update', message);
		return message;
	}

	public delete(message: FakeMessage): void {
		message.deleted = true;
		this.emit('delete', message);
	}

	/** The JSON Discord returns for a message (without the fake's test-only fields). */
	public toApi(message: FakeMessage): Record<string, unknown> {
		const json: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(message)) if (!TEST_ONLY_FIELDS.has(key)) json[key] = value;
		json.attachments = message.attachments.map(({ data: _data, text: _text, ...attachment }) => attachment);
		return structuredClone(json);
	}

	private applyBody(message: FakeMessage, body: Record<string, unknown>, files: UploadedFile[]): void {
		if ('content' in body) message.content = (body.content as string | null) ?? '';
		if ('embeds' in body) message.embeds = structuredClone((body.embeds as unknown[] | null) ?? []);
		if ('components' in body) message.components = numberComponents(structuredClone((body.components as unknown[] | null) ?? []));
		if (typeof body.flags === 'number') {
			// Ephemeral and loading cannot be toggled by an edit; the other flags come from the body.
			const sticky = message.flags & (MessageFlags.Ephemeral | MessageFlags.Loading);
			message.flags = (body.flags & ~(MessageFlags.Ephemeral | MessageFlags.Loading)) | sticky;
		}
		if ('allowed_mentions' in body || 'content' in body) {
			if ('allowed_mentions' in body) message.allowed_mentions = (body.allowed_mentions as AllowedMentions | null) ?? null;
			message.wouldPing = computeWouldPing(message.content, message.allowed_mentions, this.repliedUserId(message));
			message.mention_everyone = message.wouldPing.everyone;
			message.mentions = message.wouldPing.users.map((id) => this.lookupUser(id)).filter((user): user is FakeUser => user !== undefined);
			message.mention_roles = [...message.wouldPing.roles];
		}
		if ('attachments' in body || files.length > 0)
			message.attachments = this.resolveAttachments(message, body.attachments as Array<Record<string, unknown>> | undefined, files);
	}

	/** A reply (`message_reference` to a message in the same channel) becomes type 19, as Discord stores it. */
	private applyReference(message: FakeMessage, reference: unknown): void {
		const messageId = (reference as { message_id?: unknown } | null | undefined)?.message_id;
		if (typeof messageId !== 'string') return;
		message.message_reference = {
			type: 0,
			message_id: messageId,
			channel_id: message.channel_id,
			...(message.guild_id ? { guild_id: message.guild_id } : {})
		};
		if (message.type === 0) message.type = 19;
	}

	/** The author of the replied-to message, if it is someone the reply can notify (not the author themself). */
	private repliedUserId(message: FakeMessage): string | null {
		const referenced = message.message_reference ? this.byId.get(message.message_reference.message_id) : undefined;
		return referenced && referenced.author.id !== message.author.id ? referenced.author.id : null;
	}

	/**
	 * `attachments` in the body lists what the message keeps: existing attachments by id, new uploads by the index
	 * of their `files[n]` field. Without that list every upload is attached and existing ones stay.
	 */
	private resolveAttachments(message: FakeMessage, listed: Array<Record<string, unknown>> | undefined, files: UploadedFile[]): StoredAttachment[] {
		const uploadByIndex = new Map(files.map((file) => [file.field.match(/\d+/)?.[0] ?? file.field, file]));
		const fromUpload = (file: UploadedFile, description?: string, filename?: string): StoredAttachment => {
			const id = this.ids.next();
			const name = filename ?? file.filename;
			return {
				id,
				filename: name,
				size: file.data.length,
				url: `${this.cdnBase}/attachments/${message.channel_id}/${id}/${encodeURIComponent(name)}`,
				proxy_url: `${this.cdnBase}/attachments/${message.channel_id}/${id}/${encodeURIComponent(name)}`,
				content_type: file.contentType,
				...(description ? { description } : {}),
				data: file.data,
				text: file.data.toString('utf8')
			};
		};
		if (!listed) return [...message.attachments, ...files.map((file) => fromUpload(file))];
		const result: StoredAttachment[] = [];
		for (const entry of listed) {
			const id = String(entry.id);
			const upload = uploadByIndex.get(id);
			if (upload) result.push(fromUpload(upload, entry.description as string | undefined, entry.filename as string | undefined));
			else {
				const kept = message.attachments.find((attachment) => attachment.id === id);
				if (kept) result.push(kept);
			}
		}
		return result;
	}
}

/** Discord numbers every component of a message (`id`, depth-first from 1) when the bot leaves it out. */
export function numberComponents(components: unknown[]): unknown[] {
	let next = 1;
	const visit = (node: unknown) => {
		if (Array.isArray(node)) return node.forEach(visit);
		if (typeof node !== 'object' || node === null) return;
		const component = node as Record<string, unknown>;
		if (typeof component.id !== 'number') component.id = next;
		next = Math.max(next, component.id as number) + 1;
		if (component.components) visit(component.components);
		if (component.component) visit(component.component);
		if (component.accessory) visit(component.accessory);
	};
	visit(components);
	return components;
}
