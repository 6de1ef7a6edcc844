import { ulid } from 'ulid';
import type { Clock } from '../clock';
import type { TickRequest } from '../dispatch/tick-request';
import { GroupBusyError, JobNotFoundError, TaskBusyError } from '../errors';
import { applyGroupAction } from '../jobs/group-action';
import { JOB_LEASE_MS } from '../jobs/group-job';
import type { Log } from '../log';
import { type Job, type JobRecord, type JobStore, newJob } from '../store/job-store';
import type { TaskStore } from '../store/task-store';
import { type GroupAction, GroupId, type GroupJob, type GroupResult, JobId } from '../task/schemas';
import { parseOrThrow } from '../task/validate';

/**
 * Groups up to this size are changed within the request: at the rate measured on DynamoDB Local
 * (bench/group-ops.ts) that is about a second, far inside API Gateway's 29 s. Larger ones become a job.
 */
export const GROUP_REQUEST_LIMIT = 1000;

/** A group operation's answer: done in the request (200), or a job to follow (202). */
export type GroupAnswer = { status: 200; result: GroupResult } | { status: 202; job: GroupJob };

export interface GroupServiceDeps {
  store: TaskStore;
  jobs: JobStore;
  clock: Clock;
  /** Starts a runner for a job (an asynchronous invocation of the job function). */
  startJob: (jobId: string) => Promise<void>;
  log?: Log;
  /** The largest group changed within the request (default GROUP_REQUEST_LIMIT). */
  requestLimit?: number;
  /** Starts a full tick after a group resumed in the request, so its due tasks fire on time. */
  nudge?: (request: TickRequest) => Promise<void>;
}

/** Group pause, resume and delete of any size, and the jobs that carry the large ones. */
export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  pauseGroup(group: string): Promise<GroupAnswer> {
    return this.act('pause', group);
  }

  resumeGroup(group: string): Promise<GroupAnswer> {
    return this.act('resume', group);
  }

  deleteGroup(group: string): Promise<GroupAnswer> {
    return this.act('delete', group);
  }

  /** A job's progress; a job whose runner died long ago is given a new one on the way. */
  async getJob(id: string): Promise<GroupJob> {
    const record = await this.deps.jobs.readJob(parseOrThrow(JobId, id, 'id'));
    if (!record || record.job.action === 'reindex') throw new JobNotFoundError(id);
    await this.revive(record);
    return record.job as GroupJob;
  }

  private async act(action: GroupAction, input: string): Promise<GroupAnswer> {
    const group = parseOrThrow(GroupId, input, 'group');
    const running = await this.deps.jobs.runningJobOfGroup(group);
    if (running) return this.join(running, action, group);
    const limit = this.deps.requestLimit ?? GROUP_REQUEST_LIMIT;
    // One more than the limit tells a small group from a large one without reading the large one.
    const page = await this.deps.store.groupPage(group, undefined, limit + 1);
    if (page.tasks.length <= limit && page.next === undefined) {
      const outcome = await applyGroupAction(this.deps.store, action, page.tasks, () =>
        this.deps.clock.now(),
      );
      const failure = outcome.failures[0];
      // Safe to retry: every task already changed is a no-op the second time.
      if (failure) throw new TaskBusyError(failure.taskId);
      if (action === 'resume' && outcome.changed > 0) await this.nudge();
      return { status: 200, result: { group, matched: page.tasks.length, changed: outcome.changed } };
    }
    const { record, created } = await this.deps.jobs.startGroupJob(this.newJob(action, group));
    if (!created) return this.join(record, action, group);
    await this.deps.startJob(record.job.id);
    return { status: 202, job: record.job as GroupJob };
  }

  /**
   * A group may be a thousand tasks: one full tick (not a nudge per task) hands off whichever are due
   * before the next minute's. Best effort: a failure leaves them to that tick.
   */
  private async nudge(): Promise<void> {
    await this.deps
      .nudge?.({ nudge: true })
      .catch((error) =>
        this.deps.log?.('warn', 'could not start a tick for new work', { error: String(error) }),
      );
  }

  /** The same operation again while its job runs is that job (a retried request); another one waits. */
  private async join(running: JobRecord, action: GroupAction, group: string): Promise<GroupAnswer> {
    if (running.job.action !== action) {
      throw new GroupBusyError(group, { id: running.job.id, action: running.job.action });
    }
    await this.revive(running);
    return { status: 202, job: running.job as GroupJob };
  }

  /**
   * Starts a runner for a running job nobody runs (its lease expired, and it made no progress for a
   * lease's length): the job continues from its checkpoint. Best effort; a duplicate runner finds the
   * lease taken and stops.
   */
  private async revive(record: JobRecord): Promise<void> {
    const now = this.deps.clock.now();
    const idle = now - Date.parse(record.job.updatedAt);
    if (record.job.status !== 'running' || record.leaseUntil > now || idle < JOB_LEASE_MS) return;
    await this.deps.startJob(record.job.id).catch((error) =>
      this.deps.log?.('warn', 'could not restart a group job', {
        jobId: record.job.id,
        error: String(error),
      }),
    );
  }

  private newJob(action: GroupAction, group: string): Job & { group: string } {
    const now = this.deps.clock.now();
    return newJob({ id: ulid(now), action, group }, now);
  }
}
