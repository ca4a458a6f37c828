import { describe, expect, test } from 'vitest';
import { clockStartOf, noteClockStart } from '../../src/lib/discord/acknowledge.js';
import { AnswerTiming } from '../../src/lib/discord/timing.js';

describe("when an interaction's 3 s began", () => {
	const now = 1_800_000_000_000;
	test.each([
		['delivered at once', now - 40, now - 40],
		['replayed 1.1 s late after a resume', now - 1_100, now - 1_100],
		['dated after its arrival (this clock behind Discord’s)', now + 700, now],
		['dated long before (this clock far ahead of Discord’s)', now - 60_000, now - AnswerTiming.deferAfterMs]
	])('GIVEN an interaction %s THEN its time counts from the right moment', (_case, createdTimestamp, expected) => {
		const interaction = { createdTimestamp };
		noteClockStart(interaction, now);
		expect(clockStartOf(interaction)).toBe(expected);
	});
});
