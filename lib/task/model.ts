import { ValidationError } from '../errors';
import { basicSchedule, type CompiledSchedule, compileSchedule } from '../schedule';
import type { Task, TaskDefinition } from './schemas';

/** The parts of a task that decide when it fires. */
export type SchedulingFields = Pick<
  Task,
  'schedule' | 'timezone' | 'startAt' | 'endAt' | 'maxRuns' | 'createdAt'
> &
  Partial<Pick<Task, 'cronDayMatch'>>;

const ms = (iso: string | undefined | null) => (iso ? Date.parse(iso) : undefined);
export const toIso = (epochMs: number) => new Date(epochMs).toISOString();

/** Compiles the task's schedule; interval schedules are anchored at `startAt`, else at the creation second. */
export function compileTaskSchedule(task: SchedulingFields): CompiledSchedule {
  return compileSchedule({
    schedule: task.schedule,
    timezone: task.timezone,
    cronDayMatch: task.cronDayMatch,
    // Without startAt, the interval counts from the creation second: `every 5m` fires at :37, not :37.503.
    anchorAt: ms(task.startAt) ?? Math.floor((ms(task.createdAt) as number) / 1000) * 1000,
  });
}

/**
 * The first occurrence strictly after `after` that lies in the [startAt, endAt] window (both inclusive)
 * and within `maxRuns`, or null when the task will never fire again.
 */
export function nextRunAfter(
  task: SchedulingFields,
  after: number,
  runCount: number,
  compiled = compileTaskSchedule(task),
): number | null {
  if (task.maxRuns !== undefined && runCount >= task.maxRuns) return null;
  const startAt = ms(task.startAt);
  const from = startAt !== undefined ? Math.max(after, startAt - 1) : after;
  const next = compiled.next(from);
  const endAt = ms(task.endAt);
  if (next === null || (endAt !== undefined && next > endAt)) return null;
  return next;
}

/**
 * Builds a new stored task from validated input; throws when the schedule is invalid or could never
 * fire, so nothing is ever found wrong at fire time. With `runImmediately` the first run is at
 * creation (it counts towards maxRuns and ignores startAt), then the schedule is followed.
 */
export function buildTask(definition: TaskDefinition & { id: string }, now: number): Task {
  const createdAt = toIso(now);
  if (
    definition.startAt &&
    definition.endAt &&
    Date.parse(definition.endAt) < Date.parse(definition.startAt)
  ) {
    throw new ValidationError([{ path: 'endAt', message: 'must not be before startAt' }]);
  }
  const task: Task = {
    ...definition,
    ...('expression' in definition.schedule
      ? { normalizedSchedule: basicSchedule(definition.schedule) }
      : {}),
    state: 'active',
    nextRunAt: null,
    lastRunAt: null,
    runCount: 0,
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  const compiled = compileTaskSchedule(task);
  const endAt = ms(task.endAt);
  const next =
    definition.runImmediately && (endAt === undefined || now <= endAt)
      ? now
      : nextRunAfter(task, now, 0, compiled);
  if (next === null) {
    throw new ValidationError([
      { path: 'schedule', message: 'the schedule has no occurrence after now within startAt/endAt' },
    ]);
  }
  task.nextRunAt = toIso(next);
  if (!definition.enabled) task.state = 'paused';
  return task;
}
