import { compileTaskSchedule, nextRunAfter, type SchedulingFields } from './model';

/** One occurrence to deliver: when it was scheduled, and when to fire it (later with jitter). */
export interface PlannedFire {
  scheduledAt: number;
  fireAt: number;
}

export interface DuePlan {
  /** Occurrences to claim and deliver now, ascending by `scheduledAt`. */
  fire: PlannedFire[];
  /** Missed occurrences dropped by the misfire policy. */
  skipped: number;
  /** The first occurrence after everything above, or null when the task is done. */
  nextRunAt: number | null;
  /** The run count after the fired occurrences. */
  runCount: number;
}

/** At most this many occurrences are planned in one claim. */
export const MAX_FIRES_PER_PLAN = 60;

/**
 * Decides what a tick does with a task whose next occurrence `dueAt` it found at `now`: the occurrences
 * to fire (missed ones per the misfire policy, then every further one up to `horizon`) and the next one.
 * Pure: the tick, the preview and the tests all call it.
 *
 * Today's policy: missed occurrences are coalesced into one, fired at once.
 */
export function planDue(
  task: SchedulingFields & { runCount: number },
  dueAt: number,
  now: number,
  horizon: number = now,
): DuePlan {
  const compiled = compileTaskSchedule(task);
  const fire: PlannedFire[] = [];
  let runCount = task.runCount;
  if (dueAt > horizon) return { fire, skipped: 0, nextRunAt: dueAt, runCount };
  fire.push({ scheduledAt: dueAt, fireAt: dueAt });
  runCount++;
  // Occurrences missed between dueAt and now are coalesced into the one above.
  let next = nextRunAfter(task, Math.max(dueAt, now), runCount, compiled);
  while (next !== null && next <= horizon && fire.length < MAX_FIRES_PER_PLAN) {
    fire.push({ scheduledAt: next, fireAt: next });
    runCount++;
    next = nextRunAfter(task, next, runCount, compiled);
  }
  return { fire, skipped: 0, nextRunAt: next, runCount };
}
