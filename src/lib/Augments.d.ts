import type { InteractionContextType } from 'discord.js';
import type { ApprovalCache } from './approval/cache.js';
import type { Config } from './config.js';
import type { Sql } from './database/client.js';
import type { InFlightInteractions } from './in-flight.js';
import type { GuildSettingsCache } from './settings/cache.js';

declare module '@sapphire/pieces' {
	interface Container {
		approvals: ApprovalCache;
		guildSettings: GuildSettingsCache;
		config: Config;
		sql: Sql;
		inFlight: InFlightInteractions;
		startedAt: Date;
	}
}

declare module '@sapphire/framework' {
	interface CommandOptions {
		/** Usable in a server that is not approved (only `/help` and `/ping`). */
		allowUnapproved?: boolean;
		/** Where Discord offers the command (src/lib/discord/contexts.ts); servers only when unset. */
		contexts?: readonly InteractionContextType[];
	}
}
