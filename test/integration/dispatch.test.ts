import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TICK_OPTIONS } from '../../lib/dispatch/tick';
import { TaskNotFoundError } from '../../lib/errors';
import { applyPatch, pauseTask } from '../../lib/task/patch';
import { ManualClock } from '../support/clock';
import {
  HookedClock,
  makeTask,
  RecordingInvoker,
  type TestTable,
  tickWith,
  userWrite,
} from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const LEASE = DEFAULT_TICK_OPTIONS.leaseMs;
const iso = (ms: number) => new Date(ms).toISOString();

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable({ shards: 4 });
});
afterAll(() => table.drop());

class Died extends Error {}

describe('exactly-once claims', () => {
  it('8 concurrent ticks deliver every occurrence once, with one runId each, at its second', async () => {
    const race = await createTestTable({ shards: 8 });
    // One-off, per-minute and every-10-seconds tasks: 60 + 60 + 20×6 occurrences in the window.
    const tasks = [
      ...Array.from({ length: 60 }, (_, i) =>
        makeTask(`at-${i}`, T0, { schedule: { at: iso(T0 + 20_000) } }),
      ),
      ...Array.from({ length: 60 }, (_, i) => makeTask(`min-${i}`, T0, { schedule: { cron: '* * * * *' } })),
      ...Array.from({ length: 20 }, (_, i) =>
        makeTask(`ten-${i}`, T0, { schedule: { every: { seconds: 10 } } }),
      ),
    ];
    await Promise.all(tasks.map((t) => race.store.createTask(t)));
    const clock = new ManualClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    const reports = await Promise.all(Array.from({ length: 8 }, () => tickWith(race, clock, invoker)));
    const keys = invoker.events.map((e) => `${e.taskId}@${e.scheduledAt}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(invoker.events.map((e) => e.runId)).size).toBe(keys.length);
    // Look-ahead 62 s from 14:00:01: the one-offs at :20, the per-minute ones at 14:01, the 10 s ones 6 times.
    expect(keys.length).toBe(60 + 60 + 20 * 6);
    expect(reports.reduce((sum, r) => sum + r.claimed, 0)).toBe(keys.length);
    for (const e of invoker.events) expect(e.attempt).toBe(1);
    const ten = await race.store.getTask('ten-0');
    expect(ten).toMatchObject({ runCount: 6, lastRunAt: iso(T0 + 60_000), nextRunAt: iso(T0 + 70_000) });
    expect((await race.store.listRuns('ten-0', { limit: 10 })).items).toHaveLength(6);
    expect(await race.store.getTask('at-0')).toMatchObject({ state: 'completed', runCount: 1 });
    await race.drop();
  });

  it('a tick starting while the previous one still fires its last second shares the batch, without repeats', async () => {
    await table.store.createTask(makeTask('overlap', T0, { schedule: { every: { seconds: 10 } } }));
    const clock = new HookedClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    let next: Promise<unknown> | undefined;
    clock.onSleep = async (at) => {
      // The first tick is about to fire 14:01:00; EventBridge starts the next tick right then.
      if (!next && at === T0 + 60_000) {
        clock.set(T0 + 60_000);
        next = tickWith(table, clock, invoker);
        await next;
      }
    };
    const first = await tickWith(table, clock, invoker);
    const second = (await next) as Awaited<ReturnType<typeof tickWith>>;
    const seconds = invoker.events.filter((e) => e.taskId === 'overlap').map((e) => e.scheduledAt);
    expect(seconds).toHaveLength(12);
    expect(new Set(seconds).size).toBe(12);
    expect(seconds).toContain(iso(T0 + 60_000));
    expect(seconds).toContain(iso(T0 + 70_000));
    // The second tick found the first one's claim alive and left it to it.
    expect(second.lost).toBeGreaterThanOrEqual(1);
    expect(first.delivered + second.delivered).toBeGreaterThanOrEqual(12);
    expect(await table.store.getTask('overlap')).toMatchObject({
      runCount: 12,
      lastRunAt: iso(T0 + 120_000),
      nextRunAt: iso(T0 + 130_000),
    });
  });

  it('fires every-N-seconds and 6-field cron occurrences at their second', async () => {
    await table.store.createTask(makeTask('secs', T0, { schedule: { every: { seconds: 15 } } }));
    await table.store.createTask(makeTask('cron6', T0, { schedule: { cron: '*/20 * * * * *' } }));
    const clock = new ManualClock(T0 + 500);
    const invoker = new RecordingInvoker();
    await tickWith(table, clock, invoker);
    const fired = (id: string) =>
      invoker.events.filter((e) => e.taskId === id).map((e) => [e.scheduledAt, e.firedAt]);
    expect(fired('secs')).toEqual([15, 30, 45, 60].map((s) => [iso(T0 + s * 1000), iso(T0 + s * 1000)]));
    expect(fired('cron6')).toEqual([20, 40, 60].map((s) => [iso(T0 + s * 1000), iso(T0 + s * 1000)]));
    // The next tick, a minute later, goes on without gap or repeat.
    clock.set(T0 + 60_500);
    await tickWith(table, clock, invoker);
    expect(fired('secs').map(([s]) => s)).toContain(iso(T0 + 75_000));
    expect(new Set(fired('secs').map(([s]) => s)).size).toBe(fired('secs').length);
  });
});

describe('at-least-once delivery', () => {
  it('re-delivers with the same runId after a tick dies between claim and invoke', async () => {
    await table.store.createTask(makeTask('crash', T0, { schedule: { at: iso(T0 + 5_000) } }));
    const clock = new ManualClock(T0 + 5_000);
    const invoker = new RecordingInvoker();
    let claimedRunId = '';
    const dead = await tickWith(table, clock, invoker, {
      faults: {
        afterClaim: (lease, taskId) => {
          if (taskId !== 'crash') return;
          claimedRunId = lease.runId;
          throw new Died('killed between claim and invoke');
        },
      },
    });
    expect(dead.claimed).toBeGreaterThanOrEqual(1);
    expect(invoker.events.filter((e) => e.taskId === 'crash')).toEqual([]);

    // While the lease holds, another tick leaves it alone (the holder might only be slow).
    clock.advance(30_000);
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'crash')).toEqual([]);

    clock.set(T0 + 5_000 + LEASE + 1);
    const report = await tickWith(table, clock, invoker);
    expect(report.redelivered).toBe(1);
    expect(invoker.events.filter((e) => e.taskId === 'crash')).toEqual([
      expect.objectContaining({ runId: claimedRunId, attempt: 2, scheduledAt: iso(T0 + 5_000) }),
    ]);
    expect(await table.store.getTask('crash')).toMatchObject({ state: 'completed', runCount: 1 });
    const runs = await table.store.listRuns('crash', { limit: 10 });
    expect(runs.items).toEqual([
      expect.objectContaining({ runId: claimedRunId, attempt: 2, status: 'delivered' }),
    ]);
    // And only once: the next tick finds nothing.
    clock.advance(LEASE * 2);
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'crash')).toHaveLength(1);
  });

  it('a tick dying in the middle of a batch loses nothing and repeats nothing it delivered', async () => {
    await table.store.createTask(makeTask('batch', T0, { schedule: { every: { seconds: 10 } } }));
    const clock = new ManualClock(T0 + 1_000);
    const invoker = new RecordingInvoker();
    await tickWith(table, clock, invoker, {
      faults: {
        afterClaim: (lease, taskId) => {
          if (taskId === 'batch' && lease.scheduledAt === T0 + 30_000) throw new Died('killed');
        },
      },
    });
    const of = () => invoker.events.filter((e) => e.taskId === 'batch').map((e) => e.scheduledAt);
    expect(of()).toEqual([iso(T0 + 10_000), iso(T0 + 20_000)]);
    clock.set(T0 + 30_000 + LEASE + 1);
    await tickWith(table, clock, invoker);
    const delivered = of();
    // :30 comes again (it was claimed, never invoked); :10 and :20 do not; missed ones coalesce.
    expect(delivered.slice(0, 3)).toEqual([iso(T0 + 10_000), iso(T0 + 20_000), iso(T0 + 30_000)]);
    expect(new Set(delivered).size).toBe(delivered.length);
    const redelivered = invoker.events.find((e) => e.scheduledAt === iso(T0 + 30_000));
    expect(redelivered?.attempt).toBe(2);
  });
});

describe('user writes racing the tick', () => {
  /** Runs a tick on `taskId` whose first claim stops while `during` runs (a user write). */
  async function raceTick(taskId: string, clock: ManualClock, during: () => Promise<void>) {
    const invoker = new RecordingInvoker();
    const report = await tickWith(table, clock, invoker, {
      faults: { afterClaim: async (_lease, id) => (id === taskId ? during() : undefined) },
    });
    return { invoker, report };
  }

  it('a delete while the tick holds the occurrence stays deleted', async () => {
    await table.store.createTask(makeTask('del', T0, { schedule: { every: { minutes: 5 } } }));
    const clock = new ManualClock(T0 + 300_000);
    await raceTick('del', clock, () => table.store.deleteTask('del'));
    expect(await table.store.getTask('del')).toBeUndefined();
    clock.advance(LEASE * 3);
    const again = new RecordingInvoker();
    await tickWith(table, clock, again);
    expect(again.events.filter((e) => e.taskId === 'del')).toEqual([]);
  });

  it('a pause while the tick holds the occurrence wins, and the run is still counted', async () => {
    await table.store.createTask(makeTask('pause', T0, { schedule: { every: { minutes: 5 } } }));
    const clock = new ManualClock(T0 + 300_000);
    // The API's own write path: a conditional read-modify-write of the task.
    await raceTick('pause', clock, async () => {
      await table.store.modifyTask('pause', (c) => pauseTask(c.task, clock.now()));
    });
    const task = await table.store.getDueTask('pause');
    expect(task?.task).toMatchObject({
      state: 'paused',
      version: 2,
      runCount: 1,
      lastRunAt: iso(T0 + 300_000),
    });
    expect(task?.dueAt).toBeUndefined();
  });

  it('a schedule change while the tick holds the occurrence is not lost, and nothing fires twice', async () => {
    await table.store.createTask(makeTask('patch', T0, { schedule: { every: { minutes: 5 } } }));
    const clock = new ManualClock(T0 + 300_000);
    const newNext = T0 + 420_000;
    const { invoker, report } = await raceTick('patch', clock, async () => {
      // PATCH anchors the new interval at startAt; 7 minutes after T0 is the next run.
      await table.store.modifyTask('patch', (c) =>
        applyPatch(c.task, { schedule: { every: { minutes: 7 } }, startAt: iso(T0) }, clock.now()),
      );
    });
    expect(report).toMatchObject({ claimed: 1, failed: 0 });
    expect(invoker.events.map((e) => e.taskId)).toContain('patch');
    const task = await table.store.getDueTask('patch');
    expect(task?.task).toMatchObject({
      schedule: { every: { minutes: 7 } },
      nextRunAt: iso(newNext),
      version: 2,
    });
    expect(task?.dueAt).toBe(newNext);
    expect(task?.task.lastRunAt).toBe(iso(T0 + 300_000));
  });

  it('a pause while the tick waits for a later second cancels the occurrences not fired yet', async () => {
    await table.store.createTask(makeTask('later', T0, { schedule: { every: { seconds: 20 } } }));
    const clock = new HookedClock(T0 + 1_000);
    let paused = false;
    clock.onSleep = async (at) => {
      if (!paused && at >= T0 + 40_000) {
        paused = true;
        await userWrite(table, 'later', 'SET #state = :paused REMOVE dueAt, dueShard', {
          ':paused': 'paused',
        });
      }
    };
    const invoker = new RecordingInvoker();
    const report = await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'later').map((e) => e.scheduledAt)).toEqual([
      iso(T0 + 20_000),
    ]);
    expect(report.cancelled).toBeGreaterThanOrEqual(2);
    expect(await table.store.getTask('later')).toMatchObject({ state: 'paused', runCount: 1 });
  });
});

describe('run now', () => {
  it('delivers a manual run of a paused task through the claim path, once, with the runId it returned', async () => {
    const t = makeTask('manual', T0, { schedule: { cron: '0 0 1 1 *' }, enabled: false });
    await table.store.createTask(t);
    const clock = new ManualClock(T0 + 10_000);
    const entry = await table.dispatch.enqueueManualRun('manual', clock.now());
    await expect(table.dispatch.enqueueManualRun('nope', clock.now())).rejects.toBeInstanceOf(
      TaskNotFoundError,
    );
    const invoker = new RecordingInvoker();
    let died = false;
    await tickWith(table, clock, invoker, {
      faults: {
        afterClaim: (_l, id) => {
          if (id === 'manual' && !died) {
            died = true;
            throw new Died('killed');
          }
        },
      },
    });
    expect(invoker.events.filter((e) => e.taskId === 'manual')).toEqual([]);
    clock.advance(LEASE + 1);
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'manual')).toEqual([
      expect.objectContaining({ runId: entry.runId, source: 'manual', attempt: 2 }),
    ]);
    const after = await table.store.getDueTask('manual');
    expect(after?.task.state).toBe('paused');
    expect(after?.dueAt).toBeUndefined();
    expect(after?.manualRuns).toEqual([]);
    clock.advance(LEASE * 2);
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'manual')).toHaveLength(1);
  });

  it('an acknowledgement never removes a run-now request it did not deliver, even at an equal queue size', async () => {
    await table.store.createTask(makeTask('manual-aba', T0, { schedule: { cron: '0 0 1 1 *' } }));
    const now = T0 + 10_000;
    const m1 = await table.dispatch.enqueueManualRun('manual-aba', now);
    const m2 = await table.dispatch.enqueueManualRun('manual-aba', now);
    const seenByB = await table.dispatch.readDueTask('manual-aba');
    if (!seenByB) throw new Error('no task');
    // Tick A delivers m1 and removes it; a third request in the same millisecond keeps size and dueAt.
    expect(await table.dispatch.acknowledge({ seen: seenByB, manualDone: 1 })).toBe(true);
    const m3 = await table.dispatch.enqueueManualRun('manual-aba', now);
    // Tick B, which read [m1, m2] and settled both, must not remove [m2, m3].
    await table.dispatch.acknowledge({ seen: seenByB, manualDone: 2 });
    const after = await table.dispatch.readDueTask('manual-aba');
    expect(after?.manualRuns.map((m) => m.runId)).toContain(m3.runId);
    expect(after?.manualRuns.map((m) => m.runId)).not.toContain(m1.runId);
    expect(m2.runId).not.toBe(m3.runId);
  });

  it('keeps the schedule of an active task and its place in the due index', async () => {
    await table.store.createTask(makeTask('manual-active', T0, { schedule: { every: { hours: 1 } } }));
    const clock = new ManualClock(T0 + 10_000);
    await table.dispatch.enqueueManualRun('manual-active', clock.now());
    const invoker = new RecordingInvoker();
    await tickWith(table, clock, invoker);
    expect(invoker.events.filter((e) => e.taskId === 'manual-active')).toEqual([
      expect.objectContaining({ source: 'manual', scheduledAt: iso(T0 + 10_000) }),
    ]);
    const after = await table.store.getDueTask('manual-active');
    expect(after?.task).toMatchObject({ nextRunAt: iso(T0 + 3_600_000), runCount: 0 });
    expect(after?.dueAt).toBe(T0 + 3_600_000);
  });
});
