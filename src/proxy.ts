/**
 * `npm run start:proxy` (`node dist/proxy.js`): the REST proxy that lets every bot process share one set of Discord
 * rate limits. Point each bot's `DISCORD_API_URL` at `http://<this host>:<PROXY_PORT>/api`.
 */
import { createServer } from 'node:http';
import { loadOrExit } from './lib/config.js';
import { loadProjectEnv } from './lib/env-file.js';
import { createProxyRest, loadProxyConfig, proxyDiscordRequests } from './lib/rest-proxy.js';

loadProjectEnv();

const config = loadOrExit(loadProxyConfig);

const server = createServer(proxyDiscordRequests(createProxyRest(config.upstream)));
server.keepAliveTimeout = 65_000;
server.once('error', (error) => {
	console.error(`The REST proxy could not listen on ${config.host}:${config.port}: ${error.message}`);
	process.exit(1);
});
server.listen(config.port, config.host, () => {
	console.log(`REST proxy on http://${config.host}:${config.port}/api, forwarding to ${config.upstream ?? 'Discord'}.`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.once(signal, () => {
		// Requests in flight get a moment to finish; hosts kill the process about 3 s after the signal.
		server.close(() => process.exit(0));
		server.closeIdleConnections();
		setTimeout(() => process.exit(0), 2_500).unref();
	});
}
