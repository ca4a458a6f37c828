/* global process */
// Loaded into the bot by bench/profile.ts (NODE_OPTIONS=--import=...; Node 20 refuses --cpu-prof there). Never used
// in production.
// - SIGWINCH: collects garbage (with --expose-gc) and prints the memory breakdown on stderr as one JSON line.
// - SIGTTIN / SIGTTOU: starts / stops a CPU profile, written to $BENCH_CPU_PROFILE, so it covers just the workload.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { getHeapSpaceStatistics } from 'node:v8';

process.on('SIGWINCH', () => {
	globalThis.gc?.();
	const usage = process.memoryUsage();
	const spaces = Object.fromEntries(
		getHeapSpaceStatistics().map((space) => [
			space.space_name,
			`${Math.round(space.space_used_size / 1024)}/${Math.round(space.space_size / 1024)}`
		])
	);
	process.stderr.write(`MEMORY-PROBE ${JSON.stringify({ ...usage, spacesKb: spaces })}\n`);
});

const session = new Session();
session.connect();
process.on('SIGTTIN', () => {
	session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
});
process.on('SIGTTOU', () => {
	session.post('Profiler.stop', (error, result) => {
		if (error) process.stderr.write(`PROFILE-FAILED ${error.message}\n`);
		else writeFileSync(process.env.BENCH_CPU_PROFILE ?? 'bot.cpuprofile', JSON.stringify(result.profile));
		process.stderr.write('PROFILE-WRITTEN\n');
	});
});
