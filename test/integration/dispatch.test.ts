import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskService } from '../../lib/api/task-service';
import { TaskNotFoundError } from '../../lib/errors';
import { COMMITTED_AHEAD_MS } from '../../lib/task/in-flight';
import { ManualClock } from '../support/clock';
import { makeTask, RecordingInvoker, TestDispatcher, type TestTable, userWrite } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const keyOf = (e: { taskId: string; scheduledAt: string }) => `${e.taskId}@${e.scheduledAt}`;

let clock: ManualClock;
let table: TestTable;
beforeAll(async () => {
  clock = new ManualClock(T0);
  table = await createTestTable({ shards: 4, clock });
});
afterAll(() => table.drop());

/** A dispatcher over `table` whose tasks are created at the clock's time through the real model. */
function setup(start: number) {
  clock.set(start);
  const invoker = new RecordingInvoker();
  const dispatcher = new TestDispatcher(table, clock, invoker);
  const service = new TaskService({
    store: table.store,
    clock,
    targetPrefixes: ['sundial-'],
    fireQueue: dispatcher.queue,
    nudge: async (request) => void (await dispatcher.tick(request)),
  });
  return { invoker, dispatcher, service };
}

function expectOnceEach(events: { taskId: string; scheduledAt: string; runId: string }[]) {
  const keys = events.map(keyOf);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(events.map((e) => e.runId)).size).toBe(keys.length);
}

describe('hand-offs are claims: each occurrence fires once', () => {
  it('8 concurrent ticks and 8 concurrent nudges hand each occurrence off once; each fires once, at its second', {
    timeout: 120_000,
  }, async () => {
    const race = await createTestTable({ shards: 8, clock });
    clock.set(T0);
    const tasks = [
      ...Array.from({ length: 40 }, (_, i) =>
        makeTask(`at-${i}`, T0, { schedule: { at: iso(T0 + 20_000) } }),
      ),
      ...Array.from({ length: 40 }, (_, i) => makeTask(`min-${i}`, T0, { schedule: { cron: '* * * * *' } })),
      ...Array.from({ length: 20 }, (_, i) =>
        makeTask(`ten-${i}`, T0, { schedule: { every: { seconds: 10 } } }),
      ),
    ];
    await Promise.all(tasks.map((t) => race.store.createTask(t)));
    clock.set(T0 + 1_000);
    const invoker = new RecordingInvoker();
    const dispatcher = new TestDispatcher(race, clock, invoker);
    const ids = tasks.map((t) => t.id).slice(0, 100);
    const reports = await Promise.all([
      ...Array.from({ length: 8 }, () => dispatcher.tick()),
      ...Array.from({ length: 8 }, () => dispatcher.tick({ tasks: ids, nudge: true })),
    ]);
    await dispatcher.runUntil(T0 + 121_000);
    expectOnceEach(invoker.events);
    // Look-ahead 120 s from 14:00:01: the one-offs at :20, the per-minute ones at 14:01 and 14:02, the
    // every-10-s ones 12 times (14:00:10 … 14:02:00).
    expect(invoker.events).toHaveLength(40 + 40 * 2 + 20 * 12);
    expect(reports.slice(0, 8).filter((r) => r.overlapped === 0)).toHaveLength(1);
    for (const e of invoker.events) {
      expect(e.attempt).toBe(1);
      expect(Date.parse(e.firedAt)).toBe(Date.parse(e.scheduledAt));
    }
    expect(await race.store.getTask('ten-0')).toMatchObject({
      runCount: 12,
      lastRunAt: iso(T0 + 120_000),
      nextRunAt: iso(T0 + 130_000),
    });
    expect((await race.store.listRuns('ten-0', { limit: 20 })).items).toHaveLength(12);
    expect(await race.store.getTask('at-0')).toMatchObject({ state: 'completed', runCount: 1 });
    await race.drop();
  });

  it('a tick starting while another still hands off the same shards skips them: no refused hand-off', async () => {
    const { invoker, dispatcher } = setup(T0 + 200_000);
    const tasks = Array.from({ length: 30 }, (_, i) =>
      makeTask(`overlap-${i}`, clock.now(), { schedule: { every: { seconds: 10 } } }),
    );
    await Promise.all(tasks.map((t) => table.store.createTask(t)));
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached = () => {};
    const holding = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const slow = new TestDispatcher(table, clock, invoker, {
      tick: {
        faults: {
          afterSend: () => {
            reached();
            return held;
          },
        },
      },
      tickOptions: { chunkSize: 10, chunks: 1 },
    });
    const first = slow.tick();
    await holding; // the first tick holds its lease and has sent its first chunk
    const second = await dispatcher.tick();
    release();
    const report = await first;
    expect(second).toMatchObject({ overlapped: 1, refused: 0, handedOff: 0 });
    expect(report.refused).toBe(0);
    expect(report.handedOff).toBeGreaterThan(0);
  });

  it('fires every-N-seconds and 6-field cron occurrences at their second', async () => {
    const { invoker, dispatcher } = setup(T0 + 400_000);
    await table.store.createTask(makeTask('secs', clock.now(), { schedule: { cron: '*/15 * * * * *' } }));
    await dispatcher.tick();
    await dispatcher.runTicksUntil(clock.now() + 180_000);
    const mine = invoker.events.filter((e) => e.taskId === 'secs');
    expect(mine.length).toBe(12);
    for (const e of mine) {
      expect(new Date(e.scheduledAt).getUTCSeconds() % 15).toBe(0);
      expect(e.firedAt).toBe(e.scheduledAt);
    }
    expectOnceEach(mine);
  });
});

