/**
 * The HTTP side: routing under `/api/v10`, auth, body parsing (JSON and multipart), Discord-shaped errors,
 * `X-RateLimit-*` headers, fault injection (429s and 5xx on demand) and the request log.
 * Route handlers live in routes.ts; this file knows nothing about messages or interactions.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FakeClock } from './clock.js';
import { DiscordApiError, Errors } from './errors.js';
import type { UploadedFile } from './messages.js';

export interface RestRequest {
	method: string;
	/** Decoded path below `/api/v10`, e.g. `/webhooks/1/abc/messages/@original`. */
	path: string;
	/** The matched route template, e.g. `/webhooks/:applicationId/:token/messages/:messageId`. */
	route: string;
	params: Record<string, string>;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	/** Parsed JSON body, or `payload_json` of a multipart body; undefined without a body. */
	body: unknown;
	files: UploadedFile[];
}

export interface RestResponse {
	status: number;
	body?: unknown;
}

export interface RouteDefinition {
	method: string;
	template: string;
	/** Interaction callbacks and webhook-token routes are called without a bot token. */
	auth: boolean;
	handle(request: RestRequest): RestResponse | Promise<RestResponse>;
}

export interface RequestLogEntry {
	method: string;
	/** Route template, or null for an unknown route. */
	route: string | null;
	path: string;
	status: number;
	/** Epoch ms (fake clock) when the request arrived, and how long the fake took to answer. */
	at: number;
	ms: number;
}

export interface Violation {
	at: number;
	method: string;
	route: string;
	path: string;
	status: number;
	code: number;
	reason: string;
	body: unknown;
}

/**
 * Which requests a fault applies to: `'POST /channels/:channelId/messages'` (method + template), a template alone
 * (`'/interactions/:id/:token/callback'`, any method), a RegExp tested against `"METHOD /decoded/path"`, or a predicate.
 */
export type RouteMatcher = string | RegExp | ((request: { method: string; route: string; path: string }) => boolean);

interface Fault {
	matcher: RouteMatcher;
	remaining: number;
	respond(request: RestRequest): { status: number; body: unknown; headers: Record<string, string> };
}

/** A request held by {@link RestApi.holdNext}. */
export interface RequestHold {
	readonly arrived: Promise<void>;
	release(): void;
}

const REQUEST_LOG_LIMIT = 100_000;

export interface RestHooks {
	onViolation(violation: Violation): void;
	onUnknownRoute(entry: { method: string; path: string }): void;
	onRequest(entry: RequestLogEntry): void;
}

interface CompiledRoute extends RouteDefinition {
	segments: string[];
	literalCount: number;
}

export class RestApi {
	public readonly requestLog: RequestLogEntry[] = [];
	private readonly routes: CompiledRoute[];
	private readonly faults: Fault[] = [];
	private readonly holds: (RequestHold & { matcher: RouteMatcher; taken: boolean; released: Promise<void>; arrive(): void })[] = [];
	/** Discord's global limit on a bot's authenticated requests, when a test asks for it: per second, and when each was taken. */
	private globalLimit: number | null = null;
	private readonly globalWindow: number[] = [];
	/** Requests refused by the global limit. */
	public globalLimitHits = 0;

	public constructor(
		routes: RouteDefinition[],
		private readonly clock: FakeClock,
		private readonly hooks: RestHooks
	) {
		// Literal segments win over parameters: `/users/@me` before `/users/:userId`.
		this.routes = routes
			.map((route) => {
				const segments = route.template.split('/').filter(Boolean);
				return { ...route, segments, literalCount: segments.filter((segment) => !segment.startsWith(':')).length };
			})
			.sort((a, b) => b.literalCount - a.literalCount);
	}

	public rateLimitNext(matcher: RouteMatcher, count: number, retryAfterSeconds: number): void {
		this.faults.push({
			matcher,
			remaining: count,
			respond: (request) => ({
				status: 429,
				body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
				headers: {
					'Retry-After': String(Math.ceil(retryAfterSeconds)),
					'X-RateLimit-Limit': '5',
					'X-RateLimit-Remaining': '0',
					'X-RateLimit-Reset': ((this.clock.now() + retryAfterSeconds * 1000) / 1000).toFixed(3),
					'X-RateLimit-Reset-After': retryAfterSeconds.toFixed(3),
					'X-RateLimit-Bucket': bucketHash(request),
					'X-RateLimit-Scope': 'user'
				}
			})
		});
	}

