import type { DueTask } from '../store/items';
import { checkAdvancing, collectDue } from './collect-due';
import { handOffChunk } from './hand-off';
import type { TickReport } from './tick-report';
import type { TickRequest } from './tick-request';
import { DEFAULT_TICK_OPTIONS, type TickDeps, type TickOptions, TickRun } from './tick-run';

export { emptyTickReport, type TickReport } from './tick-report';
export { MAX_NUDGE_TASKS, parseTickRequest, type ShardRange, TickRequest } from './tick-request';
export { DEFAULT_TICK_OPTIONS, type TickDeps, type TickFaults, type TickOptions } from './tick-run';

/**
 * One pass of the scheduler: read what is due up to now + look-ahead (every shard of the range in
 * parallel, or the tasks a nudge names), and hand each task's occurrences to the fire queue, where
 * each waits for its second. The tick never invokes a target and never sleeps: it ends in milliseconds.
 * An overloaded tick hands whole shards to other ticks (`deps.fanOut`).
 */
export async function runTick(
  deps: TickDeps,
  overrides: Partial<TickOptions> = {},
  request: TickRequest = {},
): Promise<TickReport> {
  const run = new TickRun(deps, { ...DEFAULT_TICK_OPTIONS, ...overrides });
  // EventBridge does not start a tick while the scheduler is paused; the API's nudges must not either.
  if (request.nudge && (await deps.store.readScheduler()).paused) return run.report;
  const due = request.tasks ? await readNudged(run, request.tasks) : await collectDue(run, request);
  run.report.due = due.length;
  for (const task of due) checkAdvancing(run, task);
  due.sort((a, b) => a.dueAt - b.dueAt);
  const chunks: DueTask[][] = [];
  for (let i = 0; i < due.length; i += run.options.chunkSize) {
    chunks.push(due.slice(i, i + run.options.chunkSize));
  }
  await Promise.all(chunks.map((chunk) => run.chunkLimit(() => handOffChunk(run, chunk))));
  return run.report;
}

/** The tasks of a nudge that are due by the horizon (the API nudges after a write makes one due). */
async function readNudged(run: TickRun, ids: string[]): Promise<DueTask[]> {
  const found = await run.deps.store.getDueTasks(ids);
  return [...found.values()].filter((d) => d.dueAt !== undefined && d.dueAt <= run.horizon);
}
