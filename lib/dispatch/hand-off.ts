import type { HandOff, HandOffResult } from '../store/dispatch-store';
import { type DueTask, dueAtOf } from '../store/items';
import { planDue } from '../task/plan';
import { type FireEntry, fireMessages } from './fire-message';
import type { TickRun } from './tick-run';

/** What the tick does for one due task: the entries it sends, then the hand-off it records. */
interface TaskHandOff {
  entries: FireEntry[];
  ack: HandOff;
}

/**
 * Hands a chunk of due tasks to the fire queue: every occurrence firing by the horizon becomes an entry
 * of the message of its second; once the messages are sent, each task records its hand-off. A task
 * whose messages could not all be sent records nothing, so the next tick plans it again.
 */
export async function handOffChunk(run: TickRun, dues: DueTask[]): Promise<void> {
  const plans = dues.flatMap((due) => {
    try {
      return planHandOff(run, due) ?? [];
    } catch (error) {
      // One task that cannot be planned (a schedule this version cannot read) never holds up the others.
      run.report.errors++;
      run.log('error', 'task could not be planned', { taskId: due.task.id, error: String(error) });
      return [];
    }
  });
  const messages = fireMessages(
    plans.flatMap((p) => p.entries),
    run.deps.clock.now(),
  );
  const failed = await run.deps.queue.send(messages);
  const unsent = new Set([...failed].flatMap((i) => messages[i]?.taskIds ?? []));
  run.report.messages += messages.length - failed.size;
  run.report.unsent += unsent.size;
  const sent = plans.filter((p) => !unsent.has(p.ack.seen.task.id));
  await run.deps.faults?.afterSend?.(sent.map((p) => p.ack.seen.task.id));
  const batches = Array.from({ length: Math.ceil(sent.length / 25) }, (_, i) =>
    sent.slice(i * 25, i * 25 + 25),
  );
  await Promise.all(batches.map((batch) => run.writeLimit(() => record(run, batch))));
}

/** The entries and hand-off of one due task, or undefined when it needs nothing now. */
function planHandOff(run: TickRun, due: DueTask): TaskHandOff | undefined {
  const { task } = due;
  const entries: FireEntry[] = due.manualRuns.map((m) => ({
    taskId: task.id,
    scheduledAt: m.requestedAt,
    fireAt: m.requestedAt,
    runId: m.runId,
  }));
  const scheduled = task.nextRunAt === null ? null : Date.parse(task.nextRunAt);
  const ack: HandOff = { seen: due, nextRunAt: scheduled, now: run.started };
  if (task.state !== 'active' || scheduled === null) {
    // Out of the schedule: only a legacy run-now list, or an index key to repair, brings it here.
    return entries.length || dueAtOf(task) !== due.dueAt ? { entries, ack } : undefined;
  }
  const plan = planDue(task, due.dueAt, run.started, run.horizon);
  run.report.skipped += plan.skipped;
  ack.nextRunAt = plan.nextRunAt;
  const first = plan.fire[0];
  const last = plan.fire.at(-1);
  if (!first || !last) {
    const moved = plan.nextRunAt !== scheduled || dueAtOf(task) !== due.dueAt;
    return entries.length || moved ? { entries, ack } : undefined;
  }
  const token = run.newToken();
  const seen = { version: task.version, dueAt: due.dueAt };
  for (const fire of plan.fire) entries.push({ taskId: task.id, token, seen, ...fire });
  ack.handoff = {
    token,
    through: last.scheduledAt,
    record: {
      at: run.started,
      from: first.scheduledAt,
      count: plan.fire.length,
      lastFire: Math.max(...plan.fire.map((f) => f.fireAt)),
      runCountBefore: task.runCount,
      lastRunAtBefore: task.lastRunAt === null ? null : Date.parse(task.lastRunAt),
    },
  };
  return { entries, ack };
}

/** Records the hand-offs of up to 25 tasks; a refused one's messages are void (see DispatchStore.handOff). */
async function record(run: TickRun, plans: TaskHandOff[]): Promise<void> {
  const { report } = run;
  let results: HandOffResult[];
  try {
    results = await run.deps.store.handOff(plans.map((p) => p.ack));
  } catch (error) {
    // The table is down or refuses the call: the messages are void, the next tick hands off again.
    results = plans.map(() => 'failed');
    run.log('error', 'hand-off failed', { tasks: plans.length, error: String(error) });
  }
  results.forEach((result, i) => {
    const ack = plans[i]?.ack;
    if (!ack) return;
    if (result === 'done') {
      report.handedOff += ack.handoff?.record.count ?? 0;
      report.manual += ack.seen.manualRuns.length;
    } else if (result === 'refused') report.refused++;
    else report.errors++;
  });
}
