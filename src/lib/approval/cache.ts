import { withTimeout, type Sql } from '../database/client.js';
import { findGuildStatus, guildStatusChannel } from './repository.js';
import type { GuildStatus } from './rules.js';

/** A server's status read for an interaction gives up after this, leaving time to say the database is unavailable. */
const lookupTimeoutMs = 1_200;

interface Entry {
	readonly status: GuildStatus | null;
	readonly fetchedAt: number;
}

/**
 * Each server's approval status, kept in memory because every interaction asks for it.
 *
 * Two mechanisms keep it honest across processes sharing one database:
 * - a NOTIFY on every decision drops the entry at once, in every process listening;
 * - no entry is trusted for longer than {@link maxAgeMs}, because NOTIFYs sent while a listener reconnects are lost.
 * So a revoked or denied server is let through for at most that long, even with the listener down.
 */
export class ApprovalCache {
	public static readonly maxAgeMs = 900;
	private readonly entries = new Map<string, Entry>();
	private readonly loading = new Map<string, Promise<GuildStatus | null>>();
	/** Counts the entries dropped: a read started before a drop may hold what the drop was for, and is not kept. */
	private drops = 0;
	private unlisten: (() => Promise<void>) | null = null;
	/**
	 * Drops the entries that expired (an entry is useless after maxAgeMs). A timer, not the next write: start-up sets
	 * every server's status at once, and in a quiet process they would all stay until some interaction came.
	 */
	private sweep: NodeJS.Timeout | null = null;

	public constructor(
		private readonly sql: Sql,
		private readonly now: () => number = () => performance.now()
	) {}

	/** Subscribes to status changes; a re-subscription after a lost connection clears everything, as changes may have been missed. */
	public async listen() {
		const subscription = await this.sql.listen(
			guildStatusChannel,
			(guildId) => this.forget(guildId),
			() => this.forgetAll()
		);
		this.unlisten = () => subscription.unlisten();
	}

	public async close() {
		await this.unlisten?.();
		this.unlisten = null;
		if (this.sweep !== null) clearTimeout(this.sweep);
		this.sweep = null;
	}

	/** How many servers' statuses are held (expired ones included, until the next sweep). */
	public get size() {
		return this.entries.size;
	}

	/** The server's status, `null` when the bot has no record of it. */
	public async status(guildId: string): Promise<GuildStatus | null> {
		const entry = this.entries.get(guildId);
		if (entry && this.now() - entry.fetchedAt < ApprovalCache.maxAgeMs) return entry.status;
		// Concurrent interactions of one server share a single query.
		const pending = this.loading.get(guildId);
		if (pending) return pending;
		const load: Promise<GuildStatus | null> = this.load(guildId).finally(() => {
			if (this.loading.get(guildId) === load) this.loading.delete(guildId);
		});
		this.loading.set(guildId, load);
		return load;
	}

	/** Where the cache stands now, for {@link set}: taken before the statement whose status will be set. */
	public get version(): number {
		return this.drops;
	}

	/**
	 * Sets what this process just decided or recorded, so that its own next interaction needs no query. With `since`
	 * (the {@link version} taken before the statement that gave `status`), not kept if an entry was dropped
	 * meanwhile: a decision announced after that statement read may be newer than `status`.
	 */
	public set(guildId: string, status: GuildStatus, since?: number) {
		if (since !== undefined && since !== this.drops) return;
		this.write(guildId, { status, fetchedAt: this.now() });
	}

	/**
	 * Drops what is known of the server (a decision was announced), and any read of it still running: that read may
	 * have been answered before the decision, and kept, it would be believed for {@link maxAgeMs} (the approval that
	 * a member's first command, right after it, did not see).
	 */
	public forget(guildId: string) {
		this.entries.delete(guildId);
		this.loading.delete(guildId);
		this.drops++;
	}

	private forgetAll() {
		this.entries.clear();
		this.loading.clear();
		this.drops++;
	}

	private async load(guildId: string) {
		const fetchedAt = this.now();
		const drops = this.drops;
		// Every interaction waits on this: it must not take the 3 s when the database does not answer.
		const status = await withTimeout(findGuildStatus(this.sql, guildId), lookupTimeoutMs);
		if (drops === this.drops) this.write(guildId, { status, fetchedAt });
		return status;
	}

	/** Stores an entry; those that expired are dropped once this one can have, and so on while any is left. */
	private write(guildId: string, entry: Entry) {
		this.entries.set(guildId, entry);
		this.sweepLater();
	}

	private sweepLater() {
		if (this.sweep !== null) return;
		this.sweep = setTimeout(() => {
			this.sweep = null;
			const now = this.now();
			for (const [id, { fetchedAt }] of this.entries) if (now - fetchedAt >= ApprovalCache.maxAgeMs) this.entries.delete(id);
			if (this.entries.size > 0) this.sweepLater();
		}, ApprovalCache.maxAgeMs).unref();
	}
}
