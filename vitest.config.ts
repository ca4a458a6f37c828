import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts'],
		// In CI, also a JSON report, from which .ci/run prints the plain "N passed, N failed" line CI reads.
		reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]] : ['default'],
		globalSetup: ['test/global-setup.ts'],
		// End-to-end files each start a bot process and PostgreSQL work: on a 2-core machine, two at a time is the most
		// that keeps Discord's 3 s answer deadline meaningful.
		maxWorkers: 2,
		testTimeout: 30_000,
		hookTimeout: 60_000,
		teardownTimeout: 20_000
	}
});
