/**
 * Discord's gateway (v10, JSON, no compression) for any number of shards and connections.
 *
 * A session outlives its socket: dispatches sent while the socket is down are kept, and a RESUME with the client's
 * last `seq` replays what it missed, then RESUMED. Guild events go to every session whose shard owns the guild
 * (`(guild_id >> 22) % shard_count`), DM events to shard 0 — like Discord.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { FakeClock } from './clock.js';
import { shardForGuild } from './snowflake.js';
import type { World } from './world.js';

export const GatewayOp = {
	Dispatch: 0,
	Heartbeat: 1,
	Identify: 2,
	PresenceUpdate: 3,
	VoiceStateUpdate: 4,
	Resume: 6,
	Reconnect: 7,
	RequestGuildMembers: 8,
	InvalidSession: 9,
	Hello: 10,
	HeartbeatAck: 11
} as const;

const CloseCode = {
	UnknownError: 4000,
	UnknownOpcode: 4001,
	DecodeError: 4002,
	NotAuthenticated: 4003,
	AuthenticationFailed: 4004,
	AlreadyAuthenticated: 4005,
	InvalidShard: 4010
} as const;

/** Dispatches kept per session for RESUME; enough for any test, bounded for the benchmark. */
const BACKLOG_LIMIT = 10_000;

export type GatewayEventKind =
	'CONNECT' | 'IDENTIFY' | 'READY' | 'RESUME' | 'RESUMED' | 'INVALID_SESSION' | 'RECONNECT_REQUESTED' | 'DROPPED' | 'CLOSE';

export interface GatewayLogEntry {
	at: number;
	kind: GatewayEventKind;
	shardId: number | null;
	sessionId: string | null;
	/** CLOSE: the close code; RESUME: the seq the client resumed from; INVALID_SESSION: whether resumable. */
	detail?: number | boolean | string;
}

export interface GatewayOptions {
	world: World;
	clock: FakeClock;
	url: () => string;
	heartbeatIntervalMs: number;
	/** How long a disconnected session can still be resumed. */
	resumeWindowMs: number;
}

/** Told the fake-clock time at which a dispatch was written to a session's socket (live, or replayed on RESUME). */
type Delivered = (at: number) => void;

class Session {
	public seq = 0;
	public socket: WebSocket | null = null;
	public invalidated = false;
	public disconnectedAt: number | null = null;
	/** Sent dispatches as [seq, serialized payload, told when it reaches a socket], oldest first. */
	public readonly backlog: Array<[number, string, Delivered | undefined]> = [];

	public constructor(
		public readonly id: string,
		public readonly shardId: number,
		public readonly shardCount: number
	) {}

	public ownsGuild(guildId: string): boolean {
		return shardForGuild(guildId, this.shardCount) === this.shardId;
	}
}

export class Gateway extends EventEmitter<{ event: [GatewayLogEntry] }> {
	public readonly log: GatewayLogEntry[] = [];
	private readonly server = new WebSocketServer({ noServer: true, perMessageDeflate: false });
	private readonly sessions = new Map<string, Session>();
	private readonly sessionBySocket = new Map<WebSocket, Session>();

	public constructor(private readonly options: GatewayOptions) {
		super();
		this.setMaxListeners(0);
		this.server.on('connection', (socket) => this.onConnection(socket));
	}

