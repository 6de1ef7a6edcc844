import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import { taskKey } from '../../lib/store/schema';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { makeTask } from '../support/dispatch';

// Lambda's throttling, 5xx and size errors come from the local Lambda endpoint, which answers them on
// purpose (injectFault): the real @aws-sdk/client-lambda retry code path runs against them.

const T0 = Date.parse('2026-12-01T10:00:00Z');
const clock = new ManualClock(T0);
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-dispatch-faults', clock, received, {
    shards: 4,
    recorders: ['ok', 'throttled', 'flaky', 'too-large', 'always-throttled'].map((name) => `sundial-${name}`),
  });
});
afterAll(() => cloud?.stop());

async function create(id: string, fn: string) {
  await cloud.runtime.store.createTask(
    makeTask(id, clock.now(), { target: { function: fn }, schedule: { every: { minutes: 5 } } }),
  );
}

async function rawItem(id: string) {
  const out = await cloud.runtime.dispatch.doc.send(
    new GetCommand({ TableName: cloud.config.tableName, Key: taskKey(id) }),
  );
  return out.Item as Record<string, unknown>;
}

describe('delivery faults', () => {
  it('retries throttling and 5xx with backoff, records permanent errors, and never blocks other tasks', async () => {
    clock.set(T0);
    await create('ok', 'sundial-ok');
    await create('throttled', 'sundial-throttled');
    await create('flaky', 'sundial-flaky');
    await create('too-large', 'sundial-too-large');
    await create('always-throttled', 'sundial-always-throttled');
    await create('outside', 'payroll-export');
    // More 429s than the SDK's own 3 attempts absorb: the tick's backoff takes over.
    cloud.lambda.injectFault('sundial-throttled', {
      status: 429,
      type: 'TooManyRequestsException',
      times: 4,
    });
    cloud.lambda.injectFault('sundial-flaky', { status: 500, type: 'ServiceException', times: 2 });
    cloud.lambda.injectFault('sundial-too-large', {
      status: 413,
      type: 'RequestTooLargeException',
      times: 9,
    });
    cloud.lambda.injectFault('sundial-always-throttled', {
      status: 429,
      type: 'TooManyRequestsException',
      times: Number.POSITIVE_INFINITY,
    });

    clock.set(T0 + 300_000);
    const before = cloud.fired.length;
    const report = await cloud.tick();
    await cloud.settle();
    expect(received.map((e) => e.taskId).sort()).toEqual(['flaky', 'ok', 'throttled']);
    expect(report).toMatchObject({ handedOff: 6 });
    const fired = cloud.fired.slice(before);
    expect(fired.reduce((n, r) => n + r.delivered, 0)).toBe(3);
    expect(fired.reduce((n, r) => n + r.failed, 0)).toBe(3);
    expect(cloud.lambda.calls.get('sundial-throttled')).toBe(5);
    expect(cloud.lambda.calls.get('sundial-flaky')).toBe(3);
    // Permanent: one call, no retry; outside the allow-list: no call at all.
    expect(cloud.lambda.calls.get('sundial-too-large')).toBe(1);
    expect(cloud.lambda.calls.get('payroll-export')).toBeUndefined();
    // Throttled for good: retried a bounded number of times, then recorded.
    expect(cloud.lambda.calls.get('sundial-always-throttled')).toBe(9); // 3 attempts × the SDK's 3

    for (const [id, error] of [
      ['too-large', 'RequestTooLargeException'],
      ['outside', 'allow-list'],
      ['always-throttled', 'TooManyRequestsException'],
    ] as const) {
      const { items } = await cloud.runtime.store.listRuns(id, { limit: 5 });
      expect(items).toEqual([
        expect.objectContaining({ status: 'failed', error: expect.stringContaining(error) }),
      ]);
      expect(await rawItem(id)).toMatchObject({
        lastError: expect.stringContaining(error),
        nextRunAt: new Date(T0 + 600_000).toISOString(),
        runCount: 1,
      });
    }
    const { items } = await cloud.runtime.store.listRuns('throttled', { limit: 5 });
    expect(items).toEqual([expect.objectContaining({ status: 'delivered', attempt: 1 })]);

    // The next occurrence of a failed task is attempted as usual.
    clock.set(T0 + 600_000);
    await cloud.tick();
    await cloud.settle();
    expect(cloud.lambda.calls.get('sundial-too-large')).toBe(2);
  });
});
