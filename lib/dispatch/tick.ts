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
  if (request.tasks) await handOff(run, await readNudged(run, request.tasks));
  else await whileHolding(run, request, async () => handOff(run, await collectDue(run, request)));
  return run.report;
}

/** Runs `work` under the lease of the request's shards; skips it when another live tick holds them. */
async function whileHolding(run: TickRun, request: TickRequest, work: () => Promise<void>): Promise<void> {
  const { from, to } = request.shards ?? { from: 0, to: run.deps.store.shards };
  const owner = run.newToken();
  const { store } = run.deps;
  if (!(await store.holdTick(from, to, owner, run.started, run.started + run.options.leaseMs))) {
    run.report.overlapped++;
    run.log('info', 'another tick holds these shards; skipped', { from, to });
    return;
  }
  try {
    await work();
  } finally {
    await store.releaseTick(from, to, owner);
  }
}

/** Hands off every due task, earliest first, in chunks. */
async function handOff(run: TickRun, due: DueTask[]): Promise<void> {
  run.report.due += due.length;
  for (const task of due) checkAdvancing(run, task);
  due.sort((a, b) => a.dueAt - b.dueAt);
  const chunks: DueTask[][] = [];
  for (let i = 0; i < due.length; i += run.options.chunkSize) {
    chunks.push(due.slice(i, i + run.options.chunkSize));
  }
  await Promise.all(chunks.map((chunk) => run.chunkLimit(() => handOffChunk(run, chunk))));
}

/** The tasks of a nudge that are due by the horizon (the API nudges after a write makes one due). */
async function readNudged(run: TickRun, ids: string[]): Promise<DueTask[]> {
  const found = await run.deps.store.getDueTasks(ids);
  return [...found.values()].filter((d) => d.dueAt !== undefined && d.dueAt <= run.horizon);
}
