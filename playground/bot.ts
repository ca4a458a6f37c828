/**
 * The built bot (`node dist/index.js`) as a child process, pointed at the fake Discord and the playground's
 * PostgreSQL. Its environment is built here, not inherited, so a developer's token, `.env` or `DATABASE_URL` cannot
 * leak in and nothing can reach the real Discord.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Any string works as a token for discord.js; the fake accepts it. */
export const PlaygroundToken = 'playground.fake-token.not-a-real-discord-token';
/** Logged by the bot once Sapphire registered its commands. */
const readyLine = 'Commands registered';

/** What the bot inherits from the playground's environment: what Node needs and the log settings, nothing else. */
const inheritedVariables = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'LOG_LEVEL', 'LOG_FORMAT'];

export interface BotOptions {
	projectRoot: string;
	ownerId: string;
	databaseUrl: string;
	discordApiUrl: string;
	/** Where the bot's pid is kept, so a playground killed hard does not leave its bot running (null: nowhere). */
	pidFile: string | null;
	/** Each line the bot prints (already stripped of the token). */
	onLine: (line: string) => void;
	/** The bot stopped without being asked to. */
	onUnexpectedExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export class BotProcess {
	private stopping = false;
	private readonly exited: Promise<void>;
	private ready = false;
	private readonly readyWaiters: Array<() => void> = [];

	private constructor(
		private readonly child: ChildProcess,
		private readonly options: BotOptions
	) {
		let partial = '';
		const onData = (chunk: Buffer) => {
			const lines = (partial + chunk.toString('utf8').replaceAll(PlaygroundToken, '[token]')).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) this.line(line);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		this.exited = new Promise((resolve) => {
			child.once('exit', (code, signal) => {
				if (partial) this.line(partial);
				if (options.pidFile) void rm(options.pidFile, { force: true });
				if (!this.stopping) options.onUnexpectedExit(code, signal);
				resolve();
			});
		});
	}

	public static async start(options: BotOptions): Promise<BotProcess> {
		const entry = join(options.projectRoot, 'dist', 'index.js');
		if (!existsSync(entry)) throw new Error('dist/index.js is missing: run `npm run build` first (`npm run playground` does).');
		if (options.pidFile) await stopLeftoverBot(options.pidFile);

		const env: Record<string, string> = {};
		for (const name of inheritedVariables) if (process.env[name]) env[name] = process.env[name];
		Object.assign(env, {
			TOKEN: PlaygroundToken,
			OWNER_ID: options.ownerId,
			DATABASE_URL: options.databaseUrl,
			DISCORD_API_URL: options.discordApiUrl,
			// Empty: the bot reads no .env file.
			ENV_FILE: ''
		});
		// Its own process group: Ctrl+C reaches the playground only, which then stops the bot exactly once.
		const child = spawn(process.execPath, [entry], { cwd: options.projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		await new Promise<void>((resolve, reject) => {
			child.once('spawn', resolve);
			child.once('error', reject);
		});
		if (options.pidFile && child.pid) await writeFile(options.pidFile, `${child.pid}\n`);
		return new BotProcess(child, options);
	}

	/** Resolves when the bot registered its commands; rejects if it exits first or takes longer than `timeoutMs`. */
	public waitUntilReady(timeoutMs: number): Promise<void> {
		if (this.ready) return Promise.resolve();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`the bot did not register its commands within ${timeoutMs / 1000} s`)), timeoutMs);
			void this.exited.then(() => {
				clearTimeout(timer);
				reject(new Error('the bot exited during start-up'));
			});
			this.readyWaiters.push(() => {
				clearTimeout(timer);
				resolve();
			});
		});
	}

	/** SIGTERM (the bot shuts down gracefully), then SIGKILL if it is still running after `killAfterMs`. */
	public async stop(killAfterMs = 6_000): Promise<void> {
		this.stopping = true;
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
		const killer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
		await this.exited;
		clearTimeout(killer);
	}

	private line(line: string) {
		if (!this.ready && line.includes(readyLine)) {
			this.ready = true;
			for (const waiter of this.readyWaiters.splice(0)) waiter();
		}
		this.options.onLine(line);
	}
}

/** A bot left running by a playground that was killed (SIGKILL): stop it, by the pid this playground recorded. */
async function stopLeftoverBot(pidFile: string) {
	if (!existsSync(pidFile)) return;
	const pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10);
	await rm(pidFile, { force: true });
	if (!Number.isSafeInteger(pid) || pid <= 1 || !isPlaygroundBot(pid)) return;
	process.kill(pid, 'SIGTERM');
	for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
	if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isPlaygroundBot(pid: number): boolean {
	try {
		// Only a process carrying the playground's own fake token is ours (the pid may have been reused since).
		const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
		return environ.split('\0').includes(`TOKEN=${PlaygroundToken}`);
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
