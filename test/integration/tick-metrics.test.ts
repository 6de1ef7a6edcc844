import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../../lib/dispatch/invoker';
import { METRICS_NAMESPACE } from '../../lib/observability/metric-names';
import { publishTickReport } from '../../lib/observability/reports';
import { ManualClock } from '../support/clock';
import { makeTask, RecordingInvoker, type TestTable, tickWith } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';
import { captureStdout, metricsOf } from '../support/emf';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable({ shards: 4 });
});
afterAll(() => table.drop());
let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => out?.restore());

describe('a tick publishes its figures', () => {
  it('three occurrences due, one target gone: the EMF document says 3 claimed, 2 delivered, 1 failed', async () => {
    for (const id of ['ok-1', 'ok-2', 'gone']) {
      await table.store.createTask(makeTask(id, T0, { schedule: { at: iso(T0 + 5_000) } }));
    }
    const clock = new ManualClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    invoker.failWith = (event) =>
      event.taskId === 'gone' ? new DeliveryFailedError('no such function', true) : undefined;
    const report = await tickWith(table, clock, invoker);

    out = captureStdout();
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'Sundial/Test' });
    publishTickReport(metrics, report, { durationMs: 4_100, scheduled: true });
    metrics.publishStoredMetrics();
    const docs = out.emf();
    expect(docs).toHaveLength(1);
    expect(docs[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Sundial',
      Dimensions: [['service']],
    });
    expect(metricsOf(docs).values).toMatchObject({
      TickClaimed: [3],
      TickDelivered: [2],
      TickFailed: [1],
      TickLost: [0],
      TickScheduled: [1],
      TickDuration: [4_100],
    });
  });
});
