import type { ILogger } from '@sapphire/framework';

type Step = { readonly name: string; readonly run: () => unknown };

const steps: Step[] = [];
let started = false;

/** Hosts such as Railway kill the process about 3 s after SIGTERM: everything must be done before that. */
const hardLimitMs = 2_700;

/**
 * Adds a step to run on SIGTERM or SIGINT. Steps run one after another, newest first (the reverse of start-up),
 * and a failing step does not stop the ones after it.
 */
export function onShutdown(name: string, run: () => unknown) {
	steps.unshift({ name, run });
}

/** Runs the shutdown steps once, then exits with `exitCode`. */
export async function shutdown(logger: ILogger, reason: string, exitCode = 0) {
	if (started) return;
	started = true;
	logger.info(`${reason}: shutting down.`);
	setTimeout(() => {
		logger.warn('Shutdown took too long; exiting now.');
		process.exit(exitCode);
	}, hardLimitMs).unref();
	for (const step of steps) {
		try {
			await step.run();
		} catch (error) {
			logger.warn(`Shutdown step "${step.name}" failed:`, error);
		}
	}
	if (exitCode === 0) logger.info('Shut down cleanly.');
	process.exit(exitCode);
}

export function registerShutdown(logger: ILogger) {
	process.once('SIGTERM', (signal) => void shutdown(logger, `${signal} received`));
	process.once('SIGINT', (signal) => void shutdown(logger, `${signal} received`));
}
