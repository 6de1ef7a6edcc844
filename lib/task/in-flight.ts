import { compileTaskSchedule, nextRunAfter, toIso } from './model';
import { fireTimeOf, type PlannedFire, type PlanTask } from './plan';
import type { Task } from './schemas';

/**
 * A change a user makes now applies to fires after now + this: a fire worker may already hold an
 * occurrence due within it (it waits in-process for the second), so it is committed. A worker reads the
 * task when the message becomes visible, at most 1.3 s before its second (MESSAGE_LEAD_MS plus SQS's
 * whole-second delays), and the entry fires at most 1 s into that second: 2.3 s, so 2.5 s is safe.
 */
export const COMMITTED_AHEAD_MS = 2_500;
/**
 * A hand-off is kept on the task this long after its last fire: a fire message retried by the queue
 * (up to its 5 receives × 180 s visibility) still finds its token.
 */
export const HANDOFF_RETAIN_MS = 16 * 60_000;

/**
 * Occurrences one tick handed to the fire queue for one task, recorded by the tick's acknowledgement.
 * They are a contiguous run of the schedule's occurrences (planDue keeps the latest missed ones and
 * then the on-time ones), so `from` and `count` describe them and every fire is recomputed when needed.
 */
export interface Handoff {
  /** When the tick handed them off (epoch ms). */
  at: number;
  /** The first occurrence (scheduledAt, epoch ms). */
  from: number;
  count: number;
  /** Fire time of the last one (epoch ms). */
  lastFire: number;
  /** The task's runCount before the hand-off: occurrence i counts as run `runCountBefore + i + 1`. */
  runCountBefore: number;
  /** The task's lastRunAt before the hand-off (epoch ms). */
  lastRunAtBefore: number | null;
  /**
   * Set when a user change (or a paused scheduler) took back the fires after this instant: the hand-off
   * then keeps its first `count` occurrences only (jitter may put a later occurrence's fire before an
   * earlier one's, so the kept ones are those before the first fire past the cutoff).
   */
  closedAt?: number;
  /** With `closedAt`: the last occurrence kept (scheduledAt; before `from` when none is). */
  keptThrough?: number;
}

/** The hand-offs of one task by token; the token travels with each fire message. */
export type Handoffs = Record<string, Handoff>;

type ScheduledTask = PlanTask & Pick<Task, 'createdAt' | 'runCount' | 'lastRunAt' | 'nextRunAt' | 'state'>;

/** The fires of one hand-off, in order, recomputed from the task's schedule. */
export function handoffFires(task: PlanTask, handoff: Handoff): PlannedFire[] {
  const compiled = compileTaskSchedule(task);
  const fires: PlannedFire[] = [];
  let next: number | null = handoff.from;
  for (let i = 0; i < handoff.count && next !== null; i++) {
    fires.push({ scheduledAt: next, fireAt: fireTimeOf(task, next) });
    next = nextRunAfter(task, next, handoff.runCountBefore + i + 1, compiled);
  }
  return fires;
}

/**
 * Whether the fire worker delivers occurrence `scheduledAt` of a hand-off: recorded, and not taken back
 * (a closed hand-off keeps its occurrences up to `keptThrough`; a schedule changed since cannot say which
 * they were, so the bound is stored).
 */
export function isDeliverable(handoff: Handoff | undefined, scheduledAt: number): boolean {
  if (handoff === undefined) return false;
  return handoff.closedAt === undefined || scheduledAt <= (handoff.keptThrough ?? handoff.from - 1);
}

/** Drops hand-offs whose last fire is long past (see HANDOFF_RETAIN_MS). */
export function compactHandoffs(handoffs: Handoffs, now: number): Handoffs {
  return Object.fromEntries(
    Object.entries(handoffs).filter(([, h]) => h.lastFire + HANDOFF_RETAIN_MS >= now),
  );
}

/** What closing a task's hand-offs at an instant leaves: the task's counters as if only fires up to it ran. */
export interface Closed<T> {
  task: T;
  handoffs: Handoffs;
  /** Fires taken back. */
  takenBack: number;
}

/**
 * Takes back every handed-off fire after `cutoff`: the hand-offs are closed there (the fire worker drops
 * the later ones), and the task's stored counters (written as if every handed-off fire ran) are brought
 * back to what really runs: runCount, lastRunAt, and nextRunAt at the first fire taken back.
 */
export function closeHandoffs<T extends ScheduledTask>(
  task: T,
  handoffs: Handoffs,
  cutoff: number,
): Closed<T> {
  const out: Handoffs = { ...handoffs };
  let takenBack = 0;
  let firstBack: number | undefined;
  let lastBefore: number | null | undefined;
  for (const [token, h] of Object.entries(handoffs)) {
    if (h.closedAt !== undefined || h.lastFire <= cutoff) continue;
    const fires = handoffFires(task, h);
    // The kept fires are a prefix (see Handoff.closedAt), so counters and the worker agree on them.
    const firstPast = fires.findIndex((f) => f.fireAt > cutoff);
    const kept = firstPast < 0 ? fires : fires.slice(0, firstPast);
    const back = fires.length - kept.length;
    if (back === 0) continue;
    takenBack += back;
    const first = fires[kept.length]?.scheduledAt as number;
    if (firstBack === undefined || first < firstBack) {
      firstBack = first;
      lastBefore = kept.at(-1)?.scheduledAt ?? h.lastRunAtBefore;
    }
    const lastFire = kept.length ? Math.max(...kept.map((f) => f.fireAt)) : h.at;
    const keptThrough = kept.at(-1)?.scheduledAt ?? h.from - 1;
    out[token] = { ...h, count: kept.length, lastFire, closedAt: cutoff, keptThrough };
  }
  if (firstBack === undefined) return { task, handoffs: out, takenBack };
  const adjusted = {
    ...task,
    runCount: task.runCount - takenBack,
    lastRunAt: lastBefore === undefined || lastBefore === null ? null : toIso(lastBefore),
    nextRunAt: toIso(firstBack),
    state: task.state === 'completed' ? 'active' : task.state,
  };
  return { task: adjusted, handoffs: out, takenBack };
}

/**
 * The task as a user sees it at `now`: the store writes counters as if every handed-off fire had run
 * (one write per tick), so fires still ahead are not counted yet, and nextRunAt is the first of them.
 */
export function taskAsOf<T extends ScheduledTask>(task: T, handoffs: Handoffs, now: number): T {
  return closeHandoffs(task, handoffs, now).task;
}
