/* global process */
// Loaded into the bot by bench/profile.ts (NODE_OPTIONS=--import=...; Node 20 refuses --cpu-prof there). Never used
// in production.
// - SIGWINCH: collects garbage (with --expose-gc) and prints the memory breakdown on stderr as one JSON line, with
//   the V8 spaces as they were just before and the collections so far (count and milliseconds by kind, perf_hooks).
// - SIGTTIN / SIGTTOU: starts / stops a CPU profile, written to $BENCH_CPU_PROFILE, so it covers just the workload.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const gcKinds = {
	[constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
	[constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
	[constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
	[constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb'
};
const gcs = {};
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		const kind = gcKinds[entry.detail?.kind] ?? 'other';
		gcs[kind] ??= { count: 0, ms: 0 };
		gcs[kind].count++;
		gcs[kind].ms += entry.duration;
	}
}).observe({ entryTypes: ['gc'] });

/** Each V8 space's used and committed KB, as `used/size`. */
function spaces() {
	return Object.fromEntries(
		getHeapSpaceStatistics().map((space) => [
			space.space_name,
			`${Math.round(space.space_used_size / 1024)}/${Math.round(space.space_size / 1024)}`
		])
	);
}

process.on('SIGWINCH', () => {
	// Before the forced collection, which would count as one more major one and empty the spaces of garbage.
	const gcSoFar = Object.fromEntries(Object.entries(gcs).map(([kind, { count, ms }]) => [kind, { count, ms: Math.round(ms * 10) / 10 }]));
	const spacesBeforeGcKb = spaces();
	globalThis.gc?.();
	const usage = process.memoryUsage();
	process.stderr.write(`MEMORY-PROBE ${JSON.stringify({ ...usage, spacesKb: spaces(), spacesBeforeGcKb, gcSoFar })}\n`);
});

const session = new Session();
session.connect();
// BENCH_ALLOCATIONS=1: a sampling profile of what is allocated (collected or not) instead of a CPU profile.
const allocations = process.env.BENCH_ALLOCATIONS === '1';
process.on('SIGTTIN', () => {
	if (allocations) {
		const sampling = { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
		session.post('HeapProfiler.enable', () => session.post('HeapProfiler.startSampling', sampling));
		return;
	}
	session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
});
process.on('SIGTTOU', () => {
	session.post(allocations ? 'HeapProfiler.stopSampling' : 'Profiler.stop', (error, result) => {
		if (error) process.stderr.write(`PROFILE-FAILED ${error.message}\n`);
		else writeFileSync(process.env.BENCH_CPU_PROFILE ?? 'bot.cpuprofile', JSON.stringify(result.profile));
		process.stderr.write('PROFILE-WRITTEN\n');
	});
});
