import { afterAll, beforeAll, expect, it } from 'vitest';
import { LOCAL_TICK_FUNCTION, type LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { makeTask } from '../support/dispatch';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const clock = new ManualClock(T0);
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-dispatch-fan-out', clock, received, {
    shards: 4,
    // A tiny threshold so 40 due tasks overload one tick.
    tick: { maxDuePerTick: 8 },
    recorders: ['sundial-sink'],
  });
});
afterAll(() => cloud?.stop());

it('an overloaded tick hands shards to ticks of its own, and every occurrence fires once', async () => {
  const ids = Array.from({ length: 40 }, (_, i) => `fan-${i}`);
  for (const id of ids) {
    await cloud.runtime.store.createTask(
      makeTask(id, T0, { target: { function: 'sundial-sink' }, schedule: { every: { minutes: 5 } } }),
    );
  }
  clock.set(T0 + 300_000);
  const root = await cloud.tick();
  await cloud.settle();
  expect(root.fannedOut).toBeGreaterThanOrEqual(1);
  // The root tick, plus one asynchronous tick per shard it handed over, through the Lambda endpoint.
  expect(cloud.lambda.calls.get(LOCAL_TICK_FUNCTION)).toBe(1 + root.fannedOut);
  expect(root.handedOff).toBeLessThan(40);
  expect(received.map((e) => e.taskId).sort()).toEqual([...ids].sort());
  for (const id of ids.slice(0, 5))
    expect(await cloud.runtime.store.getTask(id)).toMatchObject({ runCount: 1 });
});
