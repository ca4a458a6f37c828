/**
 * The playground's web server on 127.0.0.1: the page, the message-rendering web components (served from
 * node_modules, no CDN), a small JSON API and a server-sent event stream.
 *
 * Every action of the page becomes a driver call of the fake Discord (`slash`, `click`, `select`, `autocomplete`,
 * `modalSubmit`, a new guild): the bot receives a real INTERACTION_CREATE or GUILD_CREATE through the gateway and
 * answers through REST, and what the bot writes comes back to the page from the fake's message events.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import {
	InteractionError,
	Permission,
	type FakeDiscord,
	type FakeMessage,
	type InteractionHandle,
	type InteractionRecord
} from '../test/fake-discord/index.js';
import { Languages, type PlaygroundWorld } from './world.js';

export interface WebOptions {
	fake: FakeDiscord;
	world: PlaygroundWorld;
	projectRoot: string;
	/** 0 picks a free port. */
	port: number;
}

/** Packages the page imports, served from node_modules under /vendor/<name>/ and named in the page's import map. */
const vendorPackages = ['@skyra/discord-components-core', 'lit', 'lit-html', 'lit-element', '@lit/reactive-element', '@lit/context'];
const importMap = {
	imports: {
		'@skyra/discord-components-core': '/vendor/@skyra/discord-components-core/dist/index.js',
		lit: '/vendor/lit/index.js',
		'lit/': '/vendor/lit/',
		'lit-html': '/vendor/lit-html/lit-html.js',
		'lit-html/': '/vendor/lit-html/',
		'lit-element/': '/vendor/lit-element/',
		'@lit/reactive-element': '/vendor/@lit/reactive-element/reactive-element.js',
		'@lit/reactive-element/': '/vendor/@lit/reactive-element/',
		'@lit/context': '/vendor/@lit/context/index.js'
	}
};

const contentTypes: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.map': 'application/json'
};

/** How long the page waits for the bot's answer before showing Discord's "The application did not respond". */
const responseTimeoutMs = 3_500;
const retainedHandles = 500;

export interface MessageView {
	id: string;
	channelId: string;
	guildId: string | null;
	author: { id: string; name: string; bot: boolean };
	content: string;
	embeds: unknown[];
	components: unknown[];
	/** Files the bot uploaded, each served by this server (a page never loads the fake's CDN address). */
	attachments: AttachmentView[];
	timestamp: string;
	edited: boolean;
	ephemeral: boolean;
	/** A deferred answer not filled yet: "Bot is thinking...". */
	loading: boolean;
	deleted: boolean;
	/** For an ephemeral message: the only user who sees it. */
	visibleTo: string | null;
	/** The slash command this message answers: "Alice used /poll create". */
	command: { userId: string; name: string } | null;
}

export interface AttachmentView {
	filename: string;
	size: number;
	contentType: string;
	/** Shown inline, as Discord shows images. */
	image: boolean;
	url: string;
}

