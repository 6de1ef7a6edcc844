import { fireMessages } from '../dispatch/fire-message';
import { LIST_SHARDS } from '../store/schema';
import { overdue, resent, trackingOf } from '../task/tracking';
import { type AttemptRef, continued, type OutcomeDeps, settle } from './settle';

/** What one sweep did. */
export interface SweepReport {
  /** Tasks looked at (their tracking item was due). */
  tasks: number;
  /** Runs closed as timed out: no outcome came by their deadline. */
  timedOut: number;
  /** Retries and promoted occurrences whose fire message never came, sent again. */
  resent: number;
}

/** Tasks read per shard and sweep; the rest wait for the next minute. */
const SWEEP_BATCH = 100;

/**
 * The backstop of tracked runs, run by the scheduled tick once a minute: finds tracking items with a run
 * overdue (the sweep partitions of the list index) and closes each run whose outcome never came (the
 * function crashed, its record was lost) as `timed_out`, through the same path as an outcome (so it is
 * retried as its policy says and its slot is freed), and sends again each retry whose message never came.
 * No slot stays taken and no retry is lost, whatever failed.
 */
export async function sweep(deps: OutcomeDeps): Promise<SweepReport> {
  const now = deps.clock.now();
  const report: SweepReport = { tasks: 0, timedOut: 0, resent: 0 };
  const ids = (
    await Promise.all(
      Array.from({ length: LIST_SHARDS }, (_, shard) => deps.tracking.overdueTasks(shard, now, SWEEP_BATCH)),
    )
  ).flat();
  for (const id of ids) {
    report.tasks++;
    try {
      await sweepTask(deps, id, now, report);
    } catch (error) {
      deps.log?.('error', 'sweep of a task failed; the next tick tries again', {
        taskId: id,
        error: String(error),
      });
    }
  }
  return report;
}

async function sweepTask(deps: OutcomeDeps, taskId: string, now: number, report: SweepReport) {
  const due = (await deps.store.getDueTasks([taskId])).get(taskId);
  const stored = await deps.tracking.read(taskId);
  if (!stored) return;
  if (!due) return deps.tracking.remove(taskId);
  const tracking = trackingOf(stored, due.task.createdAt);
  const { expired, stalled } = overdue(tracking, now);
  for (const [runId, entry] of expired) {
    const ref: AttemptRef = { taskId, runId, ...entry, firedAt: entry.firedAt ?? entry.deadline };
    const waited = Math.round((entry.deadline - ref.firedAt) / 1000);
    const outcome = {
      status: 'timed_out' as const,
      finishedAt: now,
      errorType: 'Sundial.NoOutcome',
      errorMessage: `no outcome came within ${waited} s of the delivery (the function crashed, or its outcome was lost)`,
    };
    if ((await settle(deps, ref, outcome, { due })) === 'recorded') report.timedOut++;
  }
  for (const [runId, entry] of stalled) {
    const entryToSend = {
      ...continued(taskId, runId, entry.scheduledAt, entry.source),
      attempt: entry.attempt,
      fireAt: now,
    };
    const failed = await deps.queue.send(fireMessages([entryToSend], now));
    if (failed.size) continue;
    report.resent++;
  }
  // Rewritten in any case: moves the sweep keys to the next time this task needs a look (or removes them).
  await deps.tracking.change(
    taskId,
    due.task.createdAt,
    (t) => ({ next: stalled.reduce((acc, [runId]) => resent(acc, runId, now), t), result: undefined }),
    undefined,
    true,
  );
}
