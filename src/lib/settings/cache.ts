import type { Sql } from '../database/client.js';
import { findGuildSettings, guildSettingsChannel, listGuildSettings, type GuildSettings } from './repository.js';

/**
 * Every server's chosen settings, all in memory: the language of each answer is decided synchronously (see
 * src/lib/i18n/readers.ts), and the table holds only servers that chose something, so it is small.
 *
 * Other processes' changes arrive by NOTIFY (that server's row is reloaded). NOTIFYs sent while the listener
 * reconnects are lost, so a re-subscription reloads everything: until then a changed language may lag, which for a
 * language (unlike approval) is harmless.
 */
export class GuildSettingsCache {
	private entries = new Map<string, GuildSettings>();
	private unlisten: (() => Promise<void>) | null = null;

	public constructor(private readonly sql: Sql) {}

	public async listen() {
		const subscription = await this.sql.listen(
			guildSettingsChannel,
			(guildId) => void this.reload(guildId),
			() => void this.reloadAll()
		);
		this.unlisten = () => subscription.unlisten();
		await this.load();
	}

	public async close() {
		await this.unlisten?.();
		this.unlisten = null;
	}

	/** The server's language of public messages, `null` when it follows Discord's (or chose nothing). */
	public locale(guildId: string): string | null {
		return this.entries.get(guildId)?.locale ?? null;
	}

	/** What this process just saved, so that its next answer uses it before the NOTIFY comes back. */
	public set(settings: GuildSettings) {
		this.entries.set(settings.guildId, settings);
	}

	private async reload(guildId: string) {
		const settings = await findGuildSettings(this.sql, guildId).catch(() => undefined);
		if (settings === undefined) return;
		if (settings === null) this.entries.delete(guildId);
		else this.entries.set(guildId, settings);
	}

	/** Reads every row; at start-up a failure stops the start, later (a reconnect) the old entries stay. */
	public async load() {
		const rows = await listGuildSettings(this.sql);
		this.entries = new Map(rows.map((row) => [row.guildId, row]));
	}

	private async reloadAll() {
		await this.load().catch(() => undefined);
	}
}
