import { ValidationError } from '../errors';
import { instantOf } from '../schedule';
import { toIso } from './model';
import type { Task } from './schemas';

/**
 * Sets a task's next run to `nextRunAt` without touching its schedule (APScheduler's `next_run_time`):
 * the task fires then, and the schedule resumes from there. The time must lie in the task's
 * [startAt, endAt] window and after its last run, and the task must have runs left under maxRuns. A
 * paused task stays paused (resume keeps a next run still ahead); a completed one becomes active again.
 * `path` names the field in errors. Returns undefined when the task already has this next run.
 */
export function rescheduleTask(
  current: Task,
  nextRunAt: number,
  now: number,
  path = 'nextRunAt',
): Task | undefined {
  const refuse = (message: string): never => {
    throw new ValidationError([{ path, message }]);
  };
  if (current.maxRuns !== undefined && current.runCount >= current.maxRuns) {
    refuse(`the task has already run maxRuns (${current.maxRuns}) times`);
  }
  if (current.startAt && nextRunAt < instantOf(current.startAt))
    refuse(`must not be before startAt (${current.startAt})`);
  if (current.endAt && nextRunAt > instantOf(current.endAt))
    refuse(`must not be after endAt (${current.endAt})`);
  // An occurrence already delivered is never delivered again under a new claim.
  if (current.lastRunAt && nextRunAt <= instantOf(current.lastRunAt)) {
    refuse(`must be after the task's last run (${current.lastRunAt})`);
  }
  const state = current.enabled ? 'active' : 'paused';
  if (current.nextRunAt === toIso(nextRunAt) && current.state === state) return undefined;
  return {
    ...current,
    nextRunAt: toIso(nextRunAt),
    state,
    updatedAt: toIso(now),
    version: current.version + 1,
  };
}