describe('at-least-once', () => {
  it('a worker dying after the invoke re-delivers with the same runId and attempt 2, recorded once', async () => {
    const { invoker } = setup(T0 + 600_000);
    let kills = 1;
    const dying = new TestDispatcher(table, clock, invoker, {
      fire: {
        faults: {
          afterInvoke: (taskId) => {
            if (taskId === 'dies' && kills-- > 0) throw new Error('killed');
          },
        },
      },
    });
    await table.store.createTask(
      makeTask('dies', clock.now(), { schedule: { at: iso(clock.now() + 10_000) } }),
    );
    await dying.tick();
    await dying.runUntil(clock.now() + 10_000 + 200_000);
    const mine = invoker.events.filter((e) => e.taskId === 'dies');
    expect(mine.map((e) => e.attempt)).toEqual([1, 2]);
    expect(new Set(mine.map((e) => e.runId)).size).toBe(1);
    const runs = (await table.store.listRuns('dies', { limit: 10 })).items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'delivered', attempt: 2 });
  });

  it('a tick dying between sending and recording loses nothing: the next tick hands off again, fired once', async () => {
    const { invoker, dispatcher } = setup(T0 + 1_000_000);
    const dying = new TestDispatcher(table, clock, invoker, {
      tick: {
        faults: {
          afterSend: () => {
            throw new Error('killed');
          },
        },
      },
    });
    await table.store.createTask(
      makeTask('orphan', clock.now(), { schedule: { at: iso(clock.now() + 90_000) } }),
    );
    await expect(dying.tick()).rejects.toThrow('killed');
    // Its lease runs out; the messages it sent are void (their token never landed on the task).
    await dying.runUntil(clock.now() + 61_000);
    await dispatcher.tick();
    await dispatcher.runUntil(clock.now() + 120_000);
    const mine = invoker.events.filter((e) => e.taskId === 'orphan');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.firedAt).toBe(mine[0]?.scheduledAt);
    expect(await table.store.getTask('orphan')).toMatchObject({ state: 'completed', runCount: 1 });
  });
});

