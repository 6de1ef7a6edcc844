import { ValidationError } from '../errors';
import {
  basicSchedule,
  type CompiledSchedule,
  compileSchedule,
  instantOf,
  type SearchBudget,
  UNBOUNDED,
} from '../schedule';
import type { Task, TaskDefinition } from './schemas';

/** The parts of a task that decide when it fires. */
export type SchedulingFields = Pick<
  Task,
  'schedule' | 'timezone' | 'startAt' | 'endAt' | 'maxRuns' | 'createdAt'
> &
  Partial<Pick<Task, 'cronDayMatch'>>;

const ms = (iso: string | undefined | null) => (iso ? instantOf(iso) : undefined);
export const toIso = (epochMs: number) => new Date(epochMs).toISOString();

/**
 * Compiles the task's schedule; interval schedules are anchored at `startAt`, else at the creation
 * second. `budget` bounds the searching one request may do (see SearchBudget).
 */
export function compileTaskSchedule(
  task: SchedulingFields,
  budget: SearchBudget = UNBOUNDED,
): CompiledSchedule {
  return compileSchedule(
    {
      schedule: task.schedule,
      timezone: task.timezone,
      cronDayMatch: task.cronDayMatch,
      // Without startAt, the interval counts from the creation second: `every 5m` fires at :37, not :37.503.
      anchorAt: ms(task.startAt) ?? Math.floor((ms(task.createdAt) as number) / 1000) * 1000,
    },
    budget,
  );
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

/** The window rule create, change and preview share: `endAt` must not be before `startAt`. */
export function checkWindow(fields: Partial<Pick<Task, 'startAt' | 'endAt'>>): void {
  if (fields.startAt && fields.endAt && instantOf(fields.endAt) < instantOf(fields.startAt)) {
    throw new ValidationError([{ path: 'endAt', message: 'must not be before startAt' }]);
  }
}

/** The refusal of a schedule with nothing left to run (create, change and preview alike). */
export function noOccurrenceError(): ValidationError {
  return new ValidationError([
    {
      path: 'schedule',
      message: 'the schedule has no occurrence after now within startAt/endAt (and before the year 10000)',
    },
  ]);
}

/**
 * The first run of a task created at `now`: at creation with `runImmediately` (it counts towards
 * maxRuns and ignores startAt), else the schedule's first occurrence in the window. Throws when the
 * window is inverted or nothing is left to run, so nothing is ever found wrong at fire time.
 */
export function firstRunAt(
  task: SchedulingFields & Partial<Pick<Task, 'runImmediately'>>,
  now: number,
  compiled: CompiledSchedule,
): number {
  checkWindow(task);
  const endAt = ms(task.endAt);
  const next =
    task.runImmediately && (endAt === undefined || now <= endAt) ? now : nextRunAfter(task, now, 0, compiled);
  if (next === null) throw noOccurrenceError();
  return next;
}

/**
 * Builds a new stored task from validated input; throws when the schedule is invalid or could never
 * fire. `budget` bounds the schedule search of the request.
 */
export function buildTask(
  definition: TaskDefinition & { id: string },
  now: number,
  budget: SearchBudget = UNBOUNDED,
): Task {
  const createdAt = toIso(now);
  checkWindow(definition);
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
  task.nextRunAt = toIso(firstRunAt(task, now, compileTaskSchedule(task, budget)));
  if (!definition.enabled) task.state = 'paused';
  return task;
}
