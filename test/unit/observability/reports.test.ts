import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyFireReport } from '../../../lib/dispatch/fire-run';
import { emptyTickReport } from '../../../lib/dispatch/tick-report';
import { METRIC, METRICS_NAMESPACE, ROUTE_DIMENSION } from '../../../lib/observability/metric-names';
import {
  publishApiRequest,
  publishFireReport,
  publishOutcomeReport,
  publishTickReport,
} from '../../../lib/observability/reports';
import { captureStdout, metricsOf } from '../../support/emf';

const SERVICE = 'Sundial/Sundial';
const metrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => out?.restore());

describe('reports → EMF', () => {
  it('a tick report: every field a count under the deployment only, with its duration and whether scheduled', () => {
    out = captureStdout();
    const m = metrics();
    const report = { ...emptyTickReport(), due: 6, handedOff: 5, messages: 2, refused: 1, fannedOut: 1 };
    publishTickReport(m, report, { durationMs: 812, scheduled: true });
    m.publishStoredMetrics();
    const [doc, ...more] = out.emf();
    expect(more).toEqual([]);
    expect(doc?._aws.CloudWatchMetrics).toHaveLength(1);
    expect(doc?._aws.CloudWatchMetrics[0]?.Namespace).toBe('Sundial');
    expect(doc?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(doc?.service).toBe(SERVICE);
    const { values, units } = metricsOf(out.emf());
    expect(values).toEqual({
      TickDue: [6],
      TickHandedOff: [5],
      TickMessages: [2],
      TickManual: [0],
      TickSkipped: [0],
      TickRefused: [1],
      TickErrors: [0],
      TickUnsent: [0],
      TickOverlapped: [0],
      TickFannedOut: [1],
      TickStalled: [0],
      TickDuration: [812],
      TickScheduled: [1],
    });
    expect(units.TickDuration).toBe('Milliseconds');
    expect(units.TickHandedOff).toBe('Count');
    expect(values[METRIC.scheduledTicks]).toEqual([1]);
  });

  it('a field the report gains later is published by the same rule', () => {
    out = captureStdout();
    const m = metrics();
    publishTickReport(m, { ...emptyTickReport(), handedOff: 7, nudged: 2 } as never, {
      durationMs: 3,
      scheduled: false,
    });
    m.publishStoredMetrics();
    const { values } = metricsOf(out.emf());
    expect(values).toMatchObject({ TickHandedOff: [7], TickNudged: [2], TickScheduled: [0] });
  });

  it('a fire report: counts, and one lateness value per fire (a values array, for p50/p99/max)', () => {
    out = captureStdout();
    const m = metrics();
    publishFireReport(m, {
      ...emptyFireReport(),
      delivered: 3,
      failed: 1,
      redelivered: 1,
      dropped: 2,
      lateness: [12, 40, 7, 1200],
    });
    m.publishStoredMetrics();
    const [doc] = out.emf();
    expect(doc?.[METRIC.lateness]).toEqual([12, 40, 7, 1200]);
    const { values, units } = metricsOf(out.emf());
    expect(values).toEqual({
      FireDelivered: [3],
      FireFailed: [1],
      FireRedelivered: [1],
      FireDropped: [2],
      FireRequeued: [0],
      FireGivenBack: [0],
      FireSkipped: [0],
      FireQueued: [0],
      FireDeferred: [0],
      FireUnrecorded: [0],
      FireLateness: [12, 40, 7, 1200],
    });
    expect(units.FireLateness).toBe('Milliseconds');
  });

  it('more than 100 fires in one report are all kept (Powertools flushes at 100 values)', () => {
    out = captureStdout();
    const m = metrics();
    const lateness = Array.from({ length: 250 }, (_, i) => i);
    publishFireReport(m, { ...emptyFireReport(), delivered: 250, lateness });
    m.publishStoredMetrics();
    expect(metricsOf(out.emf()).values.FireLateness).toEqual(lateness);
  });

  it('an outcome report: succeeded, failed, timed out, retried, dead-lettered and run durations', () => {
    out = captureStdout();
    const m = metrics();
    publishOutcomeReport(m, {
      succeeded: 8,
      failed: 2,
      timedOut: 1,
      retried: 2,
      deadLettered: 1,
      duration: [150, 30_000],
    });
    m.publishStoredMetrics();
    expect(metricsOf(out.emf()).values).toEqual({
      RunSucceeded: [8],
      RunFailed: [2],
      RunTimedOut: [1],
      RunRetried: [2],
      RunDeadLettered: [1],
      RunDuration: [150, 30_000],
    });
  });

  it('an API request: latency, and a 4xx or 5xx count, under its route template, published at once', () => {
    out = captureStdout();
    const m = metrics();
    publishApiRequest(m, { route: 'GET /v1/tasks/{id}', status: 404, latencyMs: 21 });
    publishApiRequest(m, { route: 'POST /v1/tasks', status: 503, latencyMs: 95 });
    publishApiRequest(m, { route: 'GET /v1/tasks', status: 200, latencyMs: 8 });
    publishFireReport(m, { ...emptyFireReport(), delivered: 1, lateness: [] });
    m.publishStoredMetrics();
    const [first, second, ok, third] = out.emf();
    expect(ok?._aws.CloudWatchMetrics[0]?.Metrics.map((x) => x.Name)).toEqual(['ApiLatency']);
    expect(first?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', ROUTE_DIMENSION]]);
    expect(first).toMatchObject({
      route: 'GET /v1/tasks/{id}',
      ApiLatency: 21,
      ApiClientErrors: 1,
    });
    expect(first).not.toHaveProperty('ApiServerErrors');
    expect(second).toMatchObject({ route: 'POST /v1/tasks', ApiLatency: 95, ApiServerErrors: 1 });
    expect(second).not.toHaveProperty('ApiClientErrors');
    // The route dimension went with its request: later metrics carry the deployment only.
    expect(third?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(third).not.toHaveProperty('route');
  });
});
