import { MAX_QUEUED, type Overlap, type Retry, type RunSource } from './schemas';

/**
 * The runs of one task whose outcomes Sundial follows (its target reports outcomes): those in progress and
 * those queued for a slot. Kept in a small item beside the task item (lib/store/tracking-store.ts), changed
 * by read, pure step, conditional write. Pure: the store reads and writes it, the dispatcher and the outcome
 * handler decide with these functions.
 */
export interface Tracking {
  /** The task incarnation it belongs to: a task replaced under its id starts with nothing in progress. */
  createdAt: string;
  /** Bumped by every write, the condition of the next one; 0 when the item does not exist. */
  rev: number;
  running: Record<string, InProgress>;
  /** Occurrences waiting for a slot (overlap `queue`), oldest first. */
  queued: Queued[];
  /** When the sweeper is to look at the item, as its index keys say now (see sweepKeyAt). */
  sweepKeyAt?: number;
}

/**
 * A run holding a slot. `run`: delivered, its outcome expected by `deadline`. `wait`: to be delivered at
 * `deadline` (a retry, or a queued occurrence given a slot); its fire message is on the queue.
 */
export interface InProgress {
  phase: 'run' | 'wait';
  attempt: number;
  scheduledAt: number;
  source: RunSource;
  deadline: number;
  /** When the current attempt was delivered (phase `run`). */
  firedAt?: number;
}

export interface Queued {
  runId: string;
  scheduledAt: number;
  source: RunSource;
}

/** A `wait` entry whose fire message has not turned up this long after its time is sent again. */
export const WAIT_GRACE_MS = 2 * 60_000;
/** On top of a target's own bound, before a run without an outcome is closed as timed out. */
export const OUTCOME_MARGIN_MS = 60_000;

export const emptyTracking = (createdAt: string, rev = 0): Tracking => ({
  createdAt,
  rev,
  running: {},
  queued: [],
});

/** The tracking of this incarnation of the task: one left by a task deleted and created again is empty. */
export function trackingOf(stored: Tracking | undefined, createdAt: string): Tracking {
  if (!stored) return emptyTracking(createdAt);
  return stored.createdAt === createdAt ? stored : emptyTracking(createdAt, stored.rev);
}

/** Slots taken: a `run` past its deadline holds none (the sweeper is closing it as timed out). */
export function slotsTaken(tracking: Tracking, now: number): number {
  return Object.values(tracking.running).filter((e) => e.phase === 'wait' || e.deadline > now).length;
}

/** One attempt about to be delivered. */
export interface Attempt {
  runId: string;
  attempt: number;
  scheduledAt: number;
  source: RunSource;
}

/**
 * `start`: deliver (a slot is taken); `again`: this attempt was started before (a re-delivered message),
 * deliver again on the same slot; `skip`: recorded as skipped; `queue`: waits for a slot; `stale`: an
 * attempt that is no longer wanted (its run moved on or ended), dropped.
 */
export type BeginVerdict =
  | { verdict: 'start' | 'again' | 'queue' | 'stale' }
  | { verdict: 'skip'; reason: 'overlap' | 'queue-full' };

/**
 * Takes a slot for an attempt at `now`, as the task's overlap policy allows; `outcomeBy` is when its
 * outcome must have come. Returns the verdict and the tracking to write (undefined: nothing changes).
 */
export function begin(
  tracking: Tracking,
  attempt: Attempt,
  overlap: Overlap | undefined,
  now: number,
  outcomeBy: number,
): { decision: BeginVerdict; next?: Tracking } {
  const entry = tracking.running[attempt.runId];
  const started = (): InProgress => ({
    phase: 'run',
    attempt: attempt.attempt,
    scheduledAt: attempt.scheduledAt,
    source: attempt.source,
    deadline: outcomeBy,
    firedAt: now,
  });
  if (entry) {
    if (entry.attempt !== attempt.attempt) return { decision: { verdict: 'stale' } };
    if (entry.phase === 'run') return { decision: { verdict: 'again' } };
    return { decision: { verdict: 'start' }, next: withRunning(tracking, attempt.runId, started()) };
  }
  // A later attempt or a queued occurrence fires only on the slot its run holds.
  if (attempt.attempt > 1 || tracking.queued.some((q) => q.runId === attempt.runId)) {
    return { decision: { verdict: 'stale' } };
  }
  const policy = overlap?.policy ?? 'allow';
  if (policy === 'allow' || slotsTaken(tracking, now) < (overlap?.maxConcurrent ?? 1)) {
    return { decision: { verdict: 'start' }, next: withRunning(tracking, attempt.runId, started()) };
  }
  if (policy === 'queue' && tracking.queued.length < MAX_QUEUED) {
    const queued = { runId: attempt.runId, scheduledAt: attempt.scheduledAt, source: attempt.source };
    return { decision: { verdict: 'queue' }, next: { ...tracking, queued: [...tracking.queued, queued] } };
  }
  return { decision: { verdict: 'skip', reason: policy === 'queue' ? 'queue-full' : 'overlap' } };
}

