import type { Clock } from '../clock';
import { type FireEntry, fireMessages } from '../dispatch/fire-message';
import type { FireQueue } from '../dispatch/fire-queue';
import type { Log } from '../log';
import type { DispatchStore } from '../store/dispatch-store';
import type { DueTask } from '../store/items';
import type { OutcomeStore, RunSummary } from '../store/outcome-store';
import type { TrackingStore } from '../store/tracking-store';
import { toIso } from '../task/model';
import type { DeliveryEvent, Run, RunSource, Task } from '../task/schemas';
import { functionNameOf } from '../task/targets';
import { type Ended, end, retryAt, type Tracking } from '../task/tracking';
import type { RunDeadLetters } from './dead-letters';
import type { Outcome } from './destination-record';

/** What recording outcomes needs: the table, the fire queue (retries), the dead-letter queue. */
export interface OutcomeDeps {
  store: DispatchStore;
  tracking: TrackingStore;
  outcomes: OutcomeStore;
  queue: FireQueue;
  deadLetters?: RunDeadLetters;
  clock: Clock;
  /** Targets whose outcomes come back: function name → ms after a fire by which the outcome is due. */
  targets: ReadonlyMap<string, number>;
  log?: Log;
}

/** One attempt of a run, as the outcome of it is recorded. */
export interface AttemptRef {
  taskId: string;
  runId: string;
  attempt: number;
  scheduledAt: number;
  firedAt: number;
  source: RunSource;
}

/**
 * Whether a task's runs are followed: its target reports outcomes (registered with the construct). The
 * construct configures the destinations of the unqualified function only, so a task naming a version or an
 * alias (`qualifier`) is not tracked: its outcome would never come and every run would time out.
 */
export function isTracked(deps: Pick<OutcomeDeps, 'targets'>, task: Task): boolean {
  return task.target.qualifier === undefined && deps.targets.has(functionNameOf(task.target.function));
}

/**
 * Records how an attempt ended, exactly once whatever the number of deliveries of its outcome: the run
 * record (conditional on the attempt), then, if the run failed for good, its dead letter, then the task's
 * tracking (conditional on the attempt still being in progress: a duplicate or a late outcome stops there),
 * then what follows from it: the retry, or a queued occurrence given the slot, sent to the fire queue, and
 * the task's summary. Every step is repeatable, so a crash between two is repaired by the outcome's
 * redelivery or, for a lost send, by the sweeper (the retry waits in the tracking item). `stale`: this
 * attempt is no longer the one in progress (or its task is gone): nothing was changed.
 */
export async function settle(
  deps: OutcomeDeps,
  ref: AttemptRef,
  outcome: Outcome,
  known: { due?: DueTask; event?: DeliveryEvent } = {},
): Promise<'recorded' | 'stale'> {
  const due = known.due ?? (await deps.store.getDueTasks([ref.taskId])).get(ref.taskId);
  if (!due) return 'stale';
  const { task } = due;
  const stored = await deps.tracking.read(ref.taskId);
  const entry = stored?.createdAt === task.createdAt ? stored.running[ref.runId] : undefined;
  if (entry?.phase !== 'run' || entry.attempt !== ref.attempt) return 'stale';
  const failed = outcome.status !== 'succeeded';
  const nextAt = failed ? retryAt(task.retry, ref.attempt, outcome.finishedAt) : undefined;
  await deps.outcomes.recordOutcome(runOf(ref, outcome, nextAt));
  if (failed && nextAt === undefined) await deadLetter(deps, ref, outcome, task, known.event);
  const ended = await deps.tracking.change(
    ref.taskId,
    task.createdAt,
    (tracking: Tracking) => {
      const step = end(tracking, ref, task.overlap, deps.clock.now(), nextAt);
      return { next: step?.next, result: step };
    },
    stored,
  );
  if (!ended) return 'stale';
  await sendContinuations(deps, ref, ended, nextAt);
  if (nextAt === undefined) await summarize(deps, task, outcome);
  return 'recorded';
}

function runOf(ref: AttemptRef, outcome: Outcome, nextAt: number | undefined): Run & { finishedAt: string } {
  return {
    taskId: ref.taskId,
    runId: ref.runId,
    scheduledAt: toIso(ref.scheduledAt),
    firedAt: toIso(ref.firedAt),
    attempt: ref.attempt,
    source: ref.source,
    status: outcome.status,
    finishedAt: toIso(outcome.finishedAt),
    durationMs: Math.max(0, Math.round(outcome.finishedAt - ref.firedAt)),
    ...(outcome.errorType === undefined ? {} : { errorType: outcome.errorType }),
    ...(outcome.errorMessage === undefined ? {} : { errorMessage: outcome.errorMessage }),
    ...(outcome.response === undefined ? {} : { response: outcome.response }),
    ...(nextAt === undefined ? {} : { retryAt: toIso(nextAt) }),
  };
}

/** The last attempt failed: the event and its error go to the run dead-letter queue (or the log). */
async function deadLetter(
  deps: OutcomeDeps,
  ref: AttemptRef,
  outcome: Outcome,
  task: Task,
  event: DeliveryEvent | undefined,
) {
  const letter = {
    event: event ?? {
      taskId: task.id,
      group: task.group,
      runId: ref.runId,
      scheduledAt: toIso(ref.scheduledAt),
      firedAt: toIso(ref.firedAt),
      attempt: ref.attempt,
      source: ref.source,
      payload: task.payload,
    },
    outcome,
  };
  deps.log?.('warn', 'run failed after its last attempt', {
    taskId: ref.taskId,
    runId: ref.runId,
    attempt: ref.attempt,
    status: outcome.status,
    errorType: outcome.errorType,
  });
  await deps.deadLetters?.send(letter);
}

/** Sends the retry, or the queued occurrence that got the freed slot; a failed send is left to the sweeper. */
async function sendContinuations(
  deps: OutcomeDeps,
  ref: AttemptRef,
  ended: Ended,
  nextAt: number | undefined,
) {
  const now = deps.clock.now();
  const entries: FireEntry[] = [];
  if (nextAt !== undefined) {
    entries.push({
      ...continued(ref.taskId, ref.runId, ref.scheduledAt, ref.source),
      attempt: ref.attempt + 1,
      fireAt: nextAt,
    });
  }
  if (ended.promoted) {
    const { runId, scheduledAt, source } = ended.promoted;
    entries.push({ ...continued(ref.taskId, runId, scheduledAt, source), attempt: 1, fireAt: now });
  }
  if (!entries.length) return;
  const failed = await deps.queue.send(fireMessages(entries, now));
  if (failed.size) deps.log?.('warn', 'continuation not sent; the sweeper sends it', { taskId: ref.taskId });
}

export function continued(taskId: string, runId: string, scheduledAt: number, source: RunSource) {
  return { taskId, runId, scheduledAt, source };
}

/** The task's summary of its latest finished run, written only when it changes. */
async function summarize(deps: OutcomeDeps, task: Task, outcome: Outcome) {
  const failed = outcome.status !== 'succeeded';
  const next: RunSummary = {
    lastStatus: outcome.status,
    consecutiveFailures: failed ? (task.consecutiveFailures ?? 0) + 1 : 0,
    ...(failed ? { lastError: `${outcome.errorType ?? 'Error'}: ${outcome.errorMessage ?? ''}` } : {}),
  };
  const same =
    next.lastStatus === task.lastStatus &&
    next.consecutiveFailures === (task.consecutiveFailures ?? 0) &&
    (next.lastError === undefined || next.lastError === task.lastError);
  if (!same) await deps.outcomes.recordSummary(task.id, task.createdAt, next);
}