	/**
	 * Enforces Discord's global limit: at most `perSecond` authenticated requests in any second (interaction callbacks
	 * and webhook follow-ups carry no token and are outside it, as on Discord); `null` turns it off.
	 */
	public setGlobalRateLimit(perSecond: number | null): void {
		this.globalLimit = perSecond;
		this.globalWindow.length = 0;
	}

	/** A 429 with `global: true` when this request would go past the global limit; otherwise counts it. */
	private takeGlobal(): { status: number; body: unknown; headers: Record<string, string> } | null {
		if (this.globalLimit === null) return null;
		const now = this.clock.now();
		while (this.globalWindow.length > 0 && this.globalWindow[0]! <= now - 1_000) this.globalWindow.shift();
		if (this.globalWindow.length < this.globalLimit) {
			this.globalWindow.push(now);
			return null;
		}
		this.globalLimitHits++;
		const retryAfter = Math.max(0.001, (this.globalWindow[0]! + 1_000 - now) / 1_000);
		return {
			status: 429,
			body: { message: 'You are being rate limited.', retry_after: retryAfter, global: true },
			headers: { 'Retry-After': String(Math.ceil(retryAfter)), 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' }
		};
	}

	public failNext(matcher: RouteMatcher, count: number, status: number): void {
		this.faults.push({
			matcher,
			remaining: count,
			respond: () => ({ status, body: { message: `${status}: Injected failure`, code: 0 }, headers: {} })
		});
	}

	/**
	 * Holds the next request matching `matcher` before Discord acts on it, as a slow request would be: it is applied
	 * and answered only once `release()` is called, so a test can make two edits land in the order it needs.
	 * `arrived` resolves when the held request has come in.
	 */
	public holdNext(matcher: RouteMatcher): RequestHold {
		let arrive!: () => void;
		let release!: () => void;
		const hold = {
			matcher,
			taken: false,
			arrived: new Promise<void>((resolve) => (arrive = resolve)),
			released: new Promise<void>((resolve) => (release = resolve)),
			arrive: () => arrive(),
			release: () => release()
		};
		this.holds.push(hold);
		return { arrived: hold.arrived, release: hold.release };
	}

	/** Faults not yet used up (a test can assert its injected 429 was actually hit). */
	public pendingFaults(): number {
		return this.faults.reduce((sum, fault) => sum + fault.remaining, 0);
	}

	public async handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
		const started = performance.now();
		const at = this.clock.now();
		const url = new URL(incoming.url ?? '/', 'http://fake.local');
		const method = (incoming.method ?? 'GET').toUpperCase();
		let path: string;
		try {
			path = decodeURIComponent(url.pathname);
		} catch {
			path = url.pathname;
		}
		const finish = (route: string | null, status: number, body: unknown, headers: Record<string, string> = {}) => {
			const payload = body === undefined ? '' : JSON.stringify(body);
			response.writeHead(status, {
				...headers,
				...(payload ? { 'Content-Type': 'application/json' } : {}),
				'Content-Length': Buffer.byteLength(payload)
			});
			response.end(payload);
			const entry: RequestLogEntry = { method, route, path, status, at, ms: performance.now() - started };
			this.requestLog.push(entry);
			if (this.requestLog.length > REQUEST_LOG_LIMIT) this.requestLog.splice(0, this.requestLog.length - REQUEST_LOG_LIMIT);
			this.hooks.onRequest(entry);
		};

		const apiPath = path.startsWith('/api/v10/') ? path.slice('/api/v10'.length) : null;
		const match = apiPath === null ? null : this.match(method, apiPath);
		if (!match) {
			incoming.resume();
			this.hooks.onUnknownRoute({ method, path });
			return finish(null, 404, { message: '404: Not Found', code: 0 });
		}
		const { route, params } = match;
		const request: RestRequest = {
			method,
			path: apiPath!,
			route: route.template,
			params,
			query: url.searchParams,
			headers: incoming.headers,
			body: undefined,
			files: []
		};
		const reject = (error: DiscordApiError) => {
			if (error.violation)
				this.hooks.onViolation({
					at,
					method,
					route: route.template,
					path: apiPath!,
					status: error.status,
					code: error.body.code,
					reason: error.violation,
					body: request.body
				});
			finish(route.template, error.status, error.body);
		};

		try {
			const raw = await readBody(incoming);
			if (route.auth && !/^Bot\s+\S+/.test(incoming.headers.authorization ?? '')) return reject(Errors.unauthorized());
			const limited = route.auth ? this.takeGlobal() : null;
			if (limited) return finish(route.template, limited.status, limited.body, limited.headers);
			const fault = this.takeFault(method, route.template, apiPath!);
			if (fault) {
				const injected = fault.respond(request);
				return finish(route.template, injected.status, injected.body, injected.headers);
			}
			const hold = this.holds.find((candidate) => !candidate.taken && matches(candidate.matcher, method, route.template, apiPath!));
			if (hold) {
				hold.taken = true;
				hold.arrive();
				await hold.released;
			}
			if (raw.length > 0) Object.assign(request, await parseBody(incoming.headers['content-type'] ?? '', raw));
			// Synchronous handlers are not awaited, so the request is logged before anyone woken by the handler
			// (e.g. a test awaiting `handle.waitForOriginal()`) reads `requestLog`.
			const pending = route.handle(request);
			const result = pending instanceof Promise ? await pending : pending;
			finish(route.template, result.status, result.body, rateLimitHeaders(request, at));
		} catch (error) {
			if (error instanceof DiscordApiError) return reject(error);
			// A bug in the fake itself: answer 500 and make it loud in the test's violations.
			this.hooks.onViolation({
				at,
				method,
				route: route.template,
				path: apiPath!,
				status: 500,
				code: 0,
				reason: `fake-discord internal error: ${(error as Error).stack ?? String(error)}`,
				body: request.body
			});
			finish(route.template, 500, { message: '500: Internal Server Error', code: 0 });
		}
	}

