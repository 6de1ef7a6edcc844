import { type OutcomeDeps, settle } from '../outcome/settle';
import type { Run, Task } from '../task/schemas';
import { functionNameOf } from '../task/targets';
import { type BeginVerdict, begin, OUTCOME_MARGIN_MS } from '../task/tracking';
import { deliveryEvent, invoke } from './fire-deliver';
import type { FireEntry } from './fire-message';
import type { FireRun } from './fire-run';

/**
 * Delivers an entry of a task whose outcomes Sundial follows: at its second, takes a slot in the task's
 * tracking as its overlap policy allows (`skip` → a skipped run record, returned to be batched; `queue` →
 * it waits there for a slot), then invokes and records the run as delivered, conditionally, so an outcome
 * that came back first stays. A delivery Lambda refuses ends the attempt as failed (and is retried as the
 * policy says). Every record is written here, conditionally: nothing is left to batch.
 */
export async function deliverTracked(
  run: FireRun,
  outcome: OutcomeDeps,
  entry: FireEntry,
  task: Task,
): Promise<Run | undefined> {
  const { clock } = run.deps;
  if (entry.fireAt > clock.now()) await clock.sleepUntil(entry.fireAt);
  return run.limit(async () => {
    const firedAt = clock.now();
    const attempt = entry.attempt ?? 1;
    const event = deliveryEvent(task, entry, firedAt, attempt);
    const outcomeBy =
      firedAt + (outcome.targets.get(functionNameOf(task.target.function)) ?? 0) + OUTCOME_MARGIN_MS;
    const decision: BeginVerdict = await outcome.tracking.change(task.id, task.createdAt, (tracking) => {
      const step = begin(
        tracking,
        { ...event, scheduledAt: entry.scheduledAt },
        task.overlap,
        firedAt,
        outcomeBy,
      );
      return { next: step.next, result: step.decision };
    });
    const { payload: _payload, group: _group, ...record } = event;
    if (decision.verdict === 'skip') {
      run.report.skipped++;
      await outcome.outcomes.recordSkipped({ ...record, status: 'skipped', reason: decision.reason });
      return undefined;
    }
    if (decision.verdict === 'queue' || decision.verdict === 'stale') {
      run.report[decision.verdict === 'queue' ? 'queued' : 'dropped']++;
      return undefined;
    }
    run.report.lateness.push(Math.max(0, firedAt - entry.fireAt));
    await run.deps.faults?.beforeInvoke?.(task.id, event.runId);
    const error = await invoke(run, task, event);
    const ref = { ...record, scheduledAt: entry.scheduledAt, firedAt };
    if (error !== undefined) {
      run.report.failed++;
      const failure = {
        status: 'failed' as const,
        finishedAt: clock.now(),
        errorType: 'DeliveryFailed',
        errorMessage: error,
      };
      await settle(outcome, ref, failure, { event });
      return undefined;
    }
    run.report.delivered++;
    await run.deps.faults?.afterInvoke?.(task.id, event.runId);
    // The run is delivered whatever this write does; its outcome writes the whole record anyway.
    await outcome.outcomes.markDelivered({ ...record, status: 'delivered' }).catch((error) => {
      run.report.unrecorded++;
      run.log('error', 'delivered run not recorded', {
        taskId: task.id,
        runId: event.runId,
        error: String(error),
      });
    });
    return undefined;
  });
}