/** What ending an attempt changes: the tracking to write, and a queued occurrence given the freed slot. */
export interface Ended {
  next: Tracking;
  /** To deliver now, as attempt 1 (its entry waits in `running`). */
  promoted?: Queued;
}

/**
 * Ends an attempt at `now`: with `retryAt`, the run keeps its slot and waits for attempt + 1; without, it
 * leaves and the oldest queued occurrence takes the slot if the policy lets it. Undefined when this attempt
 * is not the one in progress (a duplicate or late outcome): nothing changes.
 */
export function end(
  tracking: Tracking,
  ended: { runId: string; attempt: number },
  overlap: Overlap | undefined,
  now: number,
  retryAt?: number,
): Ended | undefined {
  const entry = tracking.running[ended.runId];
  if (entry?.phase !== 'run' || entry.attempt !== ended.attempt) return undefined;
  if (retryAt !== undefined) {
    const waiting: InProgress = { ...entry, phase: 'wait', attempt: entry.attempt + 1, deadline: retryAt };
    delete waiting.firedAt;
    return { next: withRunning(tracking, ended.runId, waiting) };
  }
  const { [ended.runId]: _gone, ...running } = tracking.running;
  const next: Tracking = { ...tracking, running };
  const [head, ...rest] = next.queued;
  const free =
    (overlap?.policy ?? 'allow') === 'allow' || slotsTaken(next, now) < (overlap?.maxConcurrent ?? 1);
  if (!head || !free) return { next };
  const promoted: InProgress = {
    phase: 'wait',
    attempt: 1,
    scheduledAt: head.scheduledAt,
    source: head.source,
    deadline: now,
  };
  return { next: { ...withRunning(next, head.runId, promoted), queued: rest }, promoted: head };
}

/** What the sweeper finds at `now`: runs whose outcome is overdue, and waits whose message never came. */
export function overdue(tracking: Tracking, now: number) {
  const entries = Object.entries(tracking.running);
  return {
    expired: entries.filter(([, e]) => e.phase === 'run' && e.deadline <= now),
    stalled: entries.filter(([, e]) => e.phase === 'wait' && e.deadline + WAIT_GRACE_MS <= now),
  };
}

/** A stalled wait sent again at `now`: its next grace period starts now. */
export function resent(tracking: Tracking, runId: string, now: number): Tracking {
  const entry = tracking.running[runId];
  return entry ? withRunning(tracking, runId, { ...entry, deadline: now }) : tracking;
}

/** When the sweeper should next look at this task; undefined when nothing is in progress. */
export function sweepAt(tracking: Tracking): number | undefined {
  const times = Object.values(tracking.running).map((e) =>
    e.phase === 'run' ? e.deadline : e.deadline + WAIT_GRACE_MS,
  );
  return times.length ? Math.min(...times) : undefined;
}

/**
 * The sweep time to store with a change. The sweeper's own writes store sweepAt exactly; other writes keep
 * an earlier key (the sweeper then looks early, finds nothing due, and moves the key), so a task whose runs
 * come and go every few seconds rewrites its index key about once per deadline, not twice per run.
 */
export function sweepKeyAt(tracking: Tracking, exact: boolean): number | undefined {
  const at = sweepAt(tracking);
  if (exact) return at;
  const kept = tracking.sweepKeyAt;
  if (at === undefined) return kept;
  return kept !== undefined && kept <= at ? kept : at;
}

/**
 * When attempt `failed + 1` of a run fires after attempt `failed` failed at `now`: `delaySeconds ×
 * backoffRate^(failed - 1)`, capped; undefined when the policy allows no further attempt.
 */
export function retryAt(retry: Retry | undefined, failed: number, now: number): number | undefined {
  if (!retry || failed >= retry.maxAttempts) return undefined;
  const seconds = Math.min(retry.maxDelaySeconds, retry.delaySeconds * retry.backoffRate ** (failed - 1));
  return now + Math.round(seconds * 1000);
}

function withRunning(tracking: Tracking, runId: string, entry: InProgress): Tracking {
  return { ...tracking, running: { ...tracking.running, [runId]: entry } };
}
