import type { RunClaim } from '../store/dispatch-store';
import type { Lease } from '../store/items';
import { toIso } from '../task/model';
import type { DeliveryEvent, Run } from '../task/schemas';
import { assertTargetAllowed } from '../task/targets';
import { DeliveryFailedError, isPermanent } from './invoker';
import { type Occurrence, settled, type TaskWork } from './task-work';
import type { TickRun } from './tick-run';

/** Claims, invokes and records one occurrence; updates what the task's acknowledgement will say. */
export async function fireOne(run: TickRun, work: TaskWork, planned: Occurrence): Promise<void> {
  const { deps, options, report } = run;
  let occurrence = planned;
  const { task } = work.due;
  const now = deps.clock.now();
  if (occurrence.fireAt - run.started > options.recheckAfterMs && !(await unchanged(run, work, occurrence))) {
    // Paused, changed or deleted while this tick waited for the occurrence's second: the user wins.
    work.stopped = true;
    report.cancelled += work.occurrences.length - work.occurrences.indexOf(occurrence);
    return;
  }
  const lease: Lease = {
    runId: occurrence.runId,
    scheduledAt: occurrence.scheduledAt,
    source: occurrence.source,
    attempt: 1,
    until: now + options.leaseMs,
  };
  const record: Run = {
    taskId: task.id,
    runId: occurrence.runId,
    scheduledAt: toIso(occurrence.scheduledAt),
    firedAt: toIso(now),
    attempt: 1,
    source: occurrence.source,
    status: 'claimed',
  };
  const claim = await deps.store.claimRun({ run: record, lease });
  if (!claim.won) {
    const outcome = await settleExisting(run, work, occurrence, claim.existing, lease, now);
    if (outcome === 'held') {
      // Another live tick delivers it, and acknowledges it; a manual run stays pending until then.
      report.lost++;
      if (occurrence.source === 'manual') work.stopped = true;
      // Later ones still fire at their second, but this tick's acknowledgement stops before this one:
      // should its holder die before invoking it, the next tick plans it again and takes it over.
      else if (!work.firstHeld || occurrence.scheduledAt < work.firstHeld.scheduledAt)
        work.firstHeld = occurrence;
      return;
    }
    if (outcome === 'acknowledged') {
      report.lost++;
      settled(work, occurrence, false);
      return;
    }
    // Taken over: deliver what the dead tick claimed (its newest claim, maybe not this occurrence).
    record.runId = lease.runId;
    record.scheduledAt = toIso(lease.scheduledAt);
    record.attempt = lease.attempt;
    occurrence = { ...occurrence, runId: lease.runId, scheduledAt: lease.scheduledAt };
    report.redelivered++;
  }
  report.claimed++;
  await deps.faults?.afterClaim?.(lease, task.id);
  const event: DeliveryEvent = {
    taskId: task.id,
    group: task.group,
    runId: lease.runId,
    scheduledAt: record.scheduledAt,
    firedAt: record.firedAt,
    attempt: lease.attempt,
    source: lease.source,
    payload: task.payload,
  };
  const error = await deliver(run, work, event, lease);
  if (error === undefined) {
    report.delivered++;
    await deps.store.recordDelivered(task.id, lease.runId);
  } else {
    report.failed++;
    work.lastError = error;
    run.log('warn', 'delivery failed', { taskId: task.id, runId: lease.runId, error });
    await deps.store.recordFailure(task.id, lease.runId, error);
  }
  settled(work, occurrence, true);
}

/**
 * An occurrence whose run record exists: delivered already (`done`), still within a live tick's lease
 * (`held`), or left behind by a tick that died, which this tick takes over (`mine`, lease updated).
 */
async function settleExisting(
  run: TickRun,
  work: TaskWork,
  occurrence: Occurrence,
  existing: RunClaim,
  lease: Lease,
  now: number,
): Promise<'acknowledged' | 'held' | 'mine'> {
  const { store } = run.deps;
  const { task } = work.due;
  // Settled: its target accepted it (or refused it for good); only a `claimed` record can be undelivered.
  if (existing.run.status !== 'claimed') return 'acknowledged';
  if (existing.lease.until > now) return 'held';
  let target = existing;
  if (occurrence.source === 'schedule') {
    // A tick fires a task's occurrences one after the other, so of those it claimed only the newest
    // can be undelivered: an older one was invoked before the newer was claimed. The newest may be
    // one this tick's plan skipped (missed occurrences are coalesced), so it is looked up.
    const newest = await store.latestRunBetween(task.id, occurrence.scheduledAt, run.horizon, 'schedule');
    if (newest && newest.lease.scheduledAt > occurrence.scheduledAt && newest.run.status === 'claimed') {
      if (newest.lease.until > now) return 'held';
      if (work.lastSettled !== undefined && newest.lease.scheduledAt <= work.lastSettled) {
        return 'acknowledged';
      }
      target = newest;
    }
  }
  lease.runId = target.lease.runId;
  lease.scheduledAt = target.lease.scheduledAt;
  lease.attempt = target.lease.attempt + 1;
  // Lost the take-over: the other rescuer delivers and counts it.
  return (await store.takeOver(target, lease, now)) ? 'mine' : 'acknowledged';
}

/** Whether the task is still as this tick read it, before firing an occurrence claimed early. */
async function unchanged(run: TickRun, work: TaskWork, occurrence: Occurrence): Promise<boolean> {
  const current = await run.deps.store.readDueTask(work.due.task.id);
  if (!current) return false;
  if (occurrence.source === 'manual') return true;
  return current.task.version === work.due.task.version && current.task.state === 'active';
}

/** Invokes the target, retrying transient errors with backoff; the error text when it failed for good. */
async function deliver(
  run: TickRun,
  work: TaskWork,
  event: DeliveryEvent,
  lease: Lease,
): Promise<string | undefined> {
  const { deps, options } = run;
  const random = deps.random ?? Math.random;
  const { task } = work.due;
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
      // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), kept inside the lease so
      // no other tick takes the occurrence over while this one still retries it.
      const backoff = random() * Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
      const at = deps.clock.now() + backoff;
      if (at >= lease.until) return text;
      run.log('warn', 'invoke failed, retrying', { taskId: task.id, attempt, error: text });
      work.retrying = true;
      await deps.clock.sleepUntil(at).finally(() => {
        work.retrying = false;
      });
    }
  }
}
