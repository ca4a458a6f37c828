import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { InteractionRegistry, type InteractionDeps } from './interactions.js';

/** Blocks this process's event loop, as a suite sharing 2 cores can for a moment. */
function stall(ms: number) {
	const until = performance.now() + ms;
	while (performance.now() < until);
}

describe('GIVEN a wait of the fake Discord', () => {
	const registry = () => new InteractionRegistry({ messages: new EventEmitter() } as unknown as InteractionDeps);

	test('WHEN what it waits for never comes THEN it fails after its timeout', async () => {
		const since = performance.now();
		await expect(
			registry().waitFor(
				() => undefined,
				100,
				() => 'nothing came'
			)
		).rejects.toThrow('nothing came');
		expect(performance.now() - since).toBeGreaterThanOrEqual(95);
	});

	test('WHEN this process stalls past the timeout while the answer waits to be read THEN the answer is read, not the timeout', async () => {
		const interactions = registry();
		let arrived = false;
		const waited = interactions.waitFor(
			() => (arrived ? 'answer' : undefined),
			50,
			() => 'timed out'
		);
		// The answer reaches the process during the stall, and is handled after it, behind the wait's own timer.
		setTimeout(() => {
			arrived = true;
			interactions.emit('change');
		}, 60);
		stall(400);
		await expect(waited).resolves.toBe('answer');
	});
});
