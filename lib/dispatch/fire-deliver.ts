import { toIso } from '../task/model';
import type { DeliveryEvent, Run, Task } from '../task/schemas';
import { assertTargetAllowed } from '../task/targets';
import type { FireEntry } from './fire-message';
import type { FireRun } from './fire-run';
import { DeliveryFailedError, isPermanent } from './invoker';
import { scheduledRunId } from './run-id';

/**
 * Waits for an entry's second, invokes its target (retrying transient errors) and returns its run
 * record. `attempt` is the message's receive count: a redelivery carries the same runId, attempt + 1.
 */
export async function deliverEntry(
  run: FireRun,
  entry: FireEntry,
  task: Task,
  attempt: number,
): Promise<Run> {
  const { clock } = run.deps;
  if (entry.fireAt > clock.now()) await clock.sleepUntil(entry.fireAt);
  return run.limit(async () => {
    const firedAt = clock.now();
    run.report.lateness.push(Math.max(0, firedAt - entry.fireAt));
    const event = deliveryEvent(task, entry, firedAt, attempt);
    await run.deps.faults?.beforeInvoke?.(task.id, event.runId);
    const error = await invoke(run, task, event);
    const { payload: _payload, group: _group, ...record } = event;
    if (error === undefined) {
      run.report.delivered++;
      await run.deps.faults?.afterInvoke?.(task.id, event.runId);
      return { ...record, status: 'delivered' };
    }
    run.report.failed++;
    run.log('warn', 'delivery failed', { taskId: task.id, runId: event.runId, error });
    await run.deps.store.recordError(task.id, task.createdAt, error).catch(() => undefined);
    return { ...record, status: 'failed', error };
  });
}

/** The event a target receives for an entry fired at `firedAt`. */
export function deliveryEvent(task: Task, entry: FireEntry, firedAt: number, attempt: number): DeliveryEvent {
  return {
    taskId: task.id,
    group: task.group,
    runId: entry.runId ?? scheduledRunId(task.id, task.createdAt, entry.scheduledAt),
    scheduledAt: toIso(entry.scheduledAt),
    firedAt: toIso(firedAt),
    attempt,
    source: entry.source ?? (entry.token === undefined ? 'manual' : 'schedule'),
    payload: task.payload,
  };
}

/** Invokes the target, retrying transient errors with backoff; the error text when it failed for good. */
export async function invoke(run: FireRun, task: Task, event: DeliveryEvent): Promise<string | undefined> {
  const { deps, options } = run;
  const random = deps.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      if (deps.targetPrefixes) {
        try {
          assertTargetAllowed(task.target.function, deps.targetPrefixes, deps.reservedFunctions);
        } catch (error) {
          throw new DeliveryFailedError((error as Error).message, true, { cause: error });
        }
      }
      await deps.invoker.invoke(task.target, event);
      return undefined;
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (isPermanent(error) || attempt >= options.invokeAttempts) return text;
      // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
      const backoff = random() * Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
      run.log('warn', 'invoke failed, retrying', { taskId: task.id, attempt, error: text });
      await deps.clock.sleepUntil(deps.clock.now() + backoff);
    }
  }
}
