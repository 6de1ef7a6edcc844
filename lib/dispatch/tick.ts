import pLimit from 'p-limit';
import type { Clock } from '../clock';
import type { DispatchStore } from '../store/dispatch-store';
import type { DueTask, Lease } from '../store/items';
import { toIso } from '../task/model';
import { planDue } from '../task/plan';
import type { DeliveryEvent, Run } from '../task/schemas';
import type { Invoker } from './invoker';

export interface TickDeps {
  store: DispatchStore;
  invoker: Invoker;
  clock: Clock;
  newRunId: () => string;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface TickOptions {
  /** How long a claim is held before another tick may re-deliver it. */
  leaseMs: number;
  /** Occurrences processed at once. */
  concurrency: number;
}

export const DEFAULT_TICK_OPTIONS: TickOptions = { leaseMs: 5 * 60_000, concurrency: 32 };

export interface TickReport {
  /** Occurrences this tick won. */
  claimed: number;
  delivered: number;
  failed: number;
  /** Due items another writer took first. */
  lost: number;
}

/**
 * One pass of the scheduler: query every shard of the due index in parallel, claim each due occurrence
 * with a conditional write, invoke its target, record the run and release the claim.
 * One failing task never stops the others.
 */
export async function runTick(
  deps: TickDeps,
  options: TickOptions = DEFAULT_TICK_OPTIONS,
): Promise<TickReport> {
  const report: TickReport = { claimed: 0, delivered: 0, failed: 0, lost: 0 };
  const now = deps.clock.now();
  const limit = pLimit(options.concurrency);
  const work: Promise<void>[] = [];
  const shards = Array.from({ length: deps.store.shards }, (_, shard) => shard);
  await Promise.all(
    shards.map(async (shard) => {
      for await (const due of deps.store.queryDue(shard, now)) {
        work.push(
          limit(() =>
            processDue(deps, options, due, now, report).catch((error) => {
              report.failed++;
              deps.log?.('error', 'task processing failed', { taskId: due.task.id, error: String(error) });
            }),
          ),
        );
      }
    }),
  );
  await Promise.all(work);
  return report;
}

async function processDue(
  deps: TickDeps,
  options: TickOptions,
  due: DueTask,
  now: number,
  report: TickReport,
) {
  const { task } = due;
  let lease: Lease;
  if (due.lease) {
    // A tick claimed this occurrence and never acknowledged it: deliver it again with the same runId.
    lease = { ...due.lease, attempt: due.lease.attempt + 1, until: now + options.leaseMs };
    if (!(await deps.store.renewLease(due, lease))) {
      report.lost++;
      return;
    }
  } else {
    // One occurrence per claim today (horizon = now); look-ahead claims come with second precision.
    const plan = planDue(task, due.dueAt, now);
    const first = plan.fire[0];
    if (!first) return;
    const { runCount, nextRunAt } = plan;
    lease = {
      runId: deps.newRunId(),
      scheduledAt: first.scheduledAt,
      source: 'schedule',
      attempt: 1,
      until: now + options.leaseMs,
    };
    if (!(await deps.store.claim(due, lease, { nextRunAt, runCount }))) {
      report.lost++;
      return;
    }
    task.runCount = runCount;
    task.nextRunAt = nextRunAt === null ? null : toIso(nextRunAt);
  }
  report.claimed++;
  await deps.clock.sleepUntil(lease.scheduledAt);
  const event: DeliveryEvent = {
    taskId: task.id,
    group: task.group,
    runId: lease.runId,
    scheduledAt: toIso(lease.scheduledAt),
    firedAt: toIso(deps.clock.now()),
    attempt: lease.attempt,
    source: lease.source,
    payload: task.payload,
  };
  const { payload: _payload, group: _group, ...runFields } = event;
  const run: Run = { ...runFields, status: 'delivered' };
  try {
    await deps.invoker.invoke(task.target, event);
    report.delivered++;
  } catch (error) {
    run.status = 'failed';
    run.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    report.failed++;
    deps.log?.('warn', 'invoke failed', { taskId: task.id, runId: lease.runId, error: run.error });
  }
  await deps.store.putRun(run);
  await deps.store.release(task, lease.runId);
}
