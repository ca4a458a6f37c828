/**
 * How long a poll runs, as members write it: `30m`, `2h`, `1d12h`, `1w`, from 1 minute to 32 days.
 */
import { Duration, Time } from '@sapphire/duration';
import { Result } from '@sapphire/result';
import { message, type Message } from './failures.js';

export const pollDurationLimits = { minMs: Time.Minute, maxMs: 32 * Time.Day } as const;

/**
 * Our grammar, checked before @sapphire/duration sees the text, because the library reads far more than we accept
 * and drops what it cannot read without a word: signs, fractions, exponents, commas, "a"/"an", seconds, months,
 * years, and `2h30` read as 2 hours. Here: ASCII digits, each of w, d, h, m at most once, in that order; the library
 * then does the arithmetic.
 */
const grammar = /^(?:\d{1,4}w)?(?:\d{1,4}d)?(?:\d{1,5}h)?(?:\d{1,6}m)?$/;

/** `30m`, `2h`, `1d12h`, `1w` (spaces and capitals allowed) → milliseconds, or the sentence telling what to write. */
export function parseDuration(raw: string): Result<number, Message> {
	const shown = raw.trim();
	const text = shown.toLowerCase().replace(/\s+/g, '');
	const ms = text.length > 0 && grammar.test(text) ? new Duration(text).offset : Number.NaN;
	if (!Number.isSafeInteger(ms)) {
		return Result.err(message('polls:validation.notADuration', { input: shown }));
	}
	if (ms < pollDurationLimits.minMs) return Result.err(message('polls:validation.durationShort', { input: shown }));
	if (ms > pollDurationLimits.maxMs) return Result.err(message('polls:validation.durationLong', { input: shown }));
	return Result.ok(ms);
}
