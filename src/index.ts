import './lib/setup.js';
import { ApplicationCommandRegistries, container } from '@sapphire/framework';
import { ApprovalCache } from './lib/approval/cache.js';
import { createClient } from './lib/client.js';
import { ConfigError, loadConfig, type Config } from './lib/config.js';
import { openDatabase } from './lib/database/open.js';
import { loadProjectEnv } from './lib/env-file.js';
import { InFlightInteractions } from './lib/in-flight.js';
import { BotLogger, parseLogLevel } from './lib/logger.js';
import { createDeadlineScheduler, pollEdits } from './lib/polls/service.js';
import { onShutdown, registerShutdown, shutdown } from './lib/shutdown.js';

loadProjectEnv();

let config: Config;
try {
	config = loadConfig();
} catch (error) {
	if (!(error instanceof ConfigError)) throw error;
	console.error(error.message);
	process.exit(1);
}

// Development: commands registered in one server appear at once, where global ones may take a while.
if (config.devGuildId !== null) ApplicationCommandRegistries.setDefaultGuildIds([config.devGuildId]);

const logger = new BotLogger(parseLogLevel(config.logLevel), config.logFormat);
logger.addSecret(config.token);
container.config = config;
container.startedAt = new Date();
container.inFlight = new InFlightInteractions();
registerShutdown(logger);

const abortStart = new AbortController();
onShutdown('abort start-up', () => abortStart.abort());

try {
	const database = await openDatabase({
		databaseUrl: config.databaseUrl,
		poolSize: config.databasePoolSize,
		migrate: true,
		log: (line) => logger.info(line),
		onSecret: (secret) => logger.addSecret(secret),
		signal: abortStart.signal
	});
	container.sql = database.sql;
	onShutdown('close the database', () => database.close(1));
	container.approvals = new ApprovalCache(database.sql);
	await container.approvals.listen();
	onShutdown('stop listening for approval changes', () => container.approvals.close());

	const client = createClient(config, logger);
	onShutdown('let answers in flight finish', () => container.inFlight.drain(1_000));
	onShutdown('disconnect from Discord', () => client.destroy());
	await client.login(config.token);
	const pollDeadlines = createDeadlineScheduler();
	pollDeadlines.start();
	onShutdown('stop closing due polls, flush pending poll edits', () => Promise.all([pollDeadlines.stop(), pollEdits.close(1_500)]));
} catch (error) {
	if (!abortStart.signal.aborted) {
		logger.fatal('The bot could not start:', error);
		await shutdown(logger, 'Start-up failed', 1);
	}
}
