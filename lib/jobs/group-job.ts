import type { Clock } from '../clock';
import type { Log } from '../log';
import type { JobRecord, JobStore } from '../store/job-store';
import type { TaskStore } from '../store/task-store';
import { type GroupAction, MAX_JOB_FAILURES } from '../task/schemas';
import { applyGroupAction, GROUP_CONCURRENCY } from './group-action';

/** Tasks read and changed between two checkpoints. */
export const JOB_PAGE_SIZE = 500;
/**
 * How long a runner's lease lasts past its last checkpoint. A runner that dies is replaced (by Lambda's
 * retry, or by the next poll of the job) once it expires; a page takes about a second.
 */
export const JOB_LEASE_MS = 60_000;
/** A runner stops this long before its deadline, checkpoints, and hands the job to a fresh invocation. */
export const JOB_DEADLINE_MARGIN_MS = 60_000;

export interface JobRunnerDeps {
  store: TaskStore;
  jobs: JobStore;
  clock: Clock;
  log?: Log;
  concurrency?: number;
  pageSize?: number;
  /** Test hook, called after every checkpoint: throwing stops the runner there, as a crash would. */
  afterCheckpoint?: (record: JobRecord) => Promise<void>;
}

/** How a runner's turn ended: finished, out of time (start another), or someone else holds the job. */
export type RunResult = 'done' | 'continue' | 'not-running';

/**
 * Runs a group job from its checkpoint: page by page over the group index, each page's tasks changed with
 * their own conditional writes, then one checkpoint (progress and position, conditional on the lease).
 * Idempotent: a page redone after a crash finds its tasks changed already (pause, resume and delete are
 * no-ops the second time), so each task is changed once, and counts only land with the checkpoint.
 */
export async function runGroupJob(
  deps: JobRunnerDeps,
  jobId: string,
  runner: { owner: string; deadline: number },
): Promise<RunResult> {
  const { jobs, clock } = deps;
  const claimed = await jobs.claim(jobId, runner.owner, clock.now(), clock.now() + JOB_LEASE_MS);
  if (!claimed) return 'not-running';
  const { group, action } = claimed.job;
  if (!group || action === 'reindex') throw new Error(`job ${jobId} is not a group job`);
  let record: JobRecord | undefined = await counted(deps, claimed, group);
  while (record) {
    if (clock.now() >= runner.deadline - JOB_DEADLINE_MARGIN_MS) {
      // Out of time: release the lease, so the next invocation takes over at once.
      const progress = record.job;
      const released = await jobs.checkpoint(
        record,
        { progress, position: record.position, leaseUntil: 0 },
        clock.now(),
      );
      return released ? 'continue' : 'not-running';
    }
    record = await runPage(deps, record, group, action);
    if (record && record.position === undefined) {
      if (!(await jobs.finish(record, clock.now()))) return 'not-running';
      deps.log?.('info', 'group job done', { ...record.job });
      return 'done';
    }
  }
  return 'not-running';
}

/** The record with the group's size as `total`, counted once per job (undefined: the lease was lost). */
async function counted(deps: JobRunnerDeps, record: JobRecord, group: string) {
  if (record.job.total !== null) return record;
  const total = await deps.store.countGroup(group);
  const lease = deps.clock.now() + JOB_LEASE_MS;
  const progress = { ...record.job, total };
  return deps.jobs.checkpoint(
    record,
    { progress, position: record.position, leaseUntil: lease },
    deps.clock.now(),
  );
}

/** One page of the group changed, then its checkpoint; the new record (undefined: the lease was lost). */
async function runPage(deps: JobRunnerDeps, record: JobRecord, group: string, action: GroupAction) {
  const { store, clock } = deps;
  const start = record.position === undefined ? undefined : JSON.parse(record.position);
  const page = await store.groupPage(group, start, deps.pageSize ?? JOB_PAGE_SIZE);
  const concurrency = deps.concurrency ?? GROUP_CONCURRENCY;
  const outcome = await applyGroupAction(store, action, page.tasks, () => clock.now(), concurrency);
  const { job } = record;
  const done = job.done + page.tasks.length;
  const progress = {
    // Tasks created in the group while the job runs are processed too: the total never trails.
    total: Math.max(job.total ?? 0, done),
    done,
    changed: job.changed + outcome.changed,
    failed: job.failed + outcome.failed,
    failures: [...job.failures, ...outcome.failures].slice(0, MAX_JOB_FAILURES),
  };
  const position = page.next === undefined ? undefined : JSON.stringify(page.next);
  const lease = clock.now() + JOB_LEASE_MS;
  const next = await deps.jobs.checkpoint(record, { progress, position, leaseUntil: lease }, clock.now());
  if (next) await deps.afterCheckpoint?.(next);
  return next;
}
