import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../../lib/dispatch/invoker';
import { METRICS_NAMESPACE } from '../../lib/observability/metric-names';
import { publishFireReport, publishTickReport } from '../../lib/observability/reports';
import { ManualClock } from '../support/clock';
import { makeTask, RecordingInvoker, TestDispatcher, type TestTable } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';
import { captureStdout, metricsOf } from '../support/emf';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

let table: TestTable;
const clock = new ManualClock(T0);
beforeAll(async () => {
  table = await createTestTable({ shards: 4, clock });
});
afterAll(() => table.drop());
let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => out?.restore());

describe('a tick publishes its figures', () => {
  it('three occurrences due, one target gone: the EMF documents say 3 handed off, 2 delivered, 1 failed', async () => {
    for (const id of ['ok-1', 'ok-2', 'gone']) {
      await table.store.createTask(makeTask(id, T0, { schedule: { at: iso(T0 + 5_000) } }));
    }
    clock.set(T0 + 1_000);
    const invoker = new RecordingInvoker();
    invoker.failWith = (event) =>
      event.taskId === 'gone' ? new DeliveryFailedError('no such function', true) : undefined;
    const dispatcher = new TestDispatcher(table, clock, invoker);
    const report = await dispatcher.tick();
    await dispatcher.runUntil(T0 + 6_000);
    const [fired] = dispatcher.fires;

    out = captureStdout();
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'Sundial/Test' });
    publishTickReport(metrics, report, { durationMs: 41, scheduled: true });
    if (fired) publishFireReport(metrics, fired);
    metrics.publishStoredMetrics();
    const docs = out.emf();
    expect(docs).toHaveLength(1);
    expect(docs[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Sundial',
      Dimensions: [['service']],
    });
    expect(metricsOf(docs).values).toMatchObject({
      TickHandedOff: [3],
      TickRefused: [0],
      TickScheduled: [1],
      TickDuration: [41],
      FireDelivered: [2],
      FireFailed: [1],
      FireLateness: [0, 0, 0],
    });
  });
});
