import type { DueTask } from '../store/items';
import type { TickRequest } from './tick-request';
import type { TickRun } from './tick-run';

interface ShardPage {
  shard: number;
  items: DueTask[];
  /** The root stopped reading this shard early: it has more than the root's share. */
  more: boolean;
}

/** The due tasks of this tick's shards; an overloaded root tick hands shards it cannot serve to others. */
export async function collectDue(run: TickRun, request: TickRequest): Promise<DueTask[]> {
  const { deps, options } = run;
  const range = request.shards ?? { from: 0, to: deps.store.shards };
  const shards = Array.from({ length: Math.max(0, range.to - range.from) }, (_, i) => range.from + i);
  const isRoot = !request.shards;
  const perShard = isRoot && deps.fanOut ? Math.max(1, Math.ceil(options.maxDuePerTick / shards.length)) : 0;
  const pages = await Promise.all(shards.map((shard) => readShard(run, shard, perShard)));
  const overloaded = pages.filter((p) => p.more);
  if (overloaded.length === 0 || !deps.fanOut) return pages.flatMap((p) => p.items);
  // Every overloaded shard but the first goes to a tick of its own; this tick serves the first in full.
  const [mine, ...others] = overloaded;
  const kept = await fanOut(run, others);
  const own = pages.filter((p) => !p.more).flatMap((p) => p.items);
  for (const shard of [...(mine ? [mine.shard] : []), ...kept]) {
    for await (const due of deps.store.queryDue(shard, run.horizon)) own.push(due);
  }
  run.log('info', 'tick fanned out', { shards: others.map((p) => p.shard) });
  return own;
}

async function readShard(run: TickRun, shard: number, perShard: number): Promise<ShardPage> {
  const items: DueTask[] = [];
  for await (const due of run.deps.store.queryDue(shard, run.horizon)) {
    // Only the root stops early, to see whether it needs help; a worker serves its whole range.
    if (perShard && items.length >= perShard) return { shard, items, more: true };
    items.push(due);
  }
  return { shard, items, more: false };
}

/** Starts a tick per shard; returns the shards whose tick could not be started (served here). */
async function fanOut(run: TickRun, pages: ShardPage[]): Promise<number[]> {
  const kept: number[] = [];
  await Promise.all(
    pages.map(async (p) => {
      try {
        await run.deps.fanOut?.({ from: p.shard, to: p.shard + 1 });
        run.report.fannedOut++;
      } catch (error) {
        // Throttled or refused: this tick serves the shard itself rather than leave it unserved.
        run.log('warn', 'fan-out failed; serving the shard here', { shard: p.shard, error: String(error) });
        kept.push(p.shard);
      }
    }),
  );
  return kept;
}

/**
 * Every acknowledgement moves nextRunAt past the occurrences it settles, so an active task whose
 * nextRunAt is not after its lastRunAt has stopped advancing: its acknowledgements keep failing.
 */
export function checkAdvancing(run: TickRun, { task }: DueTask): void {
  if (task.state !== 'active' || task.nextRunAt === null || task.lastRunAt === null) return;
  if (Date.parse(task.nextRunAt) > Date.parse(task.lastRunAt)) return;
  run.report.stalled++;
  run.log('error', 'task stopped advancing: nextRunAt is not after lastRunAt', {
    taskId: task.id,
    nextRunAt: task.nextRunAt,
    lastRunAt: task.lastRunAt,
  });
}
