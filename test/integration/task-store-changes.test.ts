import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskConflictError, VersionMismatchError } from '../../lib/errors';
import { buildTask, toIso } from '../../lib/task/model';
import { applyPatch, pauseTask, resumeTask } from '../../lib/task/patch';
import { type Task, TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from '../support/clock';
import { RecordingInvoker, TestDispatcher } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');

function task(id: string, over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    target: { function: 'sundial-target' },
    schedule: { every: { minutes: 5 } },
    ...over,
  });
  return buildTask({ ...input, id }, T0);
}

let table: Awaited<ReturnType<typeof createTestTable>>;
const clock = new ManualClock(T0);
beforeAll(async () => {
  table = await createTestTable({ clock });
});

/** A tick at `at` and the fires it handed off, delivered. */
async function tickAt(at: number) {
  clock.set(at);
  const dispatcher = new TestDispatcher(table, clock, new RecordingInvoker());
  const report = await dispatcher.tick();
  await dispatcher.deliverVisible();
  return report;
}
afterAll(() => table.drop());

describe('user changes racing the tick', () => {
  it('a tick acknowledging between the read and the write makes the change re-read instead of overwriting it', async () => {
    await table.store.createTask(task('racy'));
    const stale = await table.store.getDueTask('racy');
    expect(await tickAt(T0 + 300_000)).toMatchObject({ handedOff: 1 });
    let calls = 0;
    const { task: changed } = await table.store.modifyTask(
      'racy',
      (c) => {
        calls++;
        return applyPatch(c.task, { payload: { v: 2 } }, clock.now());
      },
      { seen: stale },
    );
    expect(calls).toBe(2);
    expect(changed).toMatchObject({ runCount: 1, lastRunAt: toIso(T0 + 300_000), version: 2 }); // not the stale copy
    expect(await table.store.getDueTask('racy')).toMatchObject({
      dueAt: T0 + 600_000,
      task: { payload: { v: 2 }, nextRunAt: toIso(T0 + 600_000) },
    });
  });

  it('a resume after a delivered occurrence never plans it again', async () => {
    await table.store.createTask(task('resumed'));
    await tickAt(T0 + 300_000);
    await table.store.modifyTask('resumed', (c) => pauseTask(c.task, clock.now()));
    expect((await table.store.getDueTask('resumed'))?.dueAt).toBeUndefined();
    const { task: resumed } = await table.store.modifyTask('resumed', (c) =>
      resumeTask(c.task, T0 + 301_000),
    );
    expect(resumed).toMatchObject({ state: 'active', nextRunAt: toIso(T0 + 600_000) });
    expect((await table.store.getDueTask('resumed'))?.dueAt).toBe(T0 + 600_000);
  });

  it('If-Match on a version someone else moved past is a VersionMismatchError', async () => {
    await table.store.createTask(task('versioned'));
    await table.store.modifyTask('versioned', (c) => applyPatch(c.task, { description: 'a' }, T0));
    await expect(
      table.store.modifyTask('versioned', (c) => applyPatch(c.task, { description: 'b' }, T0), {
        expectedVersion: 1,
      }),
    ).rejects.toBeInstanceOf(VersionMismatchError);
  });
});

describe('batch create and replace', () => {
  it('writes nothing when one id exists, and replaces as version + 1 with replaceExisting', async () => {
    await table.store.createTask(task('exists', { description: 'old' }));
    await expect(table.store.createTasks([task('new-1'), task('exists')])).rejects.toBeInstanceOf(
      TaskConflictError,
    );
    expect(await table.store.getTask('new-1')).toBeUndefined();

    const written = await table.store.createTasks(
      [task('new-1'), task('exists', { description: 'new' })],
      true,
    );
    expect(written.map((t) => t.version)).toEqual([1, 2]);
    expect(await table.store.getTask('exists')).toMatchObject({ description: 'new', version: 2 });
  });
});
