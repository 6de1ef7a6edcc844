import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskConflictError, TaskNotFoundError } from '../../lib/errors';
import { buildTask } from '../../lib/task/model';
import type { Task } from '../../lib/task/schemas';
import { TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from '../support/clock';
import { RecordingInvoker, TestDispatcher } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

const T0 = Date.parse('2026-12-01T14:00:00Z');

function task(id: string, over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    target: { function: 'sundial-target' },
    schedule: { at: '2026-12-01T14:01:00Z' },
    payload: { n: id },
    ...over,
  });
  return buildTask({ ...input, id }, T0);
}

let table: Awaited<ReturnType<typeof createTestTable>>;
beforeAll(async () => {
  table = await createTestTable({ shards: 8 });
});
afterAll(() => table.drop());

describe('TaskStore round trip', () => {
  it('creates, reads, lists, and deletes', async () => {
    const t = task('round-trip', {
      group: 'g1',
      payload: { big: 12345678901234567890n.toString(), deep: [[[1]]] },
    });
    await table.store.createTask(t);
    expect(await table.store.getTask('round-trip')).toEqual(t);
    const page = await table.store.listTasks({ group: 'g1', limit: 10 });
    expect(page.items.map((x) => x.id)).toEqual(['round-trip']);
    await table.store.deleteTask('round-trip');
    expect(await table.store.getTask('round-trip')).toBeUndefined();
  });

  it('refuses a second task with the same id and keeps the first', async () => {
    await table.store.createTask(task('dup', { description: 'first' }));
    await expect(table.store.createTask(task('dup', { description: 'second' }))).rejects.toBeInstanceOf(
      TaskConflictError,
    );
    expect((await table.store.getTask('dup'))?.description).toBe('first');
  });

  it('deleting an unknown task is a TaskNotFoundError', async () => {
    await expect(table.store.deleteTask('nope')).rejects.toBeInstanceOf(TaskNotFoundError);
  });

  it('pages through a list with cursors and no duplicates', async () => {
    for (let i = 0; i < 7; i++) await table.store.createTask(task(`page-${i}`, { group: 'paged' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.store.listTasks({ group: 'paged', limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `page-${i}`));
  });
});

describe('the hand-off race', () => {
  it('8 concurrent nudges over 100 due tasks hand each occurrence off once, and each fires once', async () => {
    const clock = new ManualClock(T0 + 50_000);
    const race = await createTestTable({ shards: 8, clock });
    const ids = Array.from({ length: 100 }, (_, i) => `race-${i}`);
    await Promise.all(ids.map((id) => race.store.createTask(task(id))));
    const invoker = new RecordingInvoker();
    const dispatcher = new TestDispatcher(race, clock, invoker);
    const reports = await Promise.all(
      Array.from({ length: 8 }, () => dispatcher.tick({ tasks: ids, nudge: true })),
    );
    expect(reports.reduce((sum, r) => sum + r.handedOff, 0)).toBe(100);
    await dispatcher.runUntil(T0 + 70_000);
    const delivered = invoker.events.map((e) => e.taskId);
    expect(delivered.length).toBe(100);
    expect(new Set(delivered).size).toBe(100);
    for (const id of ids.slice(0, 20)) {
      const stored = await race.store.getTask(id);
      expect(stored).toMatchObject({ state: 'completed', runCount: 1, nextRunAt: null });
      const runs = await race.store.listRuns(id, { limit: 10 });
      expect(runs.items).toHaveLength(1);
      expect(runs.items[0]).toMatchObject({
        status: 'delivered',
        attempt: 1,
        scheduledAt: '2026-12-01T14:01:00.000Z',
      });
    }
    // A later tick finds nothing left to do.
    expect((await dispatcher.tick()).handedOff).toBe(0);
    await race.drop();
  });
});
