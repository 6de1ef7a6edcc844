import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunQueueFullError } from '../../lib/errors';
import { MAX_PENDING_MANUAL_RUNS } from '../../lib/store/dispatch-store';
import { fireTimeOf } from '../../lib/task/plan';
import { ManualClock } from '../support/clock';
import { HookedClock, makeTask, RecordingInvoker, type TestTable, tickWith } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

// Scenarios found by an independent review of the merged dispatch; each failed before its fix.
const T0 = Date.parse('2026-12-01T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
let table: TestTable;
beforeAll(async () => {
  table = await createTestTable({ shards: 4 });
});
afterAll(() => table.drop());

describe('dispatch corner cases', () => {
  it('a claim left by a dead tick is delivered even when a concurrent tick fired past it', async () => {
    await table.store.createTask(makeTask('lost', T0, { schedule: { every: { seconds: 10 } } }));
    const clock = new ManualClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    // Tick A dies right after claiming 14:00:30, before invoking it.
    await tickWith(table, clock, invoker, {
      faults: {
        afterClaim: (lease, id) => {
          if (id === 'lost' && lease.scheduledAt === T0 + 30_000) throw new Error('died');
        },
      },
    }).catch(() => undefined);
    // Another tick of the shard while A's lease is alive, then ticks after it expired.
    for (const t of [T0 + 31_000, T0 + 200_000, T0 + 260_000]) {
      clock.set(t);
      await tickWith(table, clock, invoker);
    }
    const lost = invoker.events.filter((e) => e.taskId === 'lost' && e.scheduledAt === iso(T0 + 30_000));
    expect(lost).toEqual([expect.objectContaining({ attempt: 2 })]);
    const runs = await table.store.listRuns('lost', { limit: 100 });
    expect(runs.items.filter((r) => r.status === 'claimed')).toEqual([]);
  });

  it('a plan that only skips missed occurrences moves the task on (here: completes a one-off)', async () => {
    await table.store.createTask(
      makeTask('skip-once', T0 + 1_000, {
        schedule: { at: iso(T0 + 20_000) },
        misfire: { policy: 'skip', graceSeconds: 30 },
      }),
    );
    const clock = new ManualClock(T0 + 60_000);
    const invoker = new RecordingInvoker();
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'skip-once')).toEqual([]);
    const after = await table.store.getDueTask('skip-once');
    expect(after).toMatchObject({ task: { state: 'completed', nextRunAt: null }, dueAt: undefined });
  });

  it('a run-now on a jittered task keeps dueAt at the jittered fire time', async () => {
    let task = makeTask('jit-0', T0, { schedule: { cron: '0 * * * *' }, jitterSeconds: 1800 });
    for (
      let i = 1;
      fireTimeOf(task, Date.parse(task.nextRunAt as string)) > T0 + 3_600_000 - 1_200_000;
      i++
    ) {
      task = makeTask(`jit-${i}`, T0, { schedule: { cron: '0 * * * *' }, jitterSeconds: 1800 });
    }
    await table.store.createTask(task);
    const before = (await table.store.getDueTask(task.id))?.dueAt;
    expect(before).toBe(fireTimeOf(task, T0 + 3_600_000));
    await table.dispatch.enqueueManualRun(task.id, T0 + 5_000);
    await tickWith(table, new ManualClock(T0 + 5_000), new RecordingInvoker());
    expect((await table.store.getDueTask(task.id))?.dueAt).toBe(before);
  });

  it('two ticks sharing the last batch of a task complete it with every run counted', async () => {
    await table.store.createTask(
      makeTask('end', T0, { schedule: { every: { seconds: 10 } }, endAt: iso(T0 + 60_000) }),
    );
    const clock = new HookedClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    let second: Promise<unknown> | undefined;
    clock.onSleep = async (at) => {
      if (!second && at === T0 + 60_000) {
        clock.set(T0 + 60_000);
        second = tickWith(table, clock, invoker);
        await second;
      }
    };
    await tickWith(table, clock, invoker);
    expect(await table.store.getTask('end')).toMatchObject({
      state: 'completed',
      runCount: 6,
      lastRunAt: iso(T0 + 60_000),
      nextRunAt: null,
    });
  });

  it('a task replaced while a tick fires the old one gets none of the old counters', async () => {
    await table.store.createTask(makeTask('rep', T0, { schedule: { every: { seconds: 10 } } }));
    const clock = new ManualClock(T0 + 1_000);
    let replaced = false;
    await tickWith(table, clock, new RecordingInvoker(), {
      faults: {
        afterClaim: async (_lease, id) => {
          if (id !== 'rep' || replaced) return;
          replaced = true;
          const fresh = makeTask('rep', T0 + 1_000, { schedule: { every: { hours: 1 } }, maxRuns: 3 });
          await table.store.createTasks([fresh], true);
        },
      },
    });
    expect(await table.store.getTask('rep')).toMatchObject({ version: 2, runCount: 0, lastRunAt: null });
  });

  it(`bounds the run-now queue at ${MAX_PENDING_MANUAL_RUNS} per task, and delivers every queued run once`, async () => {
    await table.store.createTask(makeTask('many', T0, { schedule: { every: { hours: 1 } } }));
    for (let i = 0; i < MAX_PENDING_MANUAL_RUNS; i++)
      await table.dispatch.enqueueManualRun('many', T0 + 1_000 + i);
    await expect(table.dispatch.enqueueManualRun('many', T0 + 2_000)).rejects.toBeInstanceOf(
      RunQueueFullError,
    );
    const invoker = new RecordingInvoker();
    await tickWith(table, new ManualClock(T0 + 2_000), invoker);
    await tickWith(table, new ManualClock(T0 + 200_000), invoker);
    const manual = invoker.events.filter((e) => e.taskId === 'many' && e.source === 'manual');
    expect(manual).toHaveLength(MAX_PENDING_MANUAL_RUNS);
    expect(new Set(manual.map((e) => e.runId)).size).toBe(MAX_PENDING_MANUAL_RUNS);
    expect((await table.store.getDueTask('many'))?.manualRuns).toEqual([]);
  });
});