/** Image types a browser shows safely from this server; any other upload is offered as a download only. */
const inlineImageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export class PlaygroundWeb {
	private readonly server: Server;
	private readonly clients = new Set<ServerResponse>();
	private readonly records = new Map<string, InteractionRecord>();
	private readonly handles = new Map<string, InteractionHandle>();
	private readonly publicDir: string;
	private readonly vendorDirs = new Map<string, string>();
	private indexHtml = '';
	private contentSecurityPolicy = '';
	private heartbeat: NodeJS.Timeout | undefined;
	private port = 0;

	private constructor(private readonly options: WebOptions) {
		this.publicDir = join(options.projectRoot, 'playground', 'public');
		this.server = createServer((request, response) => {
			this.handle(request, response).catch((error: unknown) => {
				if (!response.headersSent)
					this.json(response, error instanceof BadRequest ? 400 : 500, { error: error instanceof Error ? error.message : String(error) });
				else response.end();
			});
		});
	}

	public static async start(options: WebOptions): Promise<PlaygroundWeb> {
		const web = new PlaygroundWeb(options);
		await web.prepare();
		web.follow();
		await new Promise<void>((resolvePromise, reject) => {
			web.server.once('error', reject);
			web.server.listen(options.port, '127.0.0.1', () => resolvePromise());
		});
		web.port = (web.server.address() as AddressInfo).port;
		return web;
	}

	public get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	public async close(): Promise<void> {
		clearInterval(this.heartbeat);
		for (const client of this.clients) client.end();
		this.server.closeAllConnections();
		await new Promise<void>((resolvePromise) => this.server.close(() => resolvePromise()));
	}

	// ----- set-up -----

	private async prepare() {
		for (const name of vendorPackages) {
			const candidates = [
				join(this.options.projectRoot, 'node_modules', '@skyra', 'discord-components-core', 'node_modules', name),
				join(this.options.projectRoot, 'node_modules', name)
			];
			const dir = candidates.find((candidate) => existsSync(join(candidate, 'package.json')));
			if (!dir) throw new Error(`${name} is not installed: run \`npm install\`.`);
			this.vendorDirs.set(name, dir);
		}
		const importMapJson = JSON.stringify(importMap);
		const template = await readFile(join(this.publicDir, 'index.html'), 'utf8');
		this.indexHtml = template.replace('<!-- import map -->', `<script type="importmap">${importMapJson}</script>`);
		const importMapHash = createHash('sha256').update(importMapJson).digest('base64');
		// The page may load nothing but this server's files: no CDN, no avatar or emoji from Discord.
		this.contentSecurityPolicy = [
			"default-src 'self'",
			`script-src 'self' 'sha256-${importMapHash}'`,
			"style-src 'self' 'unsafe-inline'",
			"img-src 'self' data:",
			"connect-src 'self'",
			"font-src 'self'",
			"object-src 'none'",
			"base-uri 'none'",
			"form-action 'none'",
			"frame-ancestors 'none'"
		].join('; ');
	}

	/** Forwards the fake's message events to every open page. */
	private follow() {
		const { fake } = this.options;
		fake.on('interaction', (record) => {
			this.records.set(record.id, record);
			if (this.records.size > 5_000) this.records.delete(this.records.keys().next().value!);
		});
		const send = (message: FakeMessage) => this.broadcast('message', this.view(message));
		fake.on('messageCreate', send);
		fake.on('messageUpdate', send);
		fake.on('messageDelete', send);
		// The bot left a server (denied, or /admin leave): the page's server list changes.
		fake.on('request', (entry) => {
			if (entry.method === 'DELETE' && entry.route?.startsWith('/users/@me/guilds/') && entry.status < 300) this.broadcast('world', {});
		});
		let commandsChanged: NodeJS.Timeout | undefined;
		fake.on('request', (entry) => {
			if (!entry.route?.includes('/commands') || entry.method === 'GET') return;
			clearTimeout(commandsChanged);
			commandsChanged = setTimeout(() => this.broadcast('world', {}), 200);
		});
		this.heartbeat = setInterval(() => {
			for (const client of this.clients) client.write(': keep-alive\n\n');
		}, 15_000);
		this.heartbeat.unref();
	}

	// ----- HTTP -----

	private async handle(request: IncomingMessage, response: ServerResponse) {
		// Only this machine's browser, under this server's own name (no DNS rebinding through another host name).
		const host = request.headers.host ?? '';
		if (host !== `127.0.0.1:${this.port}` && host !== `localhost:${this.port}`)
			return this.json(response, 421, { error: 'unexpected Host header' });
		const url = new URL(request.url ?? '/', this.url);
		const path = url.pathname;

		if (request.method === 'GET') {
			if (path === '/' || path === '/index.html') return this.send(response, 200, contentTypes['.html']!, this.indexHtml, 'no-cache');
			if (path === '/api/state') return this.json(response, 200, this.state());
			if (path === '/api/events') return this.events(request, response);
			if (path.startsWith('/api/channels/'))
				return this.channelMessages(response, path.slice('/api/channels/'.length).replace(/\/messages$/, ''));
			if (path.startsWith('/api/attachments/')) return this.attachment(response, path.slice('/api/attachments/'.length));
			if (path.startsWith('/api/avatars/')) return this.avatar(response, path.slice('/api/avatars/'.length).replace(/\.svg$/, ''));
			if (path.startsWith('/vendor/')) return this.vendorFile(response, path.slice('/vendor/'.length));
			return this.publicFile(response, path.slice(1));
		}
		if (request.method === 'POST' && path.startsWith('/api/')) {
			// A JSON body cannot be sent across origins without a preflight this server never grants: no CSRF.
			if (!request.headers['content-type']?.startsWith('application/json'))
				return this.json(response, 415, { error: 'expected application/json' });
			const body = await readJson(request);
			return this.action(response, path.slice('/api/'.length), body);
		}
		return this.json(response, 405, { error: 'method not allowed' });
	}

	private async action(response: ServerResponse, action: string, body: Record<string, unknown>) {
		const { fake, world } = this.options;
		const userId = requireString(body, 'userId');
		if (!world.people.some((person) => person.id === userId)) return this.json(response, 400, { error: `unknown user ${userId}` });
		const guildId = typeof body.guildId === 'string' && body.guildId ? body.guildId : undefined;
		const channelId = typeof body.channelId === 'string' && body.channelId ? body.channelId : undefined;
		try {
			switch (action) {
				case 'slash': {
					const handle = fake.slash({
						user: userId,
						guildId,
						channelId,
						command: requireString(body, 'command'),
						options: readOptions(body.options)
					});
					return this.json(response, 200, await this.answer(handle));
				}
				case 'autocomplete': {
					const handle = fake.autocomplete({
						user: userId,
						guildId,
						channelId,
						command: requireString(body, 'command'),
						options: readOptions(body.options),
						focused: requireString(body, 'focused')
					});
					const callback = await handle.response;
					return this.json(response, 200, { choices: (callback.data?.choices as unknown[] | undefined) ?? [] });
				}
				case 'click': {
					const handle = fake.click({ user: userId, message: this.requireMessage(body), customId: requireString(body, 'customId') });
					return this.json(response, 200, await this.answer(handle));
				}
				case 'select': {
					const values = Array.isArray(body.values) ? body.values.map(String) : [];
					const handle = fake.select({
						user: userId,
						message: this.requireMessage(body),
						customId: requireString(body, 'customId'),
						values
					});
					return this.json(response, 200, await this.answer(handle));
				}
				case 'modal': {
					const from = this.handles.get(requireString(body, 'interactionId'));
					if (!from) return this.json(response, 400, { error: 'This form has expired: run the command again.' });
					// Only the person the form was shown to can submit it, as on Discord.
					if (from.record.user.id !== userId) return this.json(response, 400, { error: 'This form was opened by someone else.' });
					return this.json(
						response,
						200,
						await this.answer(fake.modalSubmit({ user: userId, from, values: readModalValues(body.values) }))
					);
				}
				case 'locale': {
					// The acting member's Discord client language, as they would pick it in Discord's settings.
					const locale = requireLanguage(body);
					await world.setPersonLocale(userId, locale);
					this.broadcast('world', {});
					return this.json(response, 200, { ok: true });
				}
				case 'guild-locale': {
					// Discord's server setting: only a member who may manage the server can change it.
					if (!guildId || !world.guildIds.includes(guildId)) throw new BadRequest('unknown server');
					const permissions = fake.memberPermissions(guildId, userId);
					if ((permissions & (Permission.ManageGuild | Permission.Administrator)) === 0n)
						return this.json(response, 403, { error: 'Only members with Manage Server can change the server’s language.' });
					await world.setGuildLocale(guildId, requireLanguage(body));
					this.broadcast('world', {});
					return this.json(response, 200, { ok: true });
				}
				case 'guilds': {
					const name = requireString(body, 'name').trim().slice(0, 100) || 'New server';
					const guild = await world.inviteToNewGuild(name, userId);
					this.broadcast('world', {});
					return this.json(response, 200, { guildId: guild.id });
				}
				default:
					return this.json(response, 404, { error: `unknown action ${action}` });
			}
		} catch (error) {
			// The driver refuses what Discord's client would not let a user do (a disabled button, a hidden command...).
			if (error instanceof InteractionError || error instanceof BadRequest) return this.json(response, 400, { error: error.message });
			throw error;
		}
	}

	/** Waits for the bot's callback; no callback in time is what Discord shows as "The application did not respond". */
	private async answer(handle: InteractionHandle) {
		this.handles.set(handle.id, handle);
		if (this.handles.size > retainedHandles) this.handles.delete(this.handles.keys().next().value!);
		const callback = await Promise.race([
			handle.response.catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) })),
			new Promise<{ failed: string }>((resolvePromise) =>
				setTimeout(() => resolvePromise({ failed: 'no answer within 3 s' }), responseTimeoutMs).unref()
			)
		]);
		if ('failed' in callback) return { ok: false, interactionId: handle.id, error: 'The application did not respond', detail: callback.failed };
		return { ok: true, interactionId: handle.id, type: callback.type, ...(callback.type === 9 ? { modal: callback.data } : {}) };
	}

	private requireMessage(body: Record<string, unknown>): FakeMessage {
		const message = this.options.fake.message(requireString(body, 'messageId'));
		if (!message || message.deleted) throw new BadRequest('That message no longer exists.');
		return message;
	}

	// ----- reads -----

	private state() {
		const { fake, world } = this.options;
		const people = world.people.map((person) => ({ ...person, dmChannelId: fake.dmChannel(person.id).id }));
		// A server the bot left stays in its members' lists, as on Discord; only the bot is gone from it.
		const guilds = world.guildIds.map((id) => {
			const guild = fake.guild(id);
			return {
				id: guild.id,
				botInGuild: fake.isBotInGuild(id),
				name: guild.name,
				ownerId: guild.ownerId,
				locale: guild.locale,
				defaultChannelId: guild.defaultChannelId,
				channels: guild.channelIds.map((channelId) => {
					const channel = fake.channel(channelId)!;
					return { id: channel.id, name: channel.name ?? '', type: channel.type, parentId: channel.parent_id ?? null };
				}),
				roles: guild.roles.filter((role) => role.id !== guild.id).map((role) => ({ id: role.id, name: role.name, color: role.color })),
				members: [...guild.members.values()].map((member) => ({
					userId: member.user.id,
					roles: member.roles,
					permissions: fake.memberPermissions(guild.id, member.user.id).toString()
				}))
			};
		});
		return {
			bot: { id: fake.botUser.id, name: fake.botUser.username },
			ownerId: world.ownerId,
			people,
			guilds,
			languages: Languages,
			commands: fake.commands
		};
	}

	private channelMessages(response: ServerResponse, channelId: string) {
		const messages = this.options.fake.messages(channelId).slice(-200);
		return this.json(
			response,
			200,
			messages.map((message) => this.view(message))
		);
	}

	private view(message: FakeMessage): MessageView {
		const record = message.interactionId ? this.records.get(message.interactionId) : undefined;
		const ephemeral = (message.flags & 64) !== 0;
		return {
			id: message.id,
			channelId: message.channel_id,
			guildId: message.guild_id ?? null,
			author: { id: message.author.id, name: message.author.global_name ?? message.author.username, bot: message.author.bot },
			content: message.content,
			embeds: message.embeds,
			components: message.components,
			attachments: message.attachments.map((attachment) => {
				const image = inlineImageTypes.has(attachment.content_type);
				return {
					filename: attachment.filename,
					size: attachment.size,
					contentType: attachment.content_type,
					image,
					url: `/api/attachments/${message.id}/${attachment.id}/${encodeURIComponent(attachment.filename)}`
				};
			}),
			timestamp: message.timestamp,
			edited: message.edited_timestamp !== null,
			ephemeral,
			loading: (message.flags & 128) !== 0,
			deleted: message.deleted,
			visibleTo: ephemeral ? (record?.user.id ?? (message.interaction_metadata?.user as { id?: string } | undefined)?.id ?? null) : null,
			command: message.type === 20 && record ? { userId: record.user.id, name: record.label } : null
		};
	}

	private events(request: IncomingMessage, response: ServerResponse) {
		response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
		response.write('retry: 1000\n\n');
		this.clients.add(response);
		request.on('close', () => this.clients.delete(response));
	}

	private broadcast(event: string, data: unknown) {
		const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
		for (const client of this.clients) client.write(frame);
	}

	/** The bytes the bot uploaded: images inline, anything else as a download under its own name. */
	private attachment(response: ServerResponse, rest: string) {
		const [messageId, attachmentId] = rest.split('/');
		const attachment = this.options.fake.message(messageId ?? '')?.attachments.find((candidate) => candidate.id === attachmentId);
		if (!attachment) return this.json(response, 404, { error: 'not found' });
		const image = inlineImageTypes.has(attachment.content_type);
		response.setHeader('content-disposition', `${image ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`);
		return this.send(response, 200, image ? attachment.content_type : 'application/octet-stream', attachment.data, 'no-store');
	}

	/** A round avatar with the person's initial, or a robot face for the bot. Drawn here: the page loads no image from Discord. */
	private avatar(response: ServerResponse, userId: string) {
		const { fake, world } = this.options;
		const person = world.people.find((candidate) => candidate.id === userId);
		const palette = ['#3ba55c', '#faa61a', '#ed4245', '#eb459e', '#1abc9c', '#747f8d'];
		const colour = person ? palette[world.people.indexOf(person) % palette.length]! : '#5865f2';
		const face =
			userId === fake.botUser.id
				? '<rect x="22" y="26" width="36" height="28" rx="7" fill="#fff"/><circle cx="32" cy="40" r="4" fill="#5865f2"/><circle cx="48" cy="40" r="4" fill="#5865f2"/><rect x="38" y="17" width="4" height="9" fill="#fff"/><circle cx="40" cy="16" r="3.5" fill="#fff"/>'
				: `<text x="40" y="53" font-family="sans-serif" font-size="38" font-weight="600" fill="#fff" text-anchor="middle">${escapeXml(person?.name[0] ?? '?')}</text>`;
		const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80"><circle cx="40" cy="40" r="40" fill="${colour}"/>${face}</svg>`;
		return this.send(response, 200, contentTypes['.svg']!, svg, 'max-age=3600');
	}

	private async vendorFile(response: ServerResponse, rest: string) {
		const name = vendorPackages.find((candidate) => rest.startsWith(`${candidate}/`));
		if (!name || !(rest.endsWith('.js') || rest.endsWith('.js.map'))) return this.json(response, 404, { error: 'not found' });
		return this.file(response, this.vendorDirs.get(name)!, rest.slice(name.length + 1), 'max-age=3600');
	}

	private publicFile(response: ServerResponse, rest: string) {
		return this.file(response, this.publicDir, rest, 'no-cache');
	}

	private async file(response: ServerResponse, base: string, relative: string, cacheControl: string) {
		let decoded: string;
		try {
			decoded = decodeURIComponent(relative);
		} catch {
			return this.json(response, 400, { error: 'bad path' });
		}
		const path = resolve(base, decoded);
		const type = contentTypes[extname(path)];
		if (!path.startsWith(base + sep) || type === undefined || !(await stat(path).catch(() => null))?.isFile()) {
			return this.json(response, 404, { error: 'not found' });
		}
		return this.send(response, 200, type, await readFile(path), cacheControl);
	}

	private send(response: ServerResponse, status: number, type: string, body: string | Buffer, cacheControl: string) {
		response.writeHead(status, {
			'content-type': type,
			'cache-control': cacheControl,
			'content-security-policy': this.contentSecurityPolicy,
			'x-content-type-options': 'nosniff',
			'referrer-policy': 'no-referrer'
		});
		response.end(body);
	}

	private json(response: ServerResponse, status: number, body: unknown) {
		this.send(response, status, 'application/json; charset=utf-8', JSON.stringify(body), 'no-store');
	}
}

