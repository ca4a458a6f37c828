/**
 * End-to-end harness: a fresh PostgreSQL database, a FakeDiscord, and the real built bot (`node dist/index.js`) as a
 * child process pointed at both. Nothing here talks to the real Discord: the bot's only Discord is the fake on
 * 127.0.0.1, and its token is a made-up string (never inherited from the parent environment).
 */
import { afterAll, afterEach, beforeAll, expect, type TestContext } from 'vitest';
import { FakeDiscord, type FakeDiscordOptions, type FakeUser } from '../fake-discord/index.js';
import { BOT_ENTRY, BotProcess, botEnvironment } from '../support/bot-process.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export { BotProcess, type ExitResult } from '../support/bot-process.js';

export interface StackOptions {
	/** Options of the FakeDiscord (e.g. `shardCount`). */
	fake?: FakeDiscordOptions;
	/** Extra environment for the bot (e.g. `LOG_LEVEL`, `SHARD_COUNT`). */
	env?: Record<string, string>;
	/** Runs after the fake started and before the bot does: create guilds (they arrive in READY), inject faults... */
	setup?: (fake: FakeDiscord) => void | Promise<void>;
	/** Changes the database URL the bots get (e.g. to route it through a `TcpProxy` that a test can cut). */
	databaseUrl?: (url: string) => string;
	/** How long to wait for the bot's ready line. Default 30 s. */
	startupTimeoutMs?: number;
	/** Node's flags before the bot's entry (e.g. the Procfile worker's, `procfileWorkerFlags()`); none by default. */
	nodeFlags?: readonly string[];
}

export interface Stack {
	fake: FakeDiscord;
	database: TestDatabase;
	/** The operator (`OWNER_ID`), a user of the fake. */
	owner: FakeUser;
	bot: BotProcess;
	/** Another bot process on the same fake and database (multi-process tests); `env` is added to the first bot's. */
	startSecondBot(env?: Record<string, string>): Promise<BotProcess>;
	/** Output of every bot process of the stack. */
	output(): string;
	/** Kills every bot, closes the fake and drops the database. Safe to call twice. */
	stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
	const database = await createTestDatabase();
	let fake: FakeDiscord | undefined;
	const bots: BotProcess[] = [];
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		await Promise.allSettled(bots.filter((bot) => bot.running).map((bot) => bot.stop('SIGKILL')));
		await fake?.close();
		await database.drop();
	};
	try {
		fake = await FakeDiscord.start(options.fake);
		const owner = fake.createUser({ username: 'operator' });
		await options.setup?.(fake);
		const baseEnv = botEnvironment({
			OWNER_ID: owner.id,
			DATABASE_URL: options.databaseUrl?.(database.url) ?? database.url,
			DISCORD_API_URL: fake.restBase,
			...options.env
		});
		const makeBot = (label: string, env: Record<string, string>) => {
			const args = options.nodeFlags === undefined ? {} : { args: [...options.nodeFlags, BOT_ENTRY] };
			const bot = new BotProcess(label, env, fake!, options.startupTimeoutMs ?? 30_000, args);
			bots.push(bot);
			return bot;
		};
		const bot = makeBot('bot', baseEnv);
		await bot.start();
		return {
			fake,
			database,
			owner,
			bot,
			async startSecondBot(env = {}) {
				const second = makeBot(`bot #${bots.length + 1}`, { ...baseEnv, ...env });
				await second.start();
				return second;
			},
			output: () => bots.map((entry) => entry.output()).join('\n'),
			stop
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** The bot followed Discord's protocol: no rule broken, no route the fake (and Discord) does not have. */
export function expectCleanProtocol(fake: FakeDiscord): void {
	expect(fake.protocolProblems(), 'the bot broke Discord rules or called unknown routes').toEqual([]);
}

/**
 * One stack for a describe block: started before its tests, stopped after them (also when they fail), and the
 * bots' output printed for each failed test.
 */
export function useStack(options: StackOptions = {}): () => Stack {
	let stack: Stack | undefined;
	beforeAll(async () => {
		stack = await startStack(options);
	});
	afterEach((context: TestContext) => {
		if (context.task.result?.state === 'fail' && stack)
			console.error(`\n===== bot output for "${context.task.name}" =====\n${stack.output()}\n${stack.fake.protocolProblems().join('\n')}`);
	});
	afterAll(async () => {
		await stack?.stop();
	});
	return () => {
		if (!stack) throw new Error('useStack: the stack did not start (see the beforeAll error)');
		return stack;
	};
}
