/**
 * The application commands the bot registered, echoed back the way Discord does: ids, `version`, and the defaults
 * Discord fills in (`type` 1, `integration_types: [0]`, `nsfw: false`...). Faithful echoes matter: Sapphire compares
 * what it gets back with what it wants and PATCHes every command on each start if anything differs.
 */
import { EventEmitter } from 'node:events';
import type { SnowflakeGenerator } from './snowflake.js';

export interface RegisteredCommand {
	id: string;
	application_id: string;
	version: string;
	type: number;
	name: string;
	name_localizations: Record<string, string> | null;
	description: string;
	description_localizations: Record<string, string> | null;
	default_member_permissions: string | null;
	dm_permission?: boolean;
	contexts: number[] | null;
	integration_types: number[];
	nsfw: boolean;
	options?: CommandOption[];
	guild_id?: string;
}

export interface CommandOption {
	type: number;
	name: string;
	description: string;
	required?: boolean;
	choices?: Array<{ name: string; value: string | number }>;
	options?: CommandOption[];
	channel_types?: number[];
	min_value?: number;
	max_value?: number;
	min_length?: number;
	max_length?: number;
	autocomplete?: boolean;
	[key: string]: unknown;
}

export class CommandStore extends EventEmitter<{ change: [] }> {
	private readonly commands = new Map<string, RegisteredCommand>();

	public constructor(
		private readonly ids: SnowflakeGenerator,
		private readonly applicationId: string
	) {
		super();
		this.setMaxListeners(0);
	}

	/** Global commands when `guildId` is null, else that guild's. */
	public list(guildId: string | null): RegisteredCommand[] {
		return [...this.commands.values()].filter((command) => (command.guild_id ?? null) === guildId);
	}

	public all(): RegisteredCommand[] {
		return [...this.commands.values()];
	}

	public get(id: string, guildId: string | null): RegisteredCommand | undefined {
		const command = this.commands.get(id);
		return command && (command.guild_id ?? null) === guildId ? command : undefined;
	}

	/** POST: creating a command whose name and type already exist overwrites it (Discord's upsert). */
	public create(body: Record<string, unknown>, guildId: string | null): { command: RegisteredCommand; created: boolean } {
		const existing = this.list(guildId).find(
			(command) => command.name === body.name && command.type === ((body.type as number | undefined) ?? 1)
		);
		const command = this.echo(body, guildId, existing?.id);
		this.commands.set(command.id, command);
		this.emit('change');
		return { command, created: !existing };
	}

	public patch(existing: RegisteredCommand, body: Record<string, unknown>): RegisteredCommand {
		const merged = { ...existing, ...Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) };
		const command = this.echo(merged, existing.guild_id ?? null, existing.id);
		this.commands.set(command.id, command);
		this.emit('change');
		return command;
	}

	public delete(command: RegisteredCommand): void {
		this.commands.delete(command.id);
		this.emit('change');
	}

	/** PUT: the list becomes exactly `bodies`; commands keep their id when name and type match. */
	public bulkOverwrite(bodies: Array<Record<string, unknown>>, guildId: string | null): RegisteredCommand[] {
		const previous = this.list(guildId);
		for (const command of previous) this.commands.delete(command.id);
		const result = bodies.map((body) => {
			const kept = previous.find((command) => command.name === body.name && command.type === ((body.type as number | undefined) ?? 1));
			const command = this.echo(body, guildId, kept?.id);
			this.commands.set(command.id, command);
			return command;
		});
		this.emit('change');
		return result;
	}

	private echo(body: Record<string, unknown>, guildId: string | null, id?: string): RegisteredCommand {
		const type = (body.type as number | undefined) ?? 1;
		const command: RegisteredCommand = {
			id: id ?? this.ids.next(),
			application_id: this.applicationId,
			version: this.ids.next(),
			type,
			name: String(body.name),
			name_localizations: (body.name_localizations as Record<string, string> | undefined) ?? null,
			description: type === 1 ? String(body.description ?? '') : '',
			description_localizations: (body.description_localizations as Record<string, string> | undefined) ?? null,
			default_member_permissions: (body.default_member_permissions as string | null | undefined) ?? null,
			contexts: (body.contexts as number[] | null | undefined) ?? null,
			integration_types: (body.integration_types as number[] | null | undefined) ?? [0],
			nsfw: (body.nsfw as boolean | undefined) ?? false
		};
		if (guildId) command.guild_id = guildId;
		else command.dm_permission = (body.dm_permission as boolean | null | undefined) ?? true;
		if (Array.isArray(body.options) && body.options.length > 0) command.options = stripUndefined(body.options) as CommandOption[];
		return command;
	}
}

function stripUndefined(value: unknown): unknown {
	return JSON.parse(JSON.stringify(value)) as unknown;
}
