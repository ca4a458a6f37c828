/**
 * The real built bot (`node dist/index.js`) as a child process, for the end-to-end tests, the benchmark and anything
 * else that drives it against the fake Discord. Free of vitest, so plain `tsx` scripts can use it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { FakeDiscord } from '../fake-discord/index.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BOT_ENTRY = 'dist/index.js';
/** The bot logs this once Sapphire has registered the application commands (src/listeners/applicationCommandRegistriesRegistered.ts). */
const READY_LINE = 'Commands registered';
export const FAKE_TOKEN = 'e2e.fake-token.not-a-real-discord-token';

/** What a caller other than a test needs from the runner (the playground). */
export interface BotProcessOptions {
	/**
	 * Its own process group: Ctrl+C in a terminal reaches the parent only, which then stops the bot exactly once.
	 * The bot is still killed when the parent exits.
	 */
	detached?: boolean;
	/** Each complete line the bot prints, token redacted. */
	onLine?: (line: string) => void;
	/** The bot exited without `stop` being called (it crashed). */
	onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
	/**
	 * Node's arguments: the built bot unless told otherwise (the benchmark's reference bot runs through tsx, its own
	 * bot with the Procfile's V8 flags before the entry).
	 */
	args?: readonly string[];
}

export interface ExitResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	/** From the signal (or `stop` call) to the process exit. */
	ms: number;
}

/** One bot process, restartable with the same environment and database. */
export class BotProcess {
	private child: ChildProcess | null = null;
	private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
	private lines: string[] = [];
	private generation = 0;
	private stopping = false;

	public constructor(
		public readonly label: string,
		private readonly env: Record<string, string>,
		private readonly fake: FakeDiscord,
		private readonly startupTimeoutMs: number,
		private readonly options: BotProcessOptions = {}
	) {}

	private get args(): readonly string[] {
		return this.options.args ?? [BOT_ENTRY];
	}

	public get pid(): number | undefined {
		return this.child?.pid;
	}

	public get running(): boolean {
		return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Everything the process wrote to stdout and stderr (all runs), with the token redacted. */
	public output(): string {
		return this.lines.join('');
	}

	/** Starts the process and resolves once it logged the ready line and the fake holds its commands. */
	public async start(): Promise<void> {
		if (this.running) throw new Error(`${this.label} is already running`);
		if (this.args.at(-1) === BOT_ENTRY && !existsSync(`${PROJECT_ROOT}/${BOT_ENTRY}`))
			throw new Error(`${BOT_ENTRY} is missing: run \`npm run build\` first (npm test does).`);
		const generation = ++this.generation;
		this.lines.push(`----- ${this.label} start #${generation} -----\n`);
		this.stopping = false;
		const child = spawn(process.execPath, [...this.args], {
			cwd: PROJECT_ROOT,
			env: this.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: this.options.detached ?? false
		});
		this.child = child;
		liveChildren.add(child);
		const token = this.env.TOKEN || FAKE_TOKEN;
		let partial = '';
		const capture = (chunk: Buffer) => {
			const text = chunk.toString('utf8').replaceAll(token, '[token]');
			this.lines.push(text);
			if (!this.options.onLine) return;
			const lines = (partial + text).split('\n');
			partial = lines.pop() ?? '';
			for (const line of lines) this.options.onLine(line);
		};
		child.stdout!.on('data', capture);
		child.stderr!.on('data', capture);
		this.exit = new Promise((resolve) => {
			child.once('exit', (code, signal) => {
				liveChildren.delete(child);
				if (partial) this.options.onLine?.(partial);
				this.lines.push(`----- ${this.label} exited: code ${code}, signal ${signal} -----\n`);
				if (!this.stopping) this.options.onUnexpectedExit?.(code, signal);
				resolve({ code, signal });
			});
		});
		const startOffset = this.lines.length;
		try {
			await this.waitForOutput(READY_LINE, this.startupTimeoutMs, startOffset);
			await this.fake.waitForCommands(undefined, 5_000);
		} catch (error) {
			throw new Error(`${this.label} did not become ready: ${(error as Error).message}\n${this.output()}`);
		}
	}

	/** Resolves with the output once it contains `pattern` (only counting output from line `fromLine` on). */
	public waitForOutput(pattern: string | RegExp, timeoutMs = 10_000, fromLine = 0): Promise<string> {
		const found = () => {
			const text = this.lines.slice(fromLine).join('');
			return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
		};
		return new Promise((resolve, reject) => {
			const started = performance.now();
			const poll = setInterval(() => {
				if (found()) {
					clearInterval(poll);
					resolve(this.output());
				} else if (!this.running) {
					clearInterval(poll);
					reject(new Error(`${this.label} exited before printing ${String(pattern)}`));
				} else if (performance.now() - started > timeoutMs) {
					clearInterval(poll);
					reject(new Error(`${this.label} did not print ${String(pattern)} within ${timeoutMs} ms`));
				}
			}, 25);
		});
	}

	/** Sends `signal` and resolves when the process exited (SIGKILL after `killAfterMs`). */
	public async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<ExitResult> {
		const child = this.child;
		if (!child || !this.exit) throw new Error(`${this.label} was never started`);
		const started = performance.now();
		this.stopping = true;
		if (this.running) child.kill(signal);
		const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
		const { code, signal: exitSignal } = await this.exit;
		clearTimeout(killer);
		return { code, signal: exitSignal, ms: Math.round(performance.now() - started) };
	}

	/** Stops (SIGTERM) and starts again with the same environment, so the same database. */
	public async restart(): Promise<ExitResult> {
		const exit = await this.stop('SIGTERM');
		await this.start();
		return exit;
	}
}

/** Children still running when the test process exits are killed, whatever happened to the test. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of liveChildren) child.kill('SIGKILL');
});

/** A clean environment: only what Node needs, never the parent's TOKEN or a developer's `.env`. */
export function botEnvironment(extra: Record<string, string>): Record<string, string> {
	const inherited = Object.fromEntries(
		['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : []))
	);
	return { ...inherited, NODE_ENV: 'test', ENV_FILE: '', LOG_FORMAT: 'pretty', TOKEN: FAKE_TOKEN, ...extra };
}
