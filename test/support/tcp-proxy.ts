import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 that a test can cut and restore, to make a server (PostgreSQL) unreachable without
 * stopping it: `cut()` drops every connection and refuses new ones, `restore()` listens again on the same port.
 * `silence()` is the nastier fault, a network path that goes quiet: nothing is forwarded and nothing is closed (new
 * connections are accepted and hang too), as when packets are lost; `restore()` lets what was held back through, as
 * TCP's retransmissions would.
 */
export class TcpProxy {
	private server: Server | null = null;
	private readonly sockets = new Set<Socket>();
	private silent = false;
	/** Writes held back while silent, in order. */
	private readonly held: (() => void)[] = [];

	private constructor(
		private readonly target: { host: string; port: number },
		public port: number
	) {}

	public static async start(target: { host: string; port: number }): Promise<TcpProxy> {
		const proxy = new TcpProxy(target, 0);
		await proxy.listen();
		return proxy;
	}

	/** `url` with its host and port replaced by this proxy's. */
	public rewrite(url: string): string {
		const rewritten = new URL(url);
		rewritten.hostname = '127.0.0.1';
		rewritten.port = String(this.port);
		return rewritten.toString();
	}

	public async cut() {
		this.silent = false;
		const server = this.server;
		this.server = null;
		for (const socket of this.sockets) socket.destroy();
		this.sockets.clear();
		await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	}

	public silence() {
		this.silent = true;
	}

	public get isSilent() {
		return this.silent;
	}

	public restore() {
		if (this.silent) {
			this.silent = false;
			for (const flush of this.held.splice(0)) flush();
			return Promise.resolve();
		}
		return this.listen();
	}

	public close() {
		return this.cut();
	}

	private listen() {
		return new Promise<void>((resolve, reject) => {
			const server = createServer((client) => {
				const upstream = connect(this.target.port, this.target.host);
				for (const socket of [client, upstream]) {
					this.sockets.add(socket);
					socket.on('close', () => this.sockets.delete(socket));
					socket.on('error', () => {
						client.destroy();
						upstream.destroy();
					});
				}
				const relay = (from: Socket, to: Socket) =>
					from.on('data', (chunk: Buffer) => {
						const write = () => {
							if (!to.destroyed) to.write(chunk);
						};
						if (this.silent || this.held.length > 0) this.held.push(write);
						else write();
					});
				relay(client, upstream);
				relay(upstream, client);
				client.on('end', () => upstream.end());
				upstream.on('end', () => client.end());
			});
			server.once('error', reject);
			server.listen(this.port, '127.0.0.1', () => {
				const address = server.address();
				if (typeof address === 'object' && address) this.port = address.port;
				this.server = server;
				resolve();
			});
		});
	}
}
