import { BotMetrics } from './metrics.js';

export { BotMetrics, routeLabel, type MetricSources } from './metrics.js';

/**
 * This process's metrics. Count from anywhere: `metrics.votesRecorded.inc()`, `metrics.pollEditsSent.inc()`,
 * `metrics.timeQuery('record_vote', () => recordVote(...))`.
 */
export const metrics = new BotMetrics();
