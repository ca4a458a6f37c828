import { LogLevel, type ILogger } from '@sapphire/framework';
import type { LogLevelName } from './config.js';

/**
 * Sapphire's logger interface, writing one line per event: human-readable, or JSON lines for log search.
 *
 * A plain object passed as the last value becomes structured fields (`{ guildId, interactionId }`), so that every
 * line about an interaction can be found by its ids. Registered secrets are masked in everything written.
 */
export class BotLogger implements ILogger {
	private readonly secrets = new Set<string>();

	public constructor(
		private readonly level: LogLevel,
		private readonly format: 'pretty' | 'json',
		private readonly out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)
	) {}

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
		// Masked before formatting: JSON escaping could otherwise hide a secret holding a quote or a backslash.
		const message = this.mask(parts.map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : stringify(part))).join(' '));
		const stack = error?.stack ? this.mask(error.stack) : null;
		const maskedFields = Object.entries(fields ?? {}).map(([key, fieldValue]) => [key, this.mask(stringify(fieldValue))] as const);
		const time = new Date().toISOString();
		const line =
			this.format === 'json'
				? JSON.stringify({ time, level: levelName(level), msg: message, ...Object.fromEntries(maskedFields), ...(stack ? { stack } : {}) })
				: [
						`${time} ${levelName(level).toUpperCase().padEnd(5)} ${message}`,
						...maskedFields.map(([key, fieldValue]) => `${key}=${fieldValue}`),
						stack ? `\n${stack}` : ''
					]
						.filter(Boolean)
						.join(' ');
		this.out(line);
	}

	private mask(line: string) {
		let masked = line;
		for (const secret of this.secrets) masked = masked.replaceAll(secret, '[redacted]');
		return masked;
	}
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

function levelName(level: LogLevel) {
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
