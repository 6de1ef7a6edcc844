import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { buildTask } from '../../../lib/task/model';
import { rescheduleTask } from '../../../lib/task/reschedule';
import { type Task, TaskInput } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const task = (fields: Record<string, unknown> = {}, state: Partial<Task> = {}): Task => ({
  ...buildTask(
    {
      ...parseOrThrow(TaskInput, {
        target: { function: 'sundial-x' },
        schedule: { cron: '0 * * * *' },
        ...fields,
      }),
      id: 't',
    },
    T0,
  ),
  ...state,
});
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors[0];
  }
  throw new Error('expected a refusal');
};

describe('rescheduleTask: the next run set, the schedule kept', () => {
  it('sets nextRunAt, bumps the version and keeps the schedule', () => {
    const moved = rescheduleTask(task(), T0 + 90 * 60_000, T0 + 1000) as Task;
    expect(moved).toMatchObject({
      nextRunAt: '2026-06-01T01:30:00.000Z',
      version: 2,
      schedule: { cron: '0 * * * *' },
    });
    expect(moved.updatedAt).toBe('2026-06-01T00:00:01.000Z');
    expect(rescheduleTask(moved, T0 + 90 * 60_000, T0 + 2000)).toBeUndefined();
  });

  it('keeps a paused task paused and makes a completed one active again', () => {
    expect(rescheduleTask(task({ enabled: false }), T0 + 60_000, T0)).toMatchObject({ state: 'paused' });
    const done = task(
      { schedule: { at: '2026-06-01T00:30:00Z' } },
      { state: 'completed', nextRunAt: null, runCount: 1 },
    );
    expect(rescheduleTask(done, T0 + 3_600_000, T0)).toMatchObject({
      state: 'active',
      nextRunAt: '2026-06-01T01:00:00.000Z',
    });
  });

  it.each([
    [{ maxRuns: 1 }, { runCount: 1 }, T0 + 60_000, /already run maxRuns \(1\) times/],
    [{ startAt: '2026-07-01T00:00:00Z' }, {}, T0 + 60_000, /before startAt/],
    [{ endAt: '2026-06-02T00:00:00Z' }, {}, T0 + 2 * 86_400_000, /after endAt/],
    [{}, { lastRunAt: '2026-06-01T05:00:00.000Z' }, T0 + 5 * 3_600_000, /after the task's last run/],
  ])('refuses %j %j', (fields, state, at, message) => {
    const error = refusal(() =>
      rescheduleTask(task(fields, state as Partial<Task>), at, T0, 'tasks.3.nextRunAt'),
    );
    expect(error).toMatchObject({ path: 'tasks.3.nextRunAt' });
    expect(error?.message).toMatch(message);
  });
});
