import { populateErrorResponse, populateSuccessfulResponse } from '@discordjs/proxy';
import { REST, type RequestMethod, type RouteLike } from 'discord.js';
import type { IncomingMessage, RequestListener } from 'node:http';
import { isIP } from 'node:net';
import { ConfigError } from './config.js';

/** Discord accepts uploads up to 25 MiB for bots without boosts; anything larger is refused here, not buffered. */
const maxBodyBytes = 26 * 1024 * 1024;

/**
 * A shared REST proxy for every bot process (`DISCORD_API_URL=http://proxy:8080/api`): one `REST` holds the rate
 * limit buckets of the whole bot, waits out each 429 once, and the processes behind it never see one.
 *
 * Like `@discordjs/proxy`'s `proxyRequests` (whose response helpers it uses), but the request body is read whole
 * first: `proxyRequests` streams it, and a request retried after a 429 then goes out with the spent stream
 * serialised as its body, which Discord refuses (400 Invalid Form Body). Seen with @discordjs/proxy 2.1.1.
 */
export function proxyDiscordRequests(rest: REST): RequestListener {
	return (request, response) => {
		// Answered here, never forwarded: the platform's health check of the proxy itself.
		if (request.url === '/healthz') {
			response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"reasons":[]}');
			return;
		}
		void forward(rest, request, response);
	};
}

async function forward(rest: REST, request: IncomingMessage, response: Parameters<RequestListener>[1]) {
	try {
		const body = await readBody(request);
		if (body === null) {
			response.statusCode = 413;
			return;
		}
		const url = new URL(request.url ?? '/', 'http://proxy');
		const headers: Record<string, string> = {};
		for (const name of ['content-type', 'authorization', 'x-audit-log-reason']) {
			const value = request.headers[name];
			if (typeof value === 'string') headers[name] = value;
		}
		const answer = await rest.queueRequest({
			fullRoute: url.pathname.replace(/^\/api(\/v\d+)?/, '') as RouteLike,
			method: (request.method ?? 'GET') as RequestMethod,
			body: body.length > 0 ? body : undefined,
			passThroughBody: true,
			// The caller's own Authorization header (or none, for interaction callbacks) goes through as it came.
			auth: false,
			query: url.searchParams,
			headers
		});
		await populateSuccessfulResponse(response, answer);
	} catch (error) {
		if (!populateErrorResponse(response, error)) response.statusCode = 502;
	} finally {
		response.end();
	}
}

async function readBody(request: IncomingMessage): Promise<Buffer | null> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of request) {
		size += (chunk as Buffer).length;
		if (size > maxBodyBytes) return null;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

/** The proxy's REST: no token of its own (each request carries the bot's), rate limits waited out, not passed on. */
export function createProxyRest(upstream: string | null): REST {
	return new REST({ ...(upstream === null ? {} : { api: upstream }), rejectOnRateLimit: null, retries: 3 });
}

export interface ProxyConfig {
	readonly port: number;
	readonly host: string;
	/** Where requests go: Discord itself unless set (a fake Discord in tests). */
	readonly upstream: string | null;
}

/** `PROXY_PORT` (default 8080), `PROXY_HOST` (default 127.0.0.1) and `PROXY_UPSTREAM_URL`, validated like the bot's. */
export function loadProxyConfig(env: Readonly<Record<string, string | undefined>> = process.env): ProxyConfig {
	const rawPort = env.PROXY_PORT?.trim() || '8080';
	const port = /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
	if (!(port >= 1 && port <= 65_535)) throw new ConfigError(`PROXY_PORT is malformed: "${rawPort}" is not a whole number from 1 to 65535.`);
	const host = env.PROXY_HOST?.trim() || '127.0.0.1';
	if (isIP(host) === 0 && host !== 'localhost')
		throw new ConfigError(`PROXY_HOST is malformed: "${host}" is not an IP address to listen on, such as 127.0.0.1 or ::.`);
	const rawUpstream = env.PROXY_UPSTREAM_URL?.trim() || null;
	if (rawUpstream !== null && !/^https?:\/\/[^\s/]+/.test(rawUpstream)) {
		throw new ConfigError('PROXY_UPSTREAM_URL is malformed: expected an http(s) URL such as http://127.0.0.1:8081/api.');
	}
	return { port, host, upstream: rawUpstream?.replace(/\/+$/, '') ?? null };
}