describe('user writes after a hand-off', () => {
  it('a delete stays deleted and nothing of it fires', async () => {
    const { invoker, dispatcher, service } = setup(T0 + 2_000_000);
    await table.store.createTask(makeTask('gone', clock.now(), { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    await service.deleteTask('gone');
    await dispatcher.runUntil(clock.now() + 130_000);
    expect(invoker.events.filter((e) => e.taskId === 'gone')).toHaveLength(0);
    await expect(service.getTask('gone')).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it(`a pause takes back every handed-off fire after ${COMMITTED_AHEAD_MS} ms; counters show what ran`, async () => {
    const start = T0 + 3_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.store.createTask(makeTask('paused', start, { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    await dispatcher.runUntil(start + 25_000);
    const paused = await service.pauseTask('paused');
    await dispatcher.runUntil(start + 200_000);
    const mine = invoker.events.filter((e) => e.taskId === 'paused');
    expect(mine.map((e) => e.scheduledAt)).toEqual([iso(start + 10_000), iso(start + 20_000)]);
    expect(paused).toMatchObject({ state: 'paused', runCount: 2, lastRunAt: iso(start + 20_000) });
    expect(await service.getTask('paused')).toMatchObject({ runCount: 2, nextRunAt: iso(start + 30_000) });
  });

  it('resume under `once` fires one paused-over occurrence, under `skip` none, at their second', async () => {
    const start = T0 + 4_000_000;
    const { invoker, dispatcher, service } = setup(start);
    for (const policy of ['once', 'skip'] as const) {
      await table.store.createTask(
        makeTask(`resume-${policy}`, start, { schedule: { every: { seconds: 10 } }, misfire: { policy } }),
      );
      await service.pauseTask(`resume-${policy}`);
    }
    clock.set(start + 185_000);
    for (const policy of ['once', 'skip']) await service.resumeTask(`resume-${policy}`);
    await dispatcher.runUntil(start + 200_000);
    const fired = (id: string) => invoker.events.filter((e) => e.taskId === id).map((e) => e.scheduledAt);
    // Paused over 18 occurrences: `once` fires the latest (:180) at once, then :190, :200 at their second.
    expect(fired('resume-once')).toEqual([iso(start + 180_000), iso(start + 190_000), iso(start + 200_000)]);
    expect(fired('resume-skip')).toEqual([iso(start + 190_000), iso(start + 200_000)]);
    for (const e of invoker.events.filter((x) => x.taskId === 'resume-skip'))
      expect(e.firedAt).toBe(e.scheduledAt);
  });

  it('a schedule change takes back the old fires and fires the new schedule at its seconds, none twice', async () => {
    const start = T0 + 5_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.store.createTask(makeTask('changed', start, { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    await dispatcher.runUntil(start + 15_000);
    await service.updateTask('changed', { schedule: { every: { seconds: 4 } } });
    await dispatcher.runTicksUntil(start + 100_000);
    const fired = invoker.events.filter((e) => e.taskId === 'changed');
    expectOnceEach(fired);
    const after = fired.filter((e) => Date.parse(e.scheduledAt) > start + 15_000 + COMMITTED_AHEAD_MS);
    expect(after.length).toBeGreaterThan(15);
    // The new schedule is anchored at creation (every 4 s from `start`): no fire of the old one (:20, :30…)
    // unless it is also one of the new.
    for (const e of after) expect((Date.parse(e.scheduledAt) - start) % 4_000).toBe(0);
    for (const e of fired) expect(e.firedAt).toBe(e.scheduledAt);
  });

  it('a change that does not touch the schedule keeps every handed-off fire', async () => {
    const start = T0 + 6_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.store.createTask(makeTask('described', start, { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    await dispatcher.runUntil(start + 15_000);
    const changed = await service.updateTask('described', { description: 'still firing', payload: { v: 2 } });
    expect(changed).toMatchObject({ runCount: 1, nextRunAt: iso(start + 20_000) });
    await dispatcher.runUntil(start + 120_000);
    const fired = invoker.events.filter((e) => e.taskId === 'described');
    expect(fired).toHaveLength(12);
    expect(fired.at(-1)?.payload).toEqual({ v: 2 });
    expect(await service.getTask('described')).toMatchObject({ runCount: 12, version: 2 });
  });

  it('a task replaced under its id gets none of the old fires', async () => {
    const start = T0 + 7_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.store.createTask(makeTask('replaced', start, { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    clock.set(start + 5_000);
    await service.createTask({
      id: 'replaced',
      replaceExisting: true,
      target: { function: 'sundial-target' },
      schedule: { at: iso(start + 30_000) },
      payload: { second: true },
    });
    await dispatcher.runUntil(start + 130_000);
    const fired = invoker.events.filter((e) => e.taskId === 'replaced');
    expect(fired.map((e) => e.scheduledAt)).toEqual([iso(start + 30_000)]);
    expect(fired[0]?.payload).toEqual({ second: true });
  });
});

describe('new work fires at its second, without waiting for the next tick', () => {
  it('created, changed or resumed 5 s before its occurrence', async () => {
    const start = T0 + 8_000_000;
    const { invoker, dispatcher, service } = setup(start);
    const target = { function: 'sundial-target' };
    await service.createTask({ id: 'new-at', target, schedule: { at: iso(start + 5_000) } });
    await service.createTask({ id: 'new-cron', target, schedule: { cron: '*/10 * * * * *' } });
    await service.createTask({ id: 'patched', target, schedule: { at: iso(start + 3_600_000) } });
    await service.updateTask('patched', { schedule: { at: iso(start + 5_000) } });
    await service.createTask({ id: 'resumed', target, schedule: { at: iso(start + 5_000) }, enabled: false });
    await service.resumeTask('resumed');
    await dispatcher.runUntil(start + 10_000);
    for (const id of ['new-at', 'patched', 'resumed']) {
      const [event] = invoker.events.filter((e) => e.taskId === id);
      expect(event?.firedAt, id).toBe(iso(start + 5_000));
    }
    expect(invoker.events.filter((e) => e.taskId === 'new-cron').map((e) => e.firedAt)).toEqual([
      iso(start + 10_000),
    ]);
  });

  it('with the scheduler paused, nothing scheduled fires; a run-now still does', async () => {
    const start = T0 + 9_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.dispatch.markScheduler({ paused: true, since: start });
    clock.set(start + 10_000);
    await service.createTask({
      id: 'quiet',
      target: { function: 'sundial-target' },
      schedule: { at: iso(start + 15_000) },
    });
    const run = await service.runTask('quiet');
    await dispatcher.runUntil(start + 30_000);
    expect(invoker.events.filter((e) => e.taskId === 'quiet')).toEqual([
      expect.objectContaining({ source: 'manual', runId: run.runId }),
    ]);
    await table.dispatch.markScheduler({ paused: false, since: clock.now() });
  });

  it('a paused scheduler gives handed-off fires back to their task; on resume the misfire policy fires one', async () => {
    const start = T0 + 10_000_000;
    const { invoker, dispatcher } = setup(start);
    await table.store.createTask(makeTask('held-back', start, { schedule: { every: { seconds: 10 } } }));
    await dispatcher.tick();
    await dispatcher.runUntil(start + 25_000);
    await table.dispatch.markScheduler({ paused: true, since: clock.now() });
    await dispatcher.runUntil(start + 130_000);
    expect(invoker.events.filter((e) => e.taskId === 'held-back')).toHaveLength(2);
    expect(await table.store.getTask('held-back')).toMatchObject({
      runCount: 2,
      nextRunAt: iso(start + 30_000),
    });
    await table.dispatch.markScheduler({ paused: false, since: clock.now() });
    await dispatcher.tick();
    await dispatcher.runUntil(start + 140_000);
    const fired = invoker.events.filter((e) => e.taskId === 'held-back').map((e) => e.scheduledAt);
    // Misfire `once` (grace 300 s): the paused-over occurrences are on time, so they all fire; the point
    // is that none was lost and none fired twice.
    expect(new Set(fired).size).toBe(fired.length);
    expect(fired).toContain(iso(start + 140_000));
  });
});

describe('run now', () => {
  it('delivers a manual run of a paused task once, with the runId it returned; the schedule is untouched', async () => {
    const start = T0 + 11_000_000;
    const { invoker, dispatcher, service } = setup(start);
    await table.store.createTask(makeTask('manual', start, { schedule: { every: { seconds: 10 } } }));
    await service.pauseTask('manual');
    const before = await service.getTask('manual');
    const run = await service.runTask('manual');
    await dispatcher.runUntil(start + 5_000);
    expect(invoker.events.filter((e) => e.taskId === 'manual')).toEqual([
      expect.objectContaining({ runId: run.runId, source: 'manual', attempt: 1 }),
    ]);
    expect(await service.getTask('manual')).toEqual(before);
    await expect(service.runTask('nope')).rejects.toBeInstanceOf(TaskNotFoundError);
  });
});

describe('a task that stops advancing is visible', () => {
  it('the tick logs an active task whose nextRunAt is not after its lastRunAt as an error, and counts it', async () => {
    const start = T0 + 12_000_000;
    clock.set(start);
    await table.store.createTask(makeTask('stuck', start, { schedule: { every: { minutes: 1 } } }));
    // What the bug of issue 8 left behind: a task whose counters moved past its next run.
    await userWrite(table, 'stuck', 'SET lastRunAt = :last, nextRunAt = :next, dueAt = :due', {
      ':last': iso(start + 60_000),
      ':next': iso(start + 60_000),
      ':due': start + 60_000,
    });
    const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
    const dispatcher = new TestDispatcher(table, clock, new RecordingInvoker(), {
      tick: { log: (level, message, fields) => void logged.push({ level, message, fields }) },
    });
    expect(await dispatcher.tick()).toMatchObject({ stalled: 1 });
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 'error', message: expect.stringContaining('stopped advancing') }),
    );
  });
});
