import type { Clock } from '../clock';
import type { Log } from '../log';
import { type Job, type JobStore, newJob } from '../store/job-store';
import type { ListingRepair } from '../store/listing-repair';
import { JOB_DEADLINE_MARGIN_MS, JOB_LEASE_MS, type RunResult } from './group-job';

/**
 * The one reindex job of a table: its id names the index it fills, so a second deploy (or a second
 * `{"reindex": true}`) finds it done and does nothing; `{"reindex": "again"}` runs it once more.
 */
export const REINDEX_JOB_ID = 'reindex-list-index';

export interface ReindexDeps {
  repair: ListingRepair;
  jobs: JobStore;
  clock: Clock;
  log?: Log;
  /** Items scanned per checkpoint. */
  pageSize?: number;
}

/**
 * Gives every task item the list-index keys it lacks, from a checkpoint, as a table scan (the only
 * one Sundial does: once per upgrade, in the background). Idempotent: an item already listed is
 * skipped, and each write is conditional on the state and group it was computed from.
 */
export async function runReindex(
  deps: ReindexDeps,
  runner: { owner: string; deadline: number; again?: boolean },
): Promise<RunResult> {
  const { jobs, repair, clock } = deps;
  const fresh: Job = newJob({ id: REINDEX_JOB_ID, action: 'reindex' }, clock.now());
  const now = fresh.createdAt;
  const existing = await jobs.ensureJob(fresh);
  if (existing.job.status === 'done' && !(runner.again && (await jobs.restart(REINDEX_JOB_ID, now)))) {
    return 'done';
  }
  let record = await jobs.claim(REINDEX_JOB_ID, runner.owner, clock.now(), clock.now() + JOB_LEASE_MS);
  if (!record) return 'not-running';
  for (;;) {
    if (clock.now() >= runner.deadline - JOB_DEADLINE_MARGIN_MS) {
      const released = await jobs.checkpoint(
        record,
        { progress: record.job, position: record.position, leaseUntil: 0 },
        clock.now(),
      );
      return released ? 'continue' : 'not-running';
    }
    const start = record.position === undefined ? undefined : JSON.parse(record.position);
    const page = await repair.scanTasks(start, deps.pageSize);
    let changed = 0;
    for (const item of page.items) if (!repair.isListed(item) && (await repair.repair(item))) changed++;
    const done = record.job.done + page.items.length;
    const position = page.next === undefined ? undefined : JSON.stringify(page.next);
    const progress = {
      ...record.job,
      total: position === undefined ? done : null,
      done,
      changed: record.job.changed + changed,
    };
    record = await jobs.checkpoint(
      record,
      { progress, position, leaseUntil: clock.now() + JOB_LEASE_MS },
      clock.now(),
    );
    if (!record) return 'not-running';
    if (position === undefined) {
      if (!(await jobs.finish(record, clock.now(), true))) return 'not-running';
      deps.log?.('info', 'reindex done', { tasks: done, indexed: progress.changed });
      return 'done';
    }
  }
}
