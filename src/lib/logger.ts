import { LogLevel, type ILogger } from '@sapphire/framework';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevelName } from './config.js';

/**
 * Sapphire's logger interface on pino, writing one line per event: human-readable, or JSON lines for log search.
 *
 * A plain object passed as the last value becomes structured fields (`{ guildId, interactionId }`), so that every
 * line about an interaction can be found by its ids. Registered secrets are masked in everything written.
 */
export class BotLogger implements ILogger {
	private readonly secrets = new Set<string>();
	private readonly pino: Logger;

	public constructor(
		private readonly level: LogLevel,
		format: 'pretty' | 'json',
		out?: (line: string) => void
	) {
		this.pino = pino(
			{
				level: level >= LogLevel.None ? 'silent' : levelName(level),
				base: null,
				messageKey: 'msg',
				timestamp: pino.stdTimeFunctions.isoTime,
				formatters: { level: (label) => ({ level: label }) },
				// Masks fields by name as well, for a secret logged before anyone registered it.
				redact: { paths: ['token', 'password', 'databaseUrl'], censor: '[redacted]' }
			},
			destination(format, out)
		);
	}

	/** Masks `secret` wherever it would appear in a log line. */
	public addSecret(secret: string | null | undefined) {
		if (secret && secret.length >= 4) this.secrets.add(secret);
	}

	public has(level: LogLevel): boolean {
		return level >= this.level;
	}

	public trace(...values: readonly unknown[]) {
		this.write(LogLevel.Trace, ...values);
	}

	public debug(...values: readonly unknown[]) {
		this.write(LogLevel.Debug, ...values);
	}

	public info(...values: readonly unknown[]) {
		this.write(LogLevel.Info, ...values);
	}

	public warn(...values: readonly unknown[]) {
		this.write(LogLevel.Warn, ...values);
	}

	public error(...values: readonly unknown[]) {
		this.write(LogLevel.Error, ...values);
	}

	public fatal(...values: readonly unknown[]) {
		this.write(LogLevel.Fatal, ...values);
	}

	public write(level: LogLevel, ...values: readonly unknown[]) {
		if (!this.has(level)) return;
		const last = values.at(-1);
		const fields = isPlainObject(last) ? last : null;
		const parts = fields === null ? values : values.slice(0, -1);
		const error = parts.find((part): part is Error => part instanceof Error);
		// Masked before pino serialises: JSON escaping could otherwise hide a secret holding a quote or a backslash.
		const message = this.mask(parts.map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : stringify(part))).join(' '));
		const maskedFields: Record<string, string> = {};
		for (const [key, fieldValue] of Object.entries(fields ?? {})) maskedFields[key] = this.mask(stringify(fieldValue));
		if (error?.stack) maskedFields.stack = this.mask(error.stack);
		this.pino[levelName(level)](maskedFields, message);
	}

	private mask(line: string) {
		let masked = line;
		for (const secret of this.secrets) masked = masked.replaceAll(secret, '[redacted]');
		return masked;
	}
}

/**
 * Where pino's lines go: stdout, written synchronously so that the line about a fatal error is out before
 * `process.exit`, or `out` (tests).
 *
 * The human format is our own few lines rather than pino-pretty: that is a development tool with dependencies of
 * its own, meant to run as a transport in a worker thread, which a process exiting at once may not wait for.
 */
function destination(format: 'pretty' | 'json', out: ((line: string) => void) | undefined): DestinationStream {
	const stdout = out ? null : pino.destination({ dest: 1, sync: true });
	const emit = out ?? ((line: string) => stdout!.write(`${line}\n`));
	return {
		write(chunk: string) {
			const line = chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk;
			emit(format === 'json' ? line : humanLine(line));
		}
	};
}

/** `2024-05-01T12:00:00.000Z WARN  message key=value`, then the stack on the lines below. */
function humanLine(json: string): string {
	const { time, level, msg, stack, ...fields } = JSON.parse(json) as Record<string, string>;
	return [
		`${time} ${String(level).toUpperCase().padEnd(5)} ${msg}`,
		...Object.entries(fields).map(([key, fieldValue]) => `${key}=${fieldValue}`),
		stack ? `\n${stack}` : ''
	]
		.filter(Boolean)
		.join(' ');
}

export function parseLogLevel(name: LogLevelName): LogLevel {
	switch (name) {
		case 'trace':
			return LogLevel.Trace;
		case 'debug':
			return LogLevel.Debug;
		case 'info':
			return LogLevel.Info;
		case 'warn':
			return LogLevel.Warn;
		case 'error':
			return LogLevel.Error;
		case 'fatal':
			return LogLevel.Fatal;
		case 'none':
			return LogLevel.None;
	}
}

function levelName(level: LogLevel): Exclude<LogLevelName, 'none'> {
	switch (level) {
		case LogLevel.Trace:
			return 'trace';
		case LogLevel.Debug:
			return 'debug';
		case LogLevel.Info:
			return 'info';
		case LogLevel.Warn:
			return 'warn';
		case LogLevel.Error:
			return 'error';
		default:
			return 'fatal';
	}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function stringify(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value instanceof Error) return value.message;
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}
