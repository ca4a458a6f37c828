import type { Config } from './config.js';
import type { Sql } from './database/client.js';
import type { InFlightInteractions } from './in-flight.js';

declare module '@sapphire/pieces' {
	interface Container {
		config: Config;
		sql: Sql;
		inFlight: InFlightInteractions;
		startedAt: Date;
	}
}

declare module '@sapphire/framework' {
	interface Preconditions {
		OwnerOnly: never;
		GuildApproved: never;
	}
}
