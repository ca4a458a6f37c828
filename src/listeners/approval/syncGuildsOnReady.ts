import { Events, Listener } from '@sapphire/framework';
import type { Client } from 'discord.js';
import { guildFacts } from '../../lib/approval/facts.js';
import { findStalePending } from '../../lib/approval/repository.js';
import { leaveGuild, syncGuilds } from '../../lib/approval/service.js';
import { onShutdown } from '../../lib/shutdown.js';

const staleCheckIntervalMs = 60 * 60 * 1000;

/**
 * At start-up: servers joined while the bot was offline are recorded as pending and announced (once: the insert
 * says which rows are new), and denied servers the bot is somehow still in are left. Then, when
 * `PENDING_AUTO_LEAVE_DAYS` is set, servers pending for longer are left every hour.
 */
export class SyncGuildsOnReady extends Listener<typeof Events.ClientReady> {
	public constructor(context: Listener.LoaderContext) {
		super(context, { event: Events.ClientReady, once: true });
	}

	public override async run(client: Client<true>) {
		await syncGuilds(client.guilds.cache.map(guildFacts));

		const days = this.container.config.pendingAutoLeaveDays;
		if (days === null) return;
		const leaveStale = () =>
			this.leaveStalePending(client, days).catch((error: unknown) => this.container.logger.warn('Leaving stale servers failed:', error));
		void leaveStale();
		const timer = setInterval(leaveStale, staleCheckIntervalMs).unref();
		onShutdown('stop leaving stale servers', () => clearInterval(timer));
	}

	private async leaveStalePending(client: Client<true>, days: number) {
		for (const guildId of await findStalePending(this.container.sql, days)) {
			// Each process handles the servers on its own shards.
			if (client.guilds.cache.has(guildId)) await leaveGuild(guildId, `it was still pending after ${days} day(s)`);
		}
	}
}
