import { expect, test } from 'vitest';
import { measureThroughput } from './throughput.js';

test('GIVEN a minimal raw client and 50 interactions in flight THEN the fake answers every one without violations', async () => {
	const inFlight = 50;
	// Each worker waits for its answer before the next interaction: a lost answer would hang the run, not pass it.
	const result = await measureThroughput({ durationMs: 1_500, inFlight });
	// The figures go into the failure message only: a passing test prints nothing but the reporter's line.
	const figures = `${result.perSecond} interactions/s (p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms)`;
	expect(result.violations, figures).toBe(0);
	// Its speed is a benchmark figure (`npx tsx test/fake-discord/throughput.ts`), not an assertion: a timed floor
	// fails on a busy machine for reasons that are not the fake's.
	expect(result.answered, figures).toBeGreaterThan(inFlight);
});
