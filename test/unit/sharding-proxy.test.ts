import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/config.js';
import { createProxyRest, loadProxyConfig, proxyDiscordRequests } from '../../src/lib/rest-proxy.js';

const servers: Server[] = [];
async function listen(handler: RequestListener): Promise<string> {
	const server = createServer(handler);
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('the shared REST proxy', () => {
	it('GIVEN Discord answers 429 to a POST WHEN the proxy retries after Retry-After THEN it resends the same body, and the bot sees only the success', async () => {
		const bodies: string[] = [];
		const headers: (string | undefined)[] = [];
		const upstream = await listen((request, response) => {
			let body = '';
			request.on('data', (chunk: Buffer) => (body += chunk.toString()));
			request.on('end', () => {
				bodies.push(body);
				headers.push(request.headers.authorization);
				if (bodies.length === 1) {
					response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0.2', 'x-ratelimit-scope': 'user' });
					response.end(JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.2, global: false }));
					return;
				}
				response.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-limit': '5' }).end('{"id":"1"}');
			});
		});
		const proxy = await listen(proxyDiscordRequests(createProxyRest(`${upstream}/api`)));

		const answer = await fetch(`${proxy}/api/v10/channels/123456789012345678/messages`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: 'Bot a.b.c' },
			body: JSON.stringify({ content: 'hello' })
		});
		expect(answer.status).toBe(200);
		expect(await answer.json()).toEqual({ id: '1' });
		// Rate limit headers stay with the proxy, which alone keeps the buckets.
		expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
		expect(bodies).toEqual(['{"content":"hello"}', '{"content":"hello"}']);
		expect(headers).toEqual(['Bot a.b.c', 'Bot a.b.c']);
	});

	it('GIVEN /healthz THEN the proxy answers it itself', async () => {
		const proxy = await listen(proxyDiscordRequests(createProxyRest('http://127.0.0.1:1/api')));
		const answer = await fetch(`${proxy}/healthz`);
		expect(answer.status).toBe(200);
	});

	it('GIVEN no variables THEN listens on 127.0.0.1:8080 and forwards to Discord; GIVEN bad ones THEN names them', () => {
		expect(loadProxyConfig({})).toEqual({ port: 8080, host: '127.0.0.1', upstream: null });
		expect(loadProxyConfig({ PROXY_PORT: '9000', PROXY_HOST: '::', PROXY_UPSTREAM_URL: 'http://127.0.0.1:5/api/' })).toEqual({
			port: 9000,
			host: '::',
			upstream: 'http://127.0.0.1:5/api'
		});
		expect(() => loadProxyConfig({ PROXY_PORT: '70000' })).toThrow(
			new ConfigError('PROXY_PORT is malformed: "70000" is not a whole number from 1 to 65535.')
		);
		expect(() => loadProxyConfig({ PROXY_HOST: 'proxy.example' })).toThrow(/^PROXY_HOST is malformed/);
		expect(() => loadProxyConfig({ PROXY_UPSTREAM_URL: 'discord' })).toThrow(/^PROXY_UPSTREAM_URL is malformed/);
	});
});
