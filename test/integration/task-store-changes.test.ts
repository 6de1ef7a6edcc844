import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskConflictError, VersionMismatchError } from '../../lib/errors';
import type { Lease } from '../../lib/store/items';
import { buildTask, toIso } from '../../lib/task/model';
import { applyPatch, pauseTask, resumeTask } from '../../lib/task/patch';
import { type Task, TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
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
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

/** Claims the task's next occurrence as a tick would. */
async function claim(id: string): Promise<Lease> {
  const seen = await table.store.getDueTask(id);
  if (!seen) throw new Error('no task');
  const lease: Lease = {
    runId: `run-${id}`,
    scheduledAt: seen.dueAt,
    source: 'schedule',
    attempt: 1,
    until: seen.dueAt + 300_000,
  };
  const won = await table.dispatch.claim(seen, lease, { nextRunAt: seen.dueAt + 300_000, runCount: 1 });
  expect(won).toBe(true);
  return lease;
}

describe('user changes racing the tick', () => {
  it('a PATCH during a lease keeps the lease and its dueAt, and the tick can still release it', async () => {
    await table.store.createTask(task('leased-patch'));
    const lease = await claim('leased-patch');
    const { task: patched } = await table.store.modifyTask(
      'leased-patch',
      (c) => applyPatch(c.task, { description: 'changed' }, T0),
      { expectedVersion: 1 },
    );
    expect(patched.version).toBe(2);
    const stored = await table.store.getDueTask('leased-patch');
    expect(stored).toMatchObject({
      lease,
      dueAt: lease.until,
      task: { description: 'changed', runCount: 1 },
    });

    await table.dispatch.release(stored?.task as Task, lease.runId);
    const released = await table.store.getDueTask('leased-patch');
    expect(released?.lease).toBeUndefined();
    expect(released?.task.version).toBe(2); // ticks never bump the version
  });

  it('a pause during a lease is not undone by the release', async () => {
    await table.store.createTask(task('leased-pause'));
    const lease = await claim('leased-pause');
    const before = await table.store.getDueTask('leased-pause');
    await table.store.modifyTask('leased-pause', (c) => pauseTask(c.task, T0));
    await table.dispatch.release(before?.task as Task, lease.runId);
    const after = await table.store.getDueTask('leased-pause');
    expect(after).toMatchObject({ task: { state: 'paused' }, dueAt: undefined, lease: undefined });

    const { task: resumed } = await table.store.modifyTask('leased-pause', (c) =>
      resumeTask(c.task, T0 + 60_000),
    );
    // 14:05 was claimed before the pause; resume goes on from the stored next run, never re-firing it.
    expect(resumed).toMatchObject({ state: 'active', nextRunAt: toIso(T0 + 600_000) });
    expect((await table.store.getDueTask('leased-pause'))?.dueAt).toBe(T0 + 600_000);
  });

  it('a claim between the read and the write makes the change re-read instead of overwriting it', async () => {
    await table.store.createTask(task('racy'));
    const stale = await table.store.getDueTask('racy');
    const lease = await claim('racy');
    let calls = 0;
    const { task: changed } = await table.store.modifyTask(
      'racy',
      (c) => {
        calls++;
        return applyPatch(c.task, { payload: { v: 2 } }, T0);
      },
      { seen: stale },
    );
    expect(calls).toBe(2);
    expect(changed.runCount).toBe(1); // computed from the claimed task, not the stale one
    expect(await table.store.getDueTask('racy')).toMatchObject({
      lease,
      task: { payload: { v: 2 }, version: 2 },
    });
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
