import { basicSchedule, type SearchBudget, UNBOUNDED } from '../schedule';
import { checkWindow, compileTaskSchedule, nextRunAfter, noOccurrenceError, toIso } from './model';
import { nextRunOnResume } from './plan';
import type { Task, TaskPatch } from './schemas';

/** Fields whose change never moves the next run; any other field (present or future) is a scheduling one. */
const NON_SCHEDULING = new Set(['group', 'description', 'target', 'payload', 'enabled', 'retry', 'overlap']);

/** Fields that change with every write, whatever it changes. */
const BOOKKEEPING = new Set([
  'updatedAt',
  'version',
  'lastError',
  'lastStatus',
  'consecutiveFailures',
  'runsInProgress',
  'queuedRuns',
]);

/**
 * Whether `after` changes when or whether `before` fires (schedule, window, state, next run…): such a
 * change takes back the fires already handed off after it (see closeHandoffs); any other keeps them.
 */
export function isSchedulingChange(before: Task, after: Task): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].some(
    (key) =>
      !NON_SCHEDULING.has(key) &&
      !BOOKKEEPING.has(key) &&
      JSON.stringify(before[key as keyof Task]) !== JSON.stringify(after[key as keyof Task]),
  );
}

const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/** A recomputed next run never precedes what a tick already delivered (look-ahead may run ahead of now). */
const afterLastRun = (task: Task, now: number) =>
  Math.max(now, task.lastRunAt ? Date.parse(task.lastRunAt) : now);

/**
 * The task after a merge patch (absent: kept, null: cleared). A scheduling change recomputes the next run
 * from `now`; `enabled` pauses or resumes. Returns undefined when nothing changes.
 */
export function applyPatch(
  current: Task,
  patch: TaskPatch,
  now: number,
  budget: SearchBudget = UNBOUNDED,
): Task | undefined {
  const next: Record<string, unknown> = { ...current };
  let scheduling = false;
  let changed = false;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (JSON.stringify(current[key as keyof Task]) === JSON.stringify(value ?? undefined)) continue;
    changed = true;
    if (!NON_SCHEDULING.has(key)) scheduling = true;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (!changed) return undefined;
  const task = next as Task;
  checkWindow(task);
  if (patch.schedule !== undefined) {
    // The stored task shows an EventBridge expression and what it means, as at creation.
    if (task.schedule && 'expression' in task.schedule)
      task.normalizedSchedule = basicSchedule(task.schedule);
    else delete task.normalizedSchedule;
  }
  const resumed = task.enabled && current.state === 'paused';
  if (scheduling || resumed || current.state === 'completed') {
    // A plain resume follows the misfire policy; a scheduling change starts afresh from now.
    const nextRun =
      resumed && !scheduling
        ? nextRunOnResume(task, now)
        : nextRunAfter(task, afterLastRun(task, now), task.runCount, compileTaskSchedule(task, budget));
    if (nextRun === null && patch.schedule !== undefined) throw noOccurrenceError();
    task.nextRunAt = isoOrNull(nextRun);
  }
  task.state = !task.enabled ? 'paused' : task.nextRunAt === null ? 'completed' : 'active';
  return { ...task, updatedAt: toIso(now), version: current.version + 1 };
}

/** Pauses a task: it stays stored and keeps its next run, but the tick skips it. */
export function pauseTask(current: Task, now: number): Task | undefined {
  if (current.state === 'paused') return undefined;
  if (current.state === 'completed') return undefined;
  return { ...current, enabled: false, state: 'paused', updatedAt: toIso(now), version: current.version + 1 };
}

/**
 * Resumes a paused task at `now`: paused-over occurrences fire only as the misfire policy says
 * (see nextRunOnResume).
 */
export function resumeTask(current: Task, now: number): Task | undefined {
  if (current.state !== 'paused') return undefined;
  const nextRun = nextRunOnResume(current, now);
  return {
    ...current,
    enabled: true,
    state: nextRun === null ? 'completed' : 'active',
    nextRunAt: isoOrNull(nextRun),
    updatedAt: toIso(now),
    version: current.version + 1,
  };
}
