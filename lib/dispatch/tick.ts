import { acknowledge } from './acknowledge';
import { checkAdvancing, collectDue } from './collect-due';
import { fireOne } from './fire';
import { type Occurrence, planWork, type TaskWork } from './task-work';
import type { TickReport } from './tick-report';
import type { TickRequest } from './tick-request';
import { DEFAULT_TICK_OPTIONS, type TickDeps, type TickOptions, TickRun } from './tick-run';

export { emptyTickReport, type TickReport } from './tick-report';
export { parseTickRequest, type ShardRange, TickRequest } from './tick-request';
export { DEFAULT_TICK_OPTIONS, type TickDeps, type TickFaults, type TickOptions } from './tick-run';

/**
 * One pass of the scheduler: query the due index (every shard of the range in parallel, every page),
 * plan each due task's occurrences up to now + look-ahead, and fire each at its second: claim it (its
 * run record), invoke its target, acknowledge the task. One failing task never stops the others.
 * An overloaded tick hands whole shards to other ticks (`deps.fanOut`).
 */
export async function runTick(
  deps: TickDeps,
  overrides: Partial<TickOptions> = {},
  request: TickRequest = {},
): Promise<TickReport> {
  const run = new TickRun(deps, { ...DEFAULT_TICK_OPTIONS, ...overrides });
  const found = await collectDue(run, request);
  const dueTasks = request.manualOnly ? found.filter((due) => due.manualRuns.length > 0) : found;
  for (const due of dueTasks) checkAdvancing(run, due);
  const works = dueTasks.map((due) => planWork(due, run.started, run.horizon, request.manualOnly));
  // Fire in time order across all tasks; each task's occurrences stay sequential (see recovery).
  const timeline = works
    .flatMap((work) => work.occurrences.map((occurrence) => ({ work, occurrence })))
    .sort((a, b) => a.occurrence.fireAt - b.occurrence.fireAt);
  for (const { work, occurrence } of timeline) await schedule(run, work, occurrence);
  await Promise.all(works.map((work) => finish(run, work)));
  return run.report;
}

/** Starts an occurrence at its second, after the task's previous one; returns once it has begun. */
async function schedule(run: TickRun, work: TaskWork, occurrence: Occurrence): Promise<void> {
  const { clock } = run.deps;
  if (occurrence.fireAt > clock.now()) await clock.sleepUntil(occurrence.fireAt);
  // Wait for a task still busy with its previous occurrence, unless it is backing off a retry.
  const wait = !work.retrying;
  let start = () => {};
  const taken = new Promise<void>((resolve) => {
    start = resolve;
  });
  work.chain = work.chain.then(() =>
    run.limit(() => {
      // fireOne reads the clock before its first await: once it has started, the loop may move on.
      const fired = work.stopped ? Promise.resolve() : fireOne(run, work, occurrence);
      start();
      return fired;
    }),
  );
  work.chain.catch(() => start());
  // Wait until the occurrence has taken its slot and its time (back-pressure, and a manual clock in
  // tests must not run ahead of it); a task backing off a retry never holds up the others.
  if (wait) await taken;
}

/** Acknowledges a task once its occurrences are done; a failure is logged and counted, never thrown. */
function finish(run: TickRun, work: TaskWork): Promise<void> {
  return work.chain
    .then(() => run.limit(() => acknowledge(run, work)))
    .catch((error) => {
      run.report.failed++;
      run.log('error', 'task processing failed', { taskId: work.due.task.id, error: String(error) });
    });
}
