/**
 * A deliberately minimal Discord client (ws + fetch) for the fake's own tests and throughput measurement: it speaks
 * the gateway and REST protocols by hand, so what the fake accepts is checked independently of discord.js.
 */
import { WebSocket } from 'ws';

export interface GatewayPayload {
	op: number;
	t?: string | null;
	s?: number | null;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw gateway JSON, read loosely by the fake's own tests
	d?: any;
}

export class RawGatewayClient {
	public readonly received: GatewayPayload[] = [];
	public sessionId: string | null = null;
	public seq: number | null = null;
	public closeCode: number | null = null;
	private readonly listeners = new Set<(payload: GatewayPayload) => void>();

	private constructor(private readonly socket: WebSocket) {
		socket.on('message', (raw) => {
			const payload = JSON.parse(raw.toString()) as GatewayPayload;
			if (typeof payload.s === 'number') this.seq = payload.s;
			if (payload.t === 'READY') this.sessionId = payload.d.session_id;
			this.received.push(payload);
			for (const listener of this.listeners) listener(payload);
		});
		socket.on('close', (code) => {
			this.closeCode = code;
		});
	}

	public static async connect(gatewayUrl: string): Promise<RawGatewayClient> {
		const socket = new WebSocket(`${gatewayUrl}?v=10&encoding=json`);
		const client = new RawGatewayClient(socket);
		// HELLO can arrive in the same tick as 'open': listen for it first.
		const hello = client.next((payload) => payload.op === 10);
		await new Promise<void>((resolve, reject) => {
			socket.once('open', () => resolve());
			socket.once('error', reject);
		});
		await hello;
		return client;
	}

	/** IDENTIFY and wait for READY plus one GUILD_CREATE per guild listed in it. */
	public async identify(options: { shard?: [number, number]; token?: string } = {}): Promise<GatewayPayload> {
		this.send({
			op: 2,
			d: {
				token: options.token ?? 'fake-token',
				intents: 1,
				properties: { os: 'linux', browser: 'raw', device: 'raw' },
				shard: options.shard ?? [0, 1]
			}
		});
		const ready = await this.next((payload) => payload.t === 'READY');
		const guildIds = new Set((ready.d.guilds as Array<{ id: string }>).map((guild) => guild.id));
		const seen = this.received.filter((payload) => payload.t === 'GUILD_CREATE').map((payload) => payload.d.id as string);
		for (const id of seen) guildIds.delete(id);
		while (guildIds.size > 0) guildIds.delete((await this.next((payload) => payload.t === 'GUILD_CREATE')).d.id);
		return ready;
	}

	public resume(sessionId: string, seq: number | null, token = 'fake-token'): void {
		this.send({ op: 6, d: { token, session_id: sessionId, seq } });
	}

	public send(payload: GatewayPayload): void {
		this.socket.send(JSON.stringify(payload));
	}

	public onPayload(listener: (payload: GatewayPayload) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** The next payload matching `predicate` (not one already received). */
	public next(predicate: (payload: GatewayPayload) => boolean, timeoutMs = 3_000): Promise<GatewayPayload> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				stop();
				reject(new Error(`raw client: no matching payload within ${timeoutMs} ms`));
			}, timeoutMs);
			const stop = this.onPayload((payload) => {
				if (!predicate(payload)) return;
				clearTimeout(timer);
				stop();
				resolve(payload);
			});
		});
	}

	public closed(): Promise<number> {
		if (this.closeCode !== null) return Promise.resolve(this.closeCode);
		return new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
	}

	public close(code = 4999): void {
		this.socket.close(code);
	}
}

export interface RawResponse {
	status: number;
	headers: Headers;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw REST JSON, read loosely by the fake's own tests
	body: any;
}

/** One REST call; `auth: false` leaves out the Authorization header. Paths are below `/api/v10`. */
export async function rawRequest(
	restBase: string,
	method: string,
	path: string,
	options: { body?: unknown; auth?: boolean; form?: FormData } = {}
): Promise<RawResponse> {
	const headers: Record<string, string> = {};
	if (options.auth !== false) headers.Authorization = 'Bot fake-token';
	let body: string | FormData | undefined;
	if (options.form) body = options.form;
	else if (options.body !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(options.body);
	}
	const response = await fetch(`${restBase}/v10${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
	const text = await response.text();
	return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}
