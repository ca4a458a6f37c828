/**
 * Connections to PostgreSQL that stop answering are destroyed, not outlived. A network path that goes silent (packets
 * dropped, nothing closed) leaves a connection that looks open: its statement never returns, PostgreSQL's
 * `statement_timeout` cannot reach the bot, and TCP keepalive takes minutes (or never fires, when a middlebox keeps
 * the TCP session itself alive). Every statement of the bot's pool answers within its `statement_timeout`, so a
 * connection that was written to and has read nothing for longer than that plus a margin is dead: its socket is
 * destroyed, postgres.js fails what was in flight on it with CONNECTION_CLOSED (an outage the callers already
 * handle, not knowing whether it committed) and opens a fresh connection for the next query.
 *
 * This is postgres.js's `socket` option: it takes a function that returns a connected socket. Only plain TCP is
 * watched: with TLS (sslmode=require) the TLS layer reads and writes the socket's handle directly, below the events
 * seen here, so such connections are left to TCP keepalive. A multi-host URL connects to its first host only.
 */
import net from 'node:net';

export interface SilentConnectionOptions {
	/** A connection waiting longer than this for any byte after a write is destroyed. */
	readonly answerWithinMs: number;
	/** Told once per destroyed connection. */
	readonly onSilent?: (waitedMs: number) => void;
	readonly now?: () => number;
}

interface Watched {
	readonly socket: net.Socket;
	/** When the oldest write still without any byte read after it was made; `null` when nothing is awaited. */
	awaitingSince: number | null;
}

interface PostgresSocketOptions {
	readonly host: readonly string[];
	readonly port: readonly number[];
	readonly path?: string | false;
}

/**
 * A `socket` factory for postgres.js that destroys silent connections. The watch is a timer that does not keep the
 * process alive; it lasts as long as the pool.
 */
export function watchForSilentConnections(options: SilentConnectionOptions) {
	const now = options.now ?? (() => performance.now());
	const watched = new Set<Watched>();
	const sweep = setInterval(
		() => {
			const at = now();
			for (const entry of watched) {
				if (entry.awaitingSince === null || at - entry.awaitingSince <= options.answerWithinMs) continue;
				const waited = Math.round(at - entry.awaitingSince);
				watched.delete(entry);
				options.onSilent?.(waited);
				// Without an error: postgres.js then fails whatever the connection holds with CONNECTION_CLOSED, a query
				// sent between the destroy and the close included (given an error, it would leave that one pending).
				entry.socket.destroy();
			}
		},
		Math.max(50, Math.min(500, options.answerWithinMs / 4))
	);
	sweep.unref();

	// Returned while still connecting: postgres.js writes its startup message at once (Node holds it until connected),
	// times the connection out itself (`connect_timeout`), and meets a refused connection as its own socket's error
	// and close, so the pool's slot is freed as usual.
	const socket = (connection: PostgresSocketOptions): net.Socket => {
		const socket = net.connect(
			connection.path ? { path: connection.path } : { host: connection.host[0] ?? 'localhost', port: connection.port[0] ?? 5432 }
		);
		const entry: Watched = { socket, awaitingSince: null };
		const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
		socket.write = ((...args: unknown[]) => {
			entry.awaitingSince ??= now();
			return write(...args);
		}) as typeof socket.write;
		socket.on('data', () => {
			entry.awaitingSince = null;
		});
		socket.once('close', () => watched.delete(entry));
		watched.add(entry);
		return socket;
	};
	return { socket };
}
