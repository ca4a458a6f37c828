import './lib/setup.js';
import { ApplicationCommandRegistries, container } from '@sapphire/framework';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApprovalCache } from './lib/approval/cache.js';
import { closeGateway, createClient } from './lib/client.js';
import { loadConfig, loadOrExit } from './lib/config.js';
import { surviveClosedSocketWrites } from './lib/database/client.js';
import { openDatabase } from './lib/database/open.js';
import { loadProjectEnv } from './lib/env-file.js';
import { checkHealth, type HealthSources } from './lib/health.js';
import { InFlightInteractions } from './lib/in-flight.js';
import { BotLogger, parseLogLevel } from './lib/logger.js';
import { answerClusterRequests } from './lib/metrics/cluster.js';
import { metrics } from './lib/metrics/index.js';
import { attachClientMetrics } from './lib/metrics/interactions.js';
import { startMetricsServer } from './lib/metrics/server.js';
import { createDeadlineScheduler } from './lib/polls/announce.js';
import { shareEditBudget } from './lib/fleet/edit-share.js';
import { createClaimCleanup } from './lib/interaction-claims.js';
import { lostEdits, pollEditBudget, pollEdits } from './lib/polls/edits.js';
import { GuildSettingsCache } from './lib/settings/cache.js';
import { describeShards } from './lib/sharding.js';
import { onShutdown, registerShutdown, shutdown } from './lib/shutdown.js';

loadProjectEnv();

const config = loadOrExit(loadConfig);

// Development: commands registered in one server appear at once, where global ones may take a while.
if (config.devGuildId !== null) ApplicationCommandRegistries.setDefaultGuildIds([config.devGuildId]);

const logger = new BotLogger(parseLogLevel(config.logLevel), config.logFormat);
surviveClosedSocketWrites(logger);
logger.addSecret(config.token);
container.config = config;
container.startedAt = new Date();
container.inFlight = new InFlightInteractions();
registerShutdown(logger);

const abortStart = new AbortController();
onShutdown('abort start-up', () => abortStart.abort());

// Filled in as start-up goes: until both are there, /healthz says what is still missing.
const health: { -readonly [K in keyof HealthSources]: HealthSources[K] } = { metrics };
const reportHealth = () => checkHealth(health);

try {
	if (config.sharding.mode === 'managed') {
		// A shard of `npm run start:cluster`: its manager serves the metrics, and its exit must not leave this one running.
		answerClusterRequests(metrics.registry, reportHealth);
		process.once('disconnect', () => void shutdown(logger, 'The cluster manager is gone'));
	} else if (config.metricsPort !== null) {
		const server = await startMetricsServer(config.metricsHost, config.metricsPort, {
			metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
			health: reportHealth
		});
		onShutdown('close the metrics server', () => server.close());
		logger.info(`Metrics on http://${config.metricsHost}:${server.port}/metrics, health on /healthz.`);
	}

	const applicationName = `discord-test-bot/${hostname().slice(0, 30)}/${process.pid}`;
	const database = await openDatabase({
		databaseUrl: config.databaseUrl,
		poolSize: config.databasePoolSize,
		applicationName,
		migrate: true,
		log: (line) => logger.info(line),
		onSecret: (secret) => logger.addSecret(secret),
		signal: abortStart.signal
	});
	container.sql = database.sql;
	health.sql = database.sql;
	metrics.attach({ sql: database.sql, applicationName, poolSize: config.databasePoolSize });
	onShutdown('close the database', () => database.close(0.5));
	lostEdits.afterMs = config.pollEditHealSeconds * 1_000;
	const stopSharing = shareEditBudget({
		sql: database.sql,
		budget: pollEditBudget,
		total: config.pollEditRate,
		// The pid alone may repeat across containers (pid 1): a random part keeps two processes apart.
		processId: `${applicationName}/${randomUUID().slice(0, 8)}`,
		onError: (error) => logger.debug('Sharing the poll-edit budget failed; keeping the last share:', error)
	});
	onShutdown('give back the poll-edit budget', stopSharing);
	container.approvals = new ApprovalCache(database.sql);
	await container.approvals.listen();
	onShutdown('stop listening for approval changes', () => container.approvals.close());
	container.guildSettings = new GuildSettingsCache(database.sql);
	await container.guildSettings.listen();
	onShutdown('stop listening for settings changes', () => container.guildSettings.close());

	const client = createClient(config, logger);
	health.client = client;
	metrics.attach({ client });
	onShutdown('stop counting interactions', attachClientMetrics(client, metrics));
	logger.info(`Connecting to Discord on ${describeShards(config.sharding)}.`);
	onShutdown('disconnect from Discord', () => client.destroy());
	await client.login(config.token);
	const pollDeadlines = createDeadlineScheduler();
	pollDeadlines.start();
	const claimCleanup = createClaimCleanup(database.sql, logger);
	claimCleanup.start();
	onShutdown('stop forgetting old interaction claims', () => claimCleanup.stop());
	// Shutdown steps run newest first: stop receiving, answer what is in flight (replies need no gateway), send the
	// poll edits that caused, then disconnect the client and close the database (registered above).
	onShutdown('stop closing due polls, flush pending poll edits', () => Promise.all([pollDeadlines.stop(), pollEdits.close(600)]));
	onShutdown('let answers in flight finish', () => container.inFlight.drain(700));
	onShutdown('stop receiving events', () => closeGateway(client));
} catch (error) {
	if (!abortStart.signal.aborted) {
		logger.fatal('The bot could not start:', error);
		await shutdown(logger, 'Start-up failed', 1);
	}
}
