import { describe, expect, test } from 'vitest';
import { parseDuration } from '../../src/lib/duration.js';
import { renderMessage } from '../../src/lib/failures.js';
import { english } from '../../src/lib/i18n/index.js';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

const malformed = /^“.*” is not a duration: write it like 30m, 2h, 1d12h or 1w \(from 1 minute to 32 days\)\.$/;
const tooShort = /^The duration “.*” is too short: a poll runs for at least 1 minute \(1m\)\.$/;
const tooLong = /^The duration “.*” is too long: a poll runs for at most 32 days \(32d\)\.$/;

describe('parseDuration', () => {
	// One line per accepted spelling.
	test.each([
		['1m', minute],
		['30m', 30 * minute],
		['90m', 90 * minute],
		['2h', 2 * hour],
		['1d12h', 36 * hour],
		['1w', 7 * day],
		['1w1d1h1m', 8 * day + hour + minute],
		['4W4D', 32 * day],
		['32d', 32 * day],
		['768h', 32 * day],
		['046080m', 32 * day],
		['  2h  ', 2 * hour],
		['1 d 12 h', 36 * hour],
		['\t3h\n', 3 * hour]
	])('GIVEN "%s" WHEN parsed THEN it is %d ms', (raw, ms) => {
		expect(parseDuration(raw).unwrap()).toBe(ms);
	});

	// One line per input @sapphire/duration reads (or half reads) but a poll must refuse.
	test.each([
		['', malformed],
		['   ', malformed],
		['10', malformed],
		['m', malformed],
		['soon', malformed],
		['-1h', malformed],
		['+5m', malformed],
		['1e9m', malformed],
		['1E3m', malformed],
		['1.5h', malformed],
		['.5h', malformed],
		['5.h', malformed],
		['1,5h', malformed],
		['1,000m', malformed],
		['1_000m', malformed],
		['0x10m', malformed],
		['Infinitym', malformed],
		['NaNm', malformed],
		['a minute', malformed],
		['an hour', malformed],
		['2 hours', malformed],
		['5min', malformed],
		['30s', malformed],
		['1mo', malformed],
		['1y', malformed],
		['2h30', malformed],
		['1h1w', malformed],
		['1m1m', malformed],
		['1h-30m', malformed],
		['１ｍ', malformed],
		['１m', malformed],
		['1ｍ', malformed],
		['١m', malformed],
		['1234567m', malformed],
		['0m', tooShort],
		['0w0d0h0m', tooShort],
		['00m', tooShort],
		['32d1m', tooLong],
		['33d', tooLong],
		['5w', tooLong],
		['9999w', tooLong],
		['999999m', tooLong]
	])('GIVEN "%s" WHEN parsed THEN it is refused with %s', (raw, refusal) => {
		expect(renderMessage(english, parseDuration(raw).unwrapErr())).toMatch(refusal);
	});

	test('GIVEN a refused duration with spaces around it WHEN parsed THEN the answer quotes it trimmed, as the member wrote it', () => {
		expect(renderMessage(english, parseDuration('  2 Hours ').unwrapErr())).toBe(
			'“2 Hours” is not a duration: write it like 30m, 2h, 1d12h or 1w (from 1 minute to 32 days).'
		);
		expect(renderMessage(english, parseDuration(' 40D ').unwrapErr())).toBe(
			'The duration “40D” is too long: a poll runs for at most 32 days (32d).'
		);
	});
});
