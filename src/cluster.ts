/**
 * `npm run start:cluster` (`node dist/cluster.js`): runs this machine's shards as child processes of discord.js's
 * `ShardingManager`, one shard per process, and starts a shard's process again when it dies.
 *
 * The shards are `SHARD_IDS` of `SHARD_COUNT`, or all of them; with neither set, as many as `GET /gateway/bot`
 * recommends, asked through `DISCORD_API_URL` when set (the manager's own `'auto'` would ask the real Discord).
 * With `METRICS_PORT` set, this process serves `/metrics` and `/healthz` for all its shards.
 */
import { ShardingManager, type Shard } from 'discord.js';
import { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config } from './lib/config.js';
import { loadProjectEnv } from './lib/env-file.js';
import { BotLogger, parseLogLevel } from './lib/logger.js';
import { ClusterMetrics } from './lib/metrics/cluster.js';
import { startMetricsServer } from './lib/metrics/server.js';
import { describeShards, fetchGatewayBot, spawnDelayMs } from './lib/sharding.js';

loadProjectEnv();

let config: Config;
try {
	config = loadConfig();
	if (config.sharding.mode === 'managed')
		throw new ConfigError('SHARDING_MANAGER is set: start the cluster from a shell or a Procfile, not from inside another cluster.');
} catch (error) {
	if (!(error instanceof ConfigError)) throw error;
	console.error(error.message);
	process.exit(1);
}

const logger = new BotLogger(parseLogLevel(config.logLevel), config.logFormat);
logger.addSecret(config.token);

/** A shard that dies this soon after starting is crash-looping: wait longer before each new try. */
const stableAfterMs = 60_000;
const firstRespawnDelayMs = 500;
const maxRespawnDelayMs = 30_000;
/** Railway and most hosts kill everything about 3 s after SIGTERM; each shard needs up to 2.7 s to shut down. */
const shutdownLimitMs = 2_900;

let stopping = false;

try {
	const gateway = await fetchGatewayBot(config.token, config.discordApiUrl);
	const sharding =
		config.sharding.mode === 'auto'
			? { mode: 'fixed' as const, shardIds: Array.from({ length: gateway.shards }, (_, id) => id), shardCount: gateway.shards }
			: config.sharding;
	const manager = new ShardingManager(fileURLToPath(new URL('./index.js', import.meta.url)), {
		totalShards: sharding.shardCount,
		shardList: [...sharding.shardIds],
		token: config.token,
		mode: 'process',
		// Respawned here instead, with a backoff, so that a shard that cannot start does not spin.
		respawn: false
	});
	const cluster = new ClusterMetrics(manager, sharding.shardIds);

	manager.on('shardCreate', (shard) => watch(shard, cluster));
	process.once('SIGTERM', (signal) => void stop(manager, `${signal} received`));
	process.once('SIGINT', (signal) => void stop(manager, `${signal} received`));

	if (config.metricsPort !== null) {
		const server = await startMetricsServer(config.metricsHost, config.metricsPort, {
			metrics: () => cluster.metrics(),
			health: () => cluster.health()
		});
		logger.info(`Cluster metrics on http://${config.metricsHost}:${server.port}/metrics, health on /healthz.`);
	}

	logger.info(`Starting ${describeShards(sharding)}, one process each (Discord recommends ${gateway.shards}).`);
	// `timeout: -1`: do not wait for each shard to be ready; spacing the starts is what the IDENTIFY limit needs.
	await manager.spawn({ amount: sharding.shardCount, delay: spawnDelayMs(gateway.maxConcurrency), timeout: -1 });
} catch (error) {
	logger.fatal('The cluster could not start:', error);
	process.exit(1);
}

function watch(shard: Shard, cluster: ClusterMetrics) {
	let startedAt = 0;
	let failures = 0;
	shard.on('spawn', (child) => {
		startedAt = performance.now();
		const pid = child instanceof ChildProcess ? child.pid : undefined;
		logger.info(`Shard ${shard.id} started (pid ${pid ?? '?'}).`, { shard: shard.id });
	});
	shard.on('death', (child) => {
		if (stopping) return;
		failures = performance.now() - startedAt > stableAfterMs ? 1 : failures + 1;
		const delay = Math.min(maxRespawnDelayMs, firstRespawnDelayMs * 2 ** (failures - 1));
		const how =
			child instanceof ChildProcess && child.signalCode
				? `was killed by ${child.signalCode}`
				: `exited with code ${child instanceof ChildProcess ? child.exitCode : '?'}`;
		logger.warn(`Shard ${shard.id} ${how}; starting it again in ${delay} ms.`, { shard: shard.id });
		cluster.restarts.inc({ shard: String(shard.id) });
		setTimeout(() => {
			if (stopping) return;
			shard.spawn(-1).catch((error: unknown) => logger.error(`Shard ${shard.id} could not be started again:`, error, { shard: shard.id }));
		}, delay).unref();
	});
	shard.on('error', (error) => logger.error(`Shard ${shard.id}:`, error, { shard: shard.id }));
}

/** Passes the signal on to every shard, waits for them to shut down cleanly, then exits. */
async function stop(manager: ShardingManager, reason: string) {
	if (stopping) return;
	stopping = true;
	logger.info(`${reason}: stopping ${manager.shards.size} shard(s).`);
	const exits = [...manager.shards.values()].flatMap((shard) => {
		const child = shard.process;
		if (!child || child.exitCode !== null || child.signalCode !== null) return [];
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		child.kill('SIGTERM');
		return [exited];
	});
	const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), shutdownLimitMs).unref());
	if ((await Promise.race([Promise.all(exits), deadline])) === 'late') {
		logger.warn('Some shards took too long to stop; killing them.');
		for (const shard of manager.shards.values()) shard.process?.kill('SIGKILL');
	} else {
		logger.info('Cluster stopped cleanly.');
	}
	process.exit(0);
}
