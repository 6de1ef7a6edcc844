import { emptyTickReport } from '../dispatch/tick-report';

/**
 * The names of Sundial's metrics, read by the code that emits them (lib/observability/reports.ts) and by
 * the construct's alarms and dashboard (cdk/), so the two cannot drift. See docs/operations.md.
 */

/** The CloudWatch namespace of every Sundial metric. */
export const METRICS_NAMESPACE = 'Sundial';

/**
 * Every metric carries one dimension, Powertools' own `service`, whose value names the deployment (the
 * construct sets one per Sundial): never a task id, a group or a function name, so the count of metrics
 * (and their monthly price) does not grow with the tasks.
 */
export const SERVICE_DIMENSION = 'service';

/** The API's metrics add the route template (`GET /v1/tasks/{id}`): at most one value per route. */
export const ROUTE_DIMENSION = 'route';

/** Where a report comes from: the metric names start with it. */
export type ReportSource = 'Tick' | 'Fire' | 'Run' | 'Api';

/**
 * A report field's metric: its source, then the field in PascalCase without a trailing `Ms`
 * (`fannedOut` of a tick report → `TickFannedOut`, `lateness` of a fire report → `FireLateness`).
 */
export function metricName(source: ReportSource, field: string): string {
  const base = field.endsWith('Ms') ? field.slice(0, -2) : field;
  return `${source}${base.charAt(0).toUpperCase()}${base.slice(1)}`;
}

/** Every count a tick reports, in the order the dashboard shows them: the report's own fields. */
export const TICK_COUNTS = Object.keys(emptyTickReport()).map((field) => metricName('Tick', field));
export const FIRE_COUNTS = ['delivered', 'failed', 'redelivered', 'skipped'].map((f) =>
  metricName('Fire', f),
);
export const RUN_COUNTS = ['succeeded', 'failed', 'timedOut', 'retried', 'deadLettered'].map((f) =>
  metricName('Run', f),
);

/** The metrics the alarms and the dashboard read by name. */
export const METRIC = {
  /** 1 for each tick that EventBridge Scheduler started (not a fan-out or run-now tick). */
  scheduledTicks: metricName('Tick', 'scheduled'),
  tickDuration: metricName('Tick', 'durationMs'),
  tickClaimed: metricName('Tick', 'claimed'),
  tickDelivered: metricName('Tick', 'delivered'),
  tickFailed: metricName('Tick', 'failed'),
  tickLost: metricName('Tick', 'lost'),
  tickRedelivered: metricName('Tick', 'redelivered'),
  tickFannedOut: metricName('Tick', 'fannedOut'),
  tickStalled: metricName('Tick', 'stalled'),
  fireDelivered: metricName('Fire', 'delivered'),
  fireFailed: metricName('Fire', 'failed'),
  fireRedelivered: metricName('Fire', 'redelivered'),
  fireSkipped: metricName('Fire', 'skipped'),
  /** Milliseconds from an occurrence's due time to its target's invocation, one value per fire. */
  lateness: metricName('Fire', 'lateness'),
  runSucceeded: metricName('Run', 'succeeded'),
  runFailed: metricName('Run', 'failed'),
  runTimedOut: metricName('Run', 'timedOut'),
  runRetried: metricName('Run', 'retried'),
  runDeadLettered: metricName('Run', 'deadLettered'),
  runDuration: metricName('Run', 'duration'),
  /** Per request, by route: its SampleCount is the request count. */
  apiLatency: metricName('Api', 'latencyMs'),
  apiClientErrors: metricName('Api', 'clientErrors'),
  apiServerErrors: metricName('Api', 'serverErrors'),
} as const;
