/**
 * Everything `npm run playground` runs, in start order: PostgreSQL, the fake Discord with the playground's people
 * and servers, the built bot as a child process, and the web page. The browser test starts the same stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../src/lib/database/embedded.js';
import { FakeDiscord } from '../test/fake-discord/index.js';
import { BotProcess, botEnvironment } from '../test/support/bot-process.js';
import { PlaygroundWeb } from './web.js';
import { PlaygroundWorld } from './world.js';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
/** Not `.data/postgres`, which `npm start` uses: the playground never touches a developer's own bot data. */
export const defaultDataDirectory = join(projectRoot, '.data', 'playground');

export interface PlaygroundOptions {
	/** Holds the PostgreSQL cluster and the ids of the playground's world. */
	dataDirectory: string;
	/** Use this PostgreSQL instead of starting one in `dataDirectory` (the browser test's own database). */
	databaseUrl?: string;
	/** Wipe `dataDirectory` first. */
	reset: boolean;
	/** Web page port on 127.0.0.1; 0 picks a free one. */
	port: number;
	/** Each line the bot prints. */
	onBotLine: (line: string) => void;
	/** Progress, one line per step. */
	log: (line: string) => void;
	/** The bot stopped on its own (it crashed): the caller decides what to do. */
	onBotExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface Playground {
	url: string;
	fake: FakeDiscord;
	world: PlaygroundWorld;
	close(): Promise<void>;
}

export async function startPlayground(options: PlaygroundOptions): Promise<Playground> {
	const cleanups: Array<() => Promise<void>> = [];
	const close = async () => {
		for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
	};
	try {
		// Fail before starting anything when the page's port is taken.
		if (options.port !== 0) await assertPortFree(options.port);
		if (options.reset) {
			await stopDatabaseIn(options.dataDirectory);
			await rm(options.dataDirectory, { recursive: true, force: true });
			options.log(`Reset: removed ${options.dataDirectory}.`);
		}
		await mkdir(options.dataDirectory, { recursive: true });

		let started = Date.now();
		let databaseUrl = options.databaseUrl;
		if (databaseUrl === undefined) {
			const database: EmbeddedDatabase = await startEmbeddedDatabase({ directory: join(options.dataDirectory, 'postgres'), persistent: true });
			cleanups.push(() => database.stop());
			databaseUrl = database.url;
			options.log(`PostgreSQL started (${Date.now() - started} ms), data in ${join(options.dataDirectory, 'postgres')}.`);
		}

		const fake = await FakeDiscord.start({ botName: 'DiscordTestBot' });
		cleanups.push(() => fake.close());
		const world = await PlaygroundWorld.load(fake, join(options.dataDirectory, 'world.json'));
		options.log(`Fake Discord listening on ${fake.restBase}.`);

		started = Date.now();
		const pidFile = join(options.dataDirectory, 'bot.pid');
		await stopLeftoverBot(pidFile);
		const bot = new BotProcess('bot', playgroundBotEnvironment(world.ownerId, databaseUrl, fake.restBase), fake, 60_000, {
			detached: true,
			onLine: options.onBotLine,
			onUnexpectedExit: (code, signal) => {
				void rm(pidFile, { force: true });
				options.onBotExit(code, signal);
			}
		});
		cleanups.push(async () => {
			await bot.stop('SIGTERM', 6_000);
			await rm(pidFile, { force: true });
		});
		await bot.start();
		if (bot.pid) await writeFile(pidFile, `${bot.pid}\n`);
		options.log(`Bot started and registered ${fake.commands.length} commands (${Date.now() - started} ms).`);

		const web = await PlaygroundWeb.start({ fake, world, projectRoot, port: options.port });
		cleanups.push(() => web.close());
		return { url: web.url, fake, world, close };
	} catch (error) {
		await close();
		throw error;
	}
}

/** Any string works as a token for discord.js; this one also marks a process as the playground's bot. */
const playgroundToken = 'playground.fake-token.not-a-real-discord-token';

/**
 * Built here, not inherited: a developer's token, `.env` or `DATABASE_URL` cannot leak in and nothing can reach the
 * real Discord. The log settings are the developer's to choose.
 */
function playgroundBotEnvironment(ownerId: string, databaseUrl: string, discordApiUrl: string): Record<string, string> {
	const logSettings = Object.fromEntries(['LOG_LEVEL', 'LOG_FORMAT'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
	return botEnvironment({
		NODE_ENV: 'development',
		...logSettings,
		TOKEN: playgroundToken,
		OWNER_ID: ownerId,
		DATABASE_URL: databaseUrl,
		DISCORD_API_URL: discordApiUrl
	});
}

/** A bot left running by a playground that was killed (SIGKILL): stop it, by the pid that playground recorded. */
async function stopLeftoverBot(pidFile: string) {
	if (!existsSync(pidFile)) return;
	const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
	await rm(pidFile, { force: true });
	if (!Number.isSafeInteger(pid) || pid <= 1 || !isPlaygroundBot(pid)) return;
	process.kill(pid, 'SIGTERM');
	for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 100) await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
	if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isPlaygroundBot(pid: number): boolean {
	try {
		// Only a process carrying the playground's own token is ours: the pid may have been reused since.
		return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TOKEN=${playgroundToken}`);
	} catch {
		return false;
	}
}

function isAlive(pid: number) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** A PostgreSQL left running in the folder about to be wiped (a playground killed hard) is stopped first. */
async function stopDatabaseIn(dataDirectory: string) {
	const pidFile = join(dataDirectory, 'postgres', 'cluster', 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
	if (!Number.isSafeInteger(pid) || pid <= 1) return;
	try {
		process.kill(pid, 'SIGINT');
	} catch {
		return;
	}
	for (let waited = 0; waited < 10_000; waited += 100) {
		try {
			process.kill(pid, 0);
		} catch {
			return;
		}
		await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
	}
}

function assertPortFree(port: number): Promise<void> {
	return new Promise((resolvePromise, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePromise()));
	});
}
