import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthReport } from '../health.js';

export interface MetricsEndpoints {
	/** The Prometheus exposition text and its content type. */
	readonly metrics: () => Promise<{ contentType: string; body: string }>;
	readonly health: () => Promise<HealthReport>;
}

export interface MetricsServer {
	readonly port: number;
	close(): Promise<void>;
}

/**
 * `GET /metrics` and `GET /healthz` (200 with `{"ok":true}`, or 503 with the reasons), on `host:port` only.
 * Rejects when the port cannot be bound, so a misconfigured port stops the start-up with a clear error.
 */
export async function startMetricsServer(host: string, port: number, endpoints: MetricsEndpoints): Promise<MetricsServer> {
	const server = createServer((request, response) => {
		const path = (request.url ?? '/').split('?')[0];
		if (request.method !== 'GET' && request.method !== 'HEAD') {
			response.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		const answer =
			path === '/metrics'
				? endpoints.metrics().then(({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body))
				: path === '/healthz'
					? endpoints.health().then((report) => {
							response.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
							response.end(JSON.stringify(report));
						})
					: Promise.resolve(response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: try /metrics or /healthz.\n'));
		answer.catch((error: unknown) => {
			if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
			response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`);
		});
	});
	// Scrapers keep connections alive; shutdown must not wait for them.
	server.keepAliveTimeout = 5_000;
	await listen(server, host, port);
	return {
		port: (server.address() as AddressInfo).port,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

function listen(server: Server, host: string, port: number) {
	return new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) => {
			reject(
				error.code === 'EADDRINUSE'
					? new Error(`METRICS_PORT ${port} on ${host} is already in use: choose another port.`)
					: error.code === 'EADDRNOTAVAIL'
						? new Error(`METRICS_HOST ${host} is not an address of this machine.`)
						: error
			);
		});
		server.listen(port, host, () => resolve());
	});
}
