import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../support/clock';
import { makeTask, RecordingInvoker, TestDispatcher, type TestTable } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

let clock: ManualClock;
let table: TestTable;
beforeAll(async () => {
  clock = new ManualClock(T0);
  table = await createTestTable({ shards: 2, clock });
});
afterAll(() => table.drop());

/** A small deterministic PRNG (mulberry32), so a failing seed replays the same kills. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Killed extends Error {}

it('kills at every fault point, across seeds: maxRuns and runCount hold, nothing is lost, duplicates share their runId', {
  timeout: 180_000,
}, async () => {
  let round = 0;
  const kills = { tick: 0, worker: 0 };
  await fc.assert(
    fc.asyncProperty(fc.integer(), fc.double({ min: 0.05, max: 0.4, noNaN: true }), async (seed, rate) => {
      const start = T0 + round++ * 3_600_000;
      clock.set(start);
      const roll = random(seed);
      // Ticks are few (one a minute), so they die more often than batches, to be sure to die at all.
      const killer = (where: keyof typeof kills) => () => {
        if (roll() >= (where === 'tick' ? 0.5 : rate)) return;
        kills[where]++;
        throw new Killed();
      };
      const invoker = new RecordingInvoker();
      const dispatcher = new TestDispatcher(table, clock, invoker, {
        tick: { faults: { afterSend: killer('tick') } },
        fire: { faults: { beforeInvoke: killer('worker'), afterInvoke: killer('worker') } },
      });
      const tasks = [1, 2, 5, 20].map((maxRuns) =>
        makeTask(`crash-${round}-${maxRuns}`, start, {
          schedule: { every: { seconds: 10 } },
          maxRuns,
          // However often ticks die in a row, no occurrence counts as missed: each must fire.
          misfire: { graceSeconds: 3_600, policy: 'all' },
        }),
      );
      await Promise.all(tasks.map((t) => table.store.createTask(t)));
      // A tick a minute (each may die after sending), the worker in between (each batch may die), for
      // long enough that every message that died is received again and every lease ran out.
      for (let minute = 0; minute < 25; minute++) {
        await dispatcher.runUntil(start + minute * 60_000);
        await dispatcher.tick().catch((error) => {
          if (!(error instanceof Killed)) throw error;
        });
      }
      await dispatcher.runUntil(start + 26 * 60_000);
      for (const task of tasks) {
        const events = invoker.events.filter((e) => e.taskId === task.id);
        const byRun = new Map(events.map((e) => [e.runId, e.scheduledAt]));
        // Every occurrence up to maxRuns fired (at least once), none beyond, and a duplicate is the same run.
        expect([...byRun.values()].sort()).toEqual(
          Array.from({ length: task.maxRuns as number }, (_, i) => iso(start + (i + 1) * 10_000)),
        );
        expect(await table.store.getTask(task.id)).toMatchObject({
          state: 'completed',
          runCount: task.maxRuns,
          nextRunAt: null,
        });
      }
    }),
    { numRuns: 5 },
  );
  // The faults really struck, at both places.
  expect(kills.tick).toBeGreaterThan(0);
  expect(kills.worker).toBeGreaterThan(5);
});
