import { createHash } from 'node:crypto';
import { compileTaskSchedule, nextRunAfter, type SchedulingFields } from './model';
import type { Misfire, Task } from './schemas';

/** One occurrence to deliver: when it was scheduled, and when to fire it (moved by jitter). */
export interface PlannedFire {
  scheduledAt: number;
  fireAt: number;
}

export interface DuePlan {
  /** Occurrences to claim and deliver now, ascending by `scheduledAt`. */
  fire: PlannedFire[];
  /** Missed occurrences dropped by the misfire policy (a lower bound past MAX_LATE_SCAN). */
  skipped: number;
  /** The first occurrence after everything above, or null when the task is done. */
  nextRunAt: number | null;
  /** The run count after the fired occurrences. */
  runCount: number;
  /** How many of `fire` were late (more than graceSeconds behind `now`) and kept by the policy. */
  late: number;
}

/** What planning needs of a task: its scheduling fields, identity (for jitter) and counters. */
export type PlanTask = SchedulingFields &
  Pick<Task, 'id' | 'runCount'> &
  Partial<Pick<Task, 'nextRunAt' | 'jitterSeconds' | 'runImmediately'>> & { misfire?: Misfire };

/** At most this many on-time occurrences are planned in one claim (late ones kept come on top). */
export const MAX_FIRES_PER_PLAN = 180;
/** Policy `all` delivers at most this many missed occurrences, the most recent; older ones are skipped. */
export const MISFIRE_ALL_CAP = 100;
/** Missed occurrences counted one by one before the plan jumps to the present. */
export const MAX_LATE_SCAN = 10_000;
export const DEFAULT_MISFIRE: Misfire = { graceSeconds: 300, policy: 'once' };

/**
 * When occurrence `scheduledAt` of `task` fires: `scheduledAt` moved by a deterministic offset in
 * [-jitterSeconds, +jitterSeconds], derived from the task id and the occurrence, so every tick (and a
 * retried one) computes the same time. The run at creation of `runImmediately` is never moved.
 */
export function fireTimeOf(
  task: Pick<Task, 'id' | 'createdAt'> & Partial<Pick<Task, 'jitterSeconds' | 'runImmediately'>>,
  scheduledAt: number,
): number {
  const jitter = task.jitterSeconds ?? 0;
  if (jitter === 0) return scheduledAt;
  if (task.runImmediately && scheduledAt === Date.parse(task.createdAt)) return scheduledAt;
  const digest = createHash('sha256').update(`${task.id}\n${scheduledAt}`).digest();
  const unit = digest.readUInt32BE(0) / 2 ** 32; // uniform in [0, 1)
  return scheduledAt + Math.round((2 * unit - 1) * jitter * 1000);
}

/**
 * Decides what a tick does with a due task at `now`: the occurrences to fire and the next one.
 * The first occurrence is `task.nextRunAt` (`dueAt`, the index key, is only a fallback: with jitter it
 * is the fire time, not the occurrence). Occurrences whose fire time is more than `misfire.graceSeconds`
 * before `now` are late, and the policy decides: `skip` drops them, `once` fires the most recent one,
 * `all` fires them all up to MISFIRE_ALL_CAP (the most recent). Then every occurrence firing by `horizon`
 * is planned (look-ahead), up to MAX_FIRES_PER_PLAN. Pure: the tick, the preview and the tests call it.
 */
export function planDue(task: PlanTask, dueAt: number, now: number, horizon: number = now): DuePlan {
  const compiled = compileTaskSchedule(task);
  const misfire = task.misfire ?? DEFAULT_MISFIRE;
  const lateBefore = now - misfire.graceSeconds * 1000;
  const at = (scheduledAt: number): PlannedFire => ({ scheduledAt, fireAt: fireTimeOf(task, scheduledAt) });
  const first = task.nextRunAt ? Date.parse(task.nextRunAt) : dueAt;
  let runCount = task.runCount;
  if (fireTimeOf(task, first) > horizon) return { fire: [], skipped: 0, nextRunAt: first, runCount, late: 0 };

  const late: PlannedFire[] = [];
  let lateCount = 0;
  let next: number | null = first;
  let jumped = false;
  while (next !== null && fireTimeOf(task, next) < lateBefore) {
    lateCount++;
    late.push(at(next));
    if (late.length > MISFIRE_ALL_CAP) late.shift();
    if (lateCount === MAX_LATE_SCAN && !jumped) {
      // Down for long on a dense schedule: stop counting one by one and jump to the last few hundred
      // occurrences before the present (estimated from the spacing so far), which the policy may keep.
      jumped = true;
      const spacing = (next - first) / (MAX_LATE_SCAN - 1);
      const target = lateBefore - (task.jitterSeconds ?? 0) * 1000 - spacing * 2 * MISFIRE_ALL_CAP;
      next = nextRunAfter(task, Math.max(next, target), runCount, compiled);
    } else {
      next = nextRunAfter(task, next, runCount, compiled);
    }
  }
  const kept =
    misfire.policy === 'skip'
      ? []
      : misfire.policy === 'once'
        ? late.slice(-1)
        : late.slice(-MISFIRE_ALL_CAP);
  const remaining = task.maxRuns === undefined ? Number.POSITIVE_INFINITY : task.maxRuns - runCount;
  const fire = kept.slice(0, Math.max(0, remaining));
  runCount += fire.length;
  const plan = { skipped: lateCount - fire.length, late: fire.length };

  if (task.maxRuns !== undefined && runCount >= task.maxRuns) next = null;
  for (
    let onTime = 0;
    next !== null && fireTimeOf(task, next) <= horizon && onTime < MAX_FIRES_PER_PLAN;
    onTime++
  ) {
    fire.push(at(next));
    runCount++;
    next = nextRunAfter(task, next, runCount, compiled);
  }
  return { fire, nextRunAt: next, runCount, ...plan };
}

/**
 * Where a paused task resumes at `now`. The paused-over occurrences fire only as the misfire policy says:
 * `skip` resumes at the first occurrence at or after `now`; `once` at the latest paused-over one, so
 * exactly one of them fires; `all` at the first paused-over one, so the tick fires them (up to
 * MISFIRE_ALL_CAP, see planDue). Null: nothing left to run.
 */
export function nextRunOnResume(task: PlanTask, now: number): number | null {
  const paused = task.nextRunAt ? Date.parse(task.nextRunAt) : null;
  if (paused === null) return nextRunAfter(task, now - 1, task.runCount);
  if (paused >= now) return paused;
  const policy = (task.misfire ?? DEFAULT_MISFIRE).policy;
  if (policy === 'all') return paused;
  if (policy === 'skip') return nextRunAfter(task, now - 1, task.runCount);
  // Everything before now counts as missed (no grace), and `once` keeps the latest: planDue finds it
  // with its bounded scan, however long the pause on however dense a schedule.
  const plan = planDue({ ...task, misfire: { graceSeconds: 0, policy: 'once' } }, paused, now, now);
  return plan.fire[0]?.scheduledAt ?? plan.nextRunAt;
}
