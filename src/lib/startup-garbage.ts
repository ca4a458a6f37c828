import { container } from '@sapphire/framework';

/**
 * One full collection once start-up is over, when Node runs with `--expose-gc` (the Procfile's worker does).
 *
 * Start-up leaves garbage in the old generation: every server's GUILD_CREATE payload (10,000 servers: several MB),
 * the command registration, module loading. V8 collects it when the heap next grows enough or once the process has
 * been idle for some seconds, so the bot's resident memory just after start-up is 6 to 9 MB higher or not, depending
 * on which came first (measured: 122–131 MB 3 s after ready in 10,000 servers; 123.4–124.0 MB with this collection).
 * The pause is paid once, before the bot has anything to answer, instead of whenever V8 gets to it.
 */
export function collectStartupGarbage(): void {
	const collect = (globalThis as { gc?: () => void }).gc;
	if (typeof collect !== 'function') {
		container.logger.debug('Start-up garbage left to V8: Node runs without --expose-gc.');
		return;
	}
	const before = process.memoryUsage().heapUsed;
	const started = performance.now();
	collect();
	const after = process.memoryUsage().heapUsed;
	const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
	container.logger.info(`Start-up garbage collected in ${Math.round(performance.now() - started)} ms (heap ${mb(before)} → ${mb(after)} MB).`);
}
