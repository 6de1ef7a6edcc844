import type { TickReport } from '../dispatch/tick-report';
import { METRIC, metricName, type ReportSource, ROUTE_DIMENSION } from './metric-names';
import type { MetricSink } from './metric-sink';

/**
 * Reports become metrics field by field, so a field added to a report is published without a change here:
 * a number is a count (milliseconds if its name ends in `Ms`), a boolean counts 1 or 0, and a list of
 * numbers gives one value per item, in milliseconds (EMF values arrays: CloudWatch keeps each value, so
 * p50, p99 and max are exact). Anything else (ids, text) is never a metric.
 */
export function publishFigures(metrics: MetricSink, source: ReportSource, figures: object): void {
  for (const [field, value] of Object.entries(figures)) {
    const name = metricName(source, field);
    if (typeof value === 'number' && Number.isFinite(value)) {
      metrics.addMetric(name, field.endsWith('Ms') ? 'Milliseconds' : 'Count', value);
    } else if (typeof value === 'boolean') {
      metrics.addMetric(name, 'Count', value ? 1 : 0);
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === 'number' && Number.isFinite(item)) metrics.addMetric(name, 'Milliseconds', item);
      }
    }
  }
}

export interface TickContext {
  /** How long the tick ran. */
  durationMs: number;
  /** Started by the schedule (not a fan-out or run-now tick): what the "no tick" alarm counts. */
  scheduled: boolean;
}

/** One tick's figures: every TickReport field as `Tick<Field>`, plus TickDuration and TickScheduled. */
export function publishTickReport(metrics: MetricSink, report: TickReport, context: TickContext): void {
  publishFigures(metrics, 'Tick', { ...report, ...context });
}

/** What one batch of the fire worker did; more numeric fields are published the same way. */
export interface FireFigures {
  delivered: number;
  failed: number;
  redelivered: number;
  skipped: number;
  /** Milliseconds from each fired occurrence's due time to its invocation. */
  lateness: readonly number[];
}

/** One fire batch's figures: `Fire<Field>`, and FireLateness with one value per fire. */
export function publishFireReport(metrics: MetricSink, report: FireFigures): void {
  publishFigures(metrics, 'Fire', report);
}

/** What the outcome handler recorded (tracked runs). */
export interface OutcomeFigures {
  succeeded: number;
  failed: number;
  timedOut: number;
  /** Failed runs scheduled again (attempt + 1). */
  retried: number;
  /** Runs that failed their last attempt and went to the dead-letter queue. */
  deadLettered: number;
  /** Milliseconds each finished run took in its target. */
  duration: readonly number[];
}

/** Outcomes' figures: `Run<Field>`, and RunDuration with one value per run. */
export function publishOutcomeReport(metrics: MetricSink, report: OutcomeFigures): void {
  publishFigures(metrics, 'Run', report);
}

/** One API request, as the request-metrics middleware saw it. */
export interface ApiRequestFigures {
  /** The route template, `POST /v1/tasks/{id}/pause`, or `unmatched`: never the raw path. */
  route: string;
  status: number;
  latencyMs: number;
}

/**
 * One request's figures under its route: ApiLatency (its SampleCount counts requests), and ApiClientErrors or
 * ApiServerErrors (1) for a 4xx or a 5xx only: CloudWatch bills a metric for each hour it receives data, so
 * error metrics of a healthy route cost nothing. Published at once, so the route dimension never reaches
 * another metric.
 */
export function publishApiRequest(metrics: MetricSink, request: ApiRequestFigures): void {
  metrics.addDimension(ROUTE_DIMENSION, request.route);
  metrics.addMetric(METRIC.apiLatency, 'Milliseconds', request.latencyMs);
  if (request.status >= 400 && request.status < 500) metrics.addMetric(METRIC.apiClientErrors, 'Count', 1);
  if (request.status >= 500) metrics.addMetric(METRIC.apiServerErrors, 'Count', 1);
  metrics.publishStoredMetrics();
}
