import type { Acknowledgement } from '../store/dispatch-store';
import { dueAtOf } from '../store/items';
import type { TaskWork } from './task-work';
import type { TickRun } from './tick-run';

/** Acknowledges what this tick settled for one task (see DispatchStore.acknowledge). */
export async function acknowledge(run: TickRun, work: TaskWork): Promise<void> {
  const { plan, lastSettled, due } = work;
  const scheduled =
    due.task.state === 'active' && due.task.nextRunAt ? Date.parse(due.task.nextRunAt) : undefined;
  // A plan that fired nothing but skipped missed occurrences still moves the task on (or completes it).
  const skippedOnly = plan !== undefined && plan.fire.length === 0 && plan.nextRunAt !== (scheduled ?? null);
  const expected = dueAtOf(due.task, due.manualRuns);
  // Nothing settled: acknowledge only to repair an item whose dueAt is not what it should be.
  if (
    work.manualDone === 0 &&
    lastSettled === undefined &&
    !skippedOnly &&
    (work.occurrences.length || expected === due.dueAt || expected === undefined)
  )
    return;
  let schedule: Acknowledgement['schedule'];
  if (plan && skippedOnly) {
    schedule = { nextRunAt: plan.nextRunAt, fired: 0 };
  } else if (plan && lastSettled !== undefined) {
    // A take-over may settle an occurrence the plan coalesced away: count what lies at or before it.
    const fired = plan.fire.filter((f) => f.scheduledAt <= lastSettled).length;
    // Stopped part-way (paused, changed, or held by another tick): resume after the last one settled.
    const next =
      fired === plan.fire.length ? plan.nextRunAt : (plan.fire[fired]?.scheduledAt ?? plan.nextRunAt);
    schedule = { nextRunAt: next, fired: work.fired, lastRunAt: lastSettled };
  }
  // An occurrence another tick held is settled by now, or its holder may have died: cap at it if unsure.
  const held =
    work.firstHeld &&
    (await run.deps.store.readRun(due.task.id, work.firstHeld.runId))?.run.status === 'claimed'
      ? work.firstHeld
      : undefined;
  if (schedule && held && (schedule.nextRunAt === null || held.scheduledAt < schedule.nextRunAt)) {
    schedule = { ...schedule, nextRunAt: held.scheduledAt };
  }
  await run.deps.store.acknowledge({
    seen: work.due,
    manualDone: work.manualDone,
    schedule,
    lastError: work.lastError,
  });
}