	private match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | null {
		const parts = path.split('/').filter(Boolean);
		for (const route of this.routes) {
			if (route.method !== method || route.segments.length !== parts.length) continue;
			const params: Record<string, string> = {};
			const matches = route.segments.every((segment, index) => {
				if (segment.startsWith(':')) {
					params[segment.slice(1)] = parts[index]!;
					return true;
				}
				return segment === parts[index];
			});
			if (matches) return { route, params };
		}
		return null;
	}

	private takeFault(method: string, route: string, path: string): Fault | undefined {
		const fault = this.faults.find((candidate) => candidate.remaining > 0 && matches(candidate.matcher, method, route, path));
		if (fault) fault.remaining--;
		return fault;
	}
}

function matches(matcher: RouteMatcher, method: string, route: string, path: string): boolean {
	if (typeof matcher === 'function') return matcher({ method, route, path });
	if (matcher instanceof RegExp) return matcher.test(`${method} ${path}`);
	return matcher === route || matcher === `${method} ${route}`;
}

function bucketHash(request: Pick<RestRequest, 'method' | 'route'>): string {
	return createHash('sha1').update(`${request.method} ${request.route}`).digest('hex').slice(0, 16);
}

/** Headers of a healthy bucket: plenty left, resets in a second (so discord.js never throttles itself by mistake). */
function rateLimitHeaders(request: RestRequest, now: number): Record<string, string> {
	return {
		'X-RateLimit-Limit': '50',
		'X-RateLimit-Remaining': '49',
		'X-RateLimit-Reset': ((now + 1000) / 1000).toFixed(3),
		'X-RateLimit-Reset-After': '1.000',
		'X-RateLimit-Bucket': bucketHash(request)
	};
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of incoming) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** JSON bodies, or multipart with `payload_json` plus `files[n]` (what discord.js sends with attachments). */
async function parseBody(contentType: string, raw: Buffer): Promise<{ body: unknown; files: UploadedFile[] }> {
	if (contentType.startsWith('multipart/form-data')) {
		// Node's fetch Request (undici) parses multipart; no extra dependency needed.
		const form = await new Request('http://fake.local/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
		let body: unknown = {};
		const files: UploadedFile[] = [];
		for (const [field, value] of form.entries()) {
			if (typeof value === 'string') {
				if (field === 'payload_json') body = parseJson(value);
				continue;
			}
			files.push({
				field,
				filename: value.name,
				// Clients send a typeless Blob as application/octet-stream.
				contentType: value.type && value.type !== 'application/octet-stream' ? value.type : contentTypeFromName(value.name),
				data: Buffer.from(await value.arrayBuffer())
			});
		}
		return { body, files };
	}
	return { body: parseJson(raw.toString('utf8')), files: [] };
}

/** Discord works out the type of an upload sent without one; the file name is a good enough guess for tests. */
const TYPE_BY_EXTENSION: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	csv: 'text/csv; charset=utf-8',
	txt: 'text/plain; charset=utf-8',
	json: 'application/json; charset=utf-8'
};

function contentTypeFromName(filename: string): string {
	return TYPE_BY_EXTENSION[filename.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw Errors.invalidJson();
	}
}