class BadRequest extends Error {}

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > 256 * 1024) throw new BadRequest('request body too large');
		chunks.push(chunk);
	}
	try {
		const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('expected a JSON object');
		return parsed as Record<string, unknown>;
	} catch (error) {
		throw error instanceof BadRequest ? error : new BadRequest('invalid JSON');
	}
}

function requireString(body: Record<string, unknown>, key: string): string {
	const value = body[key];
	if (typeof value !== 'string' || value.length === 0) throw new BadRequest(`${key} is missing`);
	return value;
}

function requireLanguage(body: Record<string, unknown>): string {
	const locale = requireString(body, 'locale');
	if (!Languages.some((language) => language.code === locale)) throw new BadRequest(`unknown language ${locale}`);
	return locale;
}

function readOptions(raw: unknown): Record<string, string | number | boolean> {
	if (typeof raw !== 'object' || raw === null) return {};
	const options: Record<string, string | number | boolean> = {};
	for (const [name, value] of Object.entries(raw)) {
		if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') options[name] = value;
	}
	return options;
}

/** A modal's values by custom_id: a text input's text, or a select menu's chosen values. */
function readModalValues(raw: unknown): Record<string, string | string[]> {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
	const values: Record<string, string | string[]> = {};
	for (const [customId, value] of Object.entries(raw)) values[customId] = Array.isArray(value) ? value.map(String) : String(value);
	return values;
}