	public handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
		this.server.handleUpgrade(request, socket, head, (ws) => this.server.emit('connection', ws, request));
	}

	/**
	 * Sends a dispatch to every live session whose shard owns the guild. Returns how many sessions got it (or will,
	 * once they resume); `delivered` is told, for each session, when the payload was written to its socket.
	 */
	public dispatchToGuild(guildId: string, event: string, data: unknown, delivered?: Delivered): number {
		return this.dispatchTo((session) => session.ownsGuild(guildId), event, data, delivered);
	}

	/** Sends a dispatch to shard `shardId` (DM events go to shard 0). */
	public dispatchToShard(shardId: number, event: string, data: unknown, delivered?: Delivered): number {
		return this.dispatchTo((session) => session.shardId === shardId, event, data, delivered);
	}

	/** Shard ids with a connected, identified socket. */
	public connectedShards(): number[] {
		return [
			...new Set(
				this.liveSessions()
					.filter((session) => session.socket)
					.map((session) => session.shardId)
			)
		].sort((a, b) => a - b);
	}

	/**
	 * Every live session, oldest first. Two processes that IDENTIFY the same shard (a deploy overlap) are two
	 * sessions; Discord keeps both and sends each of them every event of that shard.
	 */
	public sessionList(): SessionInfo[] {
		return this.liveSessions().map((session) => ({
			id: session.id,
			shardId: session.shardId,
			shardCount: session.shardCount,
			connected: session.socket !== null,
			seq: session.seq
		}));
	}

	/** Like `dropShard`, for one session only (the other sessions of the shard keep running). */
	public dropSession(sessionId: string, options: { resumable: boolean }): boolean {
		const session = this.liveSessions().find((candidate) => candidate.id === sessionId && candidate.socket);
		if (!session) return false;
		this.drop(session, options.resumable);
		return true;
	}

	/** The shard count the bot identified with (0 if nobody is connected). */
	public identifiedShardCount(): number {
		return this.liveSessions()[0]?.shardCount ?? 0;
	}

	/**
	 * Kills the shard's connections. Resumable: the TCP connection just dies (the client sees 1006 and resumes).
	 * Not resumable: Discord says op 9 `d: false`, and the session is gone (the client must IDENTIFY again).
	 */
	public dropShard(shardId: number, options: { resumable: boolean }): number {
		const victims = this.liveSessions().filter((session) => session.shardId === shardId && session.socket);
		for (const session of victims) this.drop(session, options.resumable);
		return victims.length;
	}

	/** Op 7: Discord asks the client to reconnect and resume. */
	public requestReconnect(shardId: number): number {
		const targets = this.liveSessions().filter((session) => session.shardId === shardId && session.socket);
		for (const session of targets) {
			this.record('RECONNECT_REQUESTED', session);
			this.send(session.socket!, { op: GatewayOp.Reconnect, d: null });
		}
		return targets.length;
	}

	/** Op 9: invalid session; `resumable` is its `d`. */
	public invalidateSession(shardId: number, resumable: boolean): number {
		const targets = this.liveSessions().filter((session) => session.shardId === shardId && session.socket);
		for (const session of targets) this.invalidate(session, resumable);
		return targets.length;
	}

	public async close(): Promise<void> {
		for (const socket of this.server.clients) socket.terminate();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	// ----- connection handling -----

	private onConnection(socket: WebSocket): void {
		this.record('CONNECT', null);
		this.send(socket, {
			op: GatewayOp.Hello,
			d: { heartbeat_interval: this.options.heartbeatIntervalMs, _trace: ['["fake-discord-gateway",{"micros":0}]'] }
		});
		socket.on('message', (raw) => this.onMessage(socket, raw));
		socket.on('close', (code) => this.onClose(socket, code));
		socket.on('error', () => socket.terminate());
	}

	private onMessage(socket: WebSocket, raw: RawData): void {
		let payload: { op?: unknown; d?: unknown };
		try {
			payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
		} catch {
			socket.close(CloseCode.DecodeError, 'Error while decoding payload.');
			return;
		}
		switch (payload.op) {
			case GatewayOp.Heartbeat:
				this.send(socket, { op: GatewayOp.HeartbeatAck });
				return;
			case GatewayOp.Identify:
				this.onIdentify(socket, payload.d as IdentifyData);
				return;
			case GatewayOp.Resume:
				this.onResume(socket, payload.d as ResumeData);
				return;
			case GatewayOp.PresenceUpdate:
			case GatewayOp.VoiceStateUpdate:
			case GatewayOp.RequestGuildMembers:
				if (!this.sessionBySocket.has(socket)) socket.close(CloseCode.NotAuthenticated, 'Not authenticated.');
				return;
			default:
				socket.close(CloseCode.UnknownOpcode, 'Unknown opcode.');
		}
	}

	private onIdentify(socket: WebSocket, data: IdentifyData): void {
		if (this.sessionBySocket.has(socket)) return socket.close(CloseCode.AlreadyAuthenticated, 'Already authenticated.');
		if (!data || typeof data.token !== 'string' || data.token.length === 0)
			return socket.close(CloseCode.AuthenticationFailed, 'Authentication failed.');
		const [shardId, shardCount] = data.shard ?? [0, 1];
		if (!(shardCount >= 1 && shardId >= 0 && shardId < shardCount)) return socket.close(CloseCode.InvalidShard, 'Invalid shard.');

		const session = new Session(randomBytes(16).toString('hex'), shardId, shardCount);
		this.sessions.set(session.id, session);
		this.attach(session, socket);
		this.record('IDENTIFY', session);

		const { world } = this.options;
		const guilds = world.guildsOnShard(shardId, shardCount);
		this.dispatch(session, 'READY', {
			v: 10,
			user: { ...world.botUser, verified: true, mfa_enabled: false, email: null, flags: 0 },
			guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
			session_id: session.id,
			session_type: 'normal',
			resume_gateway_url: this.options.url(),
			shard: [shardId, shardCount],
			application: { id: world.applicationId, flags: 0 },
			private_channels: [],
			presences: [],
			relationships: [],
			guild_join_requests: [],
			user_settings: {},
			geo_ordered_rtc_regions: [],
			_trace: ['["fake-discord-gateway",{"micros":0}]']
		});
		this.record('READY', session);
		for (const guild of guilds) this.dispatch(session, 'GUILD_CREATE', world.guildCreateJson(guild));
	}

	private onResume(socket: WebSocket, data: ResumeData): void {
		const session = data ? this.sessions.get(data.session_id) : undefined;
		this.record('RESUME', session ?? null, data?.seq ?? undefined);
		if (!session || session.invalidated || this.isExpired(session) || typeof data.token !== 'string') {
			this.record('INVALID_SESSION', session ?? null, false);
			this.send(socket, { op: GatewayOp.InvalidSession, d: false });
			return;
		}
		if (session.socket && session.socket !== socket) session.socket.terminate();
		this.attach(session, socket);
		const missed = session.backlog.filter(([seq]) => seq > (data.seq ?? 0));
		for (const [, serialized, delivered] of missed) {
			socket.send(serialized);
			delivered?.(this.options.clock.now());
		}
		this.dispatch(session, 'RESUMED', { _trace: ['["fake-discord-gateway",{"micros":0}]'] });
		this.record('RESUMED', session, missed.length);
	}

	private onClose(socket: WebSocket, code: number): void {
		const session = this.sessionBySocket.get(socket);
		this.sessionBySocket.delete(socket);
		this.record('CLOSE', session ?? null, code);
		if (session && session.socket === socket) {
			session.socket = null;
			session.disconnectedAt = this.options.clock.now();
			// A clean close (1000/1001) ends the session; Discord will not let it resume.
			if (code === 1000 || code === 1001) session.invalidated = true;
		}
	}

	private attach(session: Session, socket: WebSocket): void {
		session.socket = socket;
		session.disconnectedAt = null;
		this.sessionBySocket.set(socket, session);
	}

	private drop(session: Session, resumable: boolean): void {
		this.record('DROPPED', session, resumable ? 'resumable' : 'not resumable');
		if (resumable) session.socket!.terminate();
		else this.invalidate(session, false);
	}

	private invalidate(session: Session, resumable: boolean): void {
		this.record('INVALID_SESSION', session, resumable);
		if (!resumable) session.invalidated = true;
		if (session.socket) this.send(session.socket, { op: GatewayOp.InvalidSession, d: resumable });
	}

	// ----- dispatching -----

	private liveSessions(): Session[] {
		for (const session of this.sessions.values()) if (session.invalidated || this.isExpired(session)) this.sessions.delete(session.id);
		return [...this.sessions.values()];
	}

	private isExpired(session: Session): boolean {
		return session.disconnectedAt !== null && this.options.clock.now() - session.disconnectedAt > this.options.resumeWindowMs;
	}

	private dispatchTo(filter: (session: Session) => boolean, event: string, data: unknown, delivered?: Delivered): number {
		const targets = this.liveSessions().filter(filter);
		for (const session of targets) this.dispatch(session, event, data, delivered);
		return targets.length;
	}

	/** Numbers, stores (for RESUME) and sends a dispatch; a disconnected session only stores it, and a resume sends it. */
	private dispatch(session: Session, event: string, data: unknown, delivered?: Delivered): void {
		const seq = ++session.seq;
		const serialized = JSON.stringify({ op: GatewayOp.Dispatch, t: event, s: seq, d: data });
		session.backlog.push([seq, serialized, delivered]);
		if (session.backlog.length > BACKLOG_LIMIT) session.backlog.splice(0, session.backlog.length - BACKLOG_LIMIT);
		if (session.socket?.readyState === WebSocket.OPEN) {
			session.socket.send(serialized);
			delivered?.(this.options.clock.now());
		}
	}

	private send(socket: WebSocket, payload: unknown): void {
		if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(payload));
	}

	private record(kind: GatewayEventKind, session: Session | null, detail?: number | boolean | string): void {
		const entry: GatewayLogEntry = {
			at: this.options.clock.now(),
			kind,
			shardId: session?.shardId ?? null,
			sessionId: session?.id ?? null,
			...(detail === undefined ? {} : { detail })
		};
		this.log.push(entry);
		this.emit('event', entry);
	}
}

export interface SessionInfo {
	id: string;
	shardId: number;
	shardCount: number;
	/** False while the socket is down but the session can still be resumed. */
	connected: boolean;
	/** The last sequence number sent to this session. */
	seq: number;
}

interface IdentifyData {
	token: string;
	shard?: [number, number];
	intents?: number;
}

interface ResumeData {
	token: string;
	session_id: string;
	seq: number | null;
}
