import { expect, test } from 'vitest';
import { measureThroughput } from './throughput.js';

test('GIVEN a minimal raw client and 50 interactions in flight THEN the fake answers hundreds per second without violations', async () => {
	const result = await measureThroughput({ durationMs: 1_500, inFlight: 50 });
	// The figures go into the failure message only: a passing test prints nothing but the reporter's line.
	const figures = `${result.perSecond} interactions/s (p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms)`;
	expect(result.violations, figures).toBe(0);
	// A generous floor: the point is to catch an accidental slowdown, not to benchmark on a busy CI machine.
	expect(result.perSecond, figures).toBeGreaterThan(150);
});
