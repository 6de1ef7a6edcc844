import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { GroupAction, GroupJob } from '../task/schemas';
import { isConditionFailure, TableAdapter } from './items';
import { groupJobLockKey, jobKey } from './schema';

/** A job as stored: a group job, or the table's reindex (lib/jobs/reindex.ts), which has no group. */
export type Job = Omit<GroupJob, 'action' | 'group' | 'id'> & {
  id: string;
  action: GroupAction | 'reindex';
  group?: string;
};

/** A job with its checkpoint and lease: what its runner needs. */
/** A job as it starts: running, nothing counted yet. */
export function newJob<T extends Pick<Job, 'id' | 'action'>>(fields: T, now: number): Job & T {
  const at = new Date(now).toISOString();
  return {
    status: 'running',
    total: null,
    done: 0,
    changed: 0,
    failed: 0,
    failures: [],
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

export interface JobRecord {
  job: Job;
  /** Where the runner continues (a DynamoDB key as JSON); absent at the start and at the end. */
  position?: string;
  /** Checkpoints written so far: each checkpoint is conditional on the one before. */
  step: number;
  /** Epoch ms until which `leaseOwner` runs the job; 0 when nobody does. */
  leaseUntil: number;
  leaseOwner?: string;
}

/** Counts and checkpoint a runner writes after each page. */
export interface Checkpoint {
  progress: Pick<Job, 'total' | 'done' | 'changed' | 'failed' | 'failures'>;
  position?: string;
  leaseUntil: number;
}

/** Finished jobs stay readable this long, then TTL removes them. */
const KEEP_FINISHED_SECONDS = 7 * 86_400;

// Condition parts, named by the race each closes.
/** Two creations of one job id (a retried request): only the first lands. */
const jobAbsent = 'attribute_not_exists(pk)';
/** One job per group: a second job waits for the first to finish. */
const groupFree = 'attribute_not_exists(pk)';
/** A runner writes only while it holds the lease and nobody checkpointed since it read. */
const stillMine = 'step = :step AND leaseOwner = :owner';
/** Two runners (a duplicate or retried invocation): only one holds the lease at a time. */
const leaseFree = '#status = :running AND (leaseUntil <= :now OR leaseOwner = :owner)';

/** Group jobs and their locks: one item per job, one per group while a job runs on it. */
export class JobStore extends TableAdapter {
  /**
   * Creates a group job and takes its group, in one transaction. When a job already runs on the group
   * that one is returned instead (`created: false`), whatever its action: the caller decides.
   */
  async startGroupJob(job: Job & { group: string }): Promise<{ record: JobRecord; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: this.jobItem(job), ConditionExpression: jobAbsent } },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...groupJobLockKey(job.group), jobId: job.id, action: job.action },
                  ConditionExpression: groupFree,
                },
              },
            ],
          }),
        );
        return { record: { job, step: 0, leaseUntil: 0 }, created: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || attempt >= 5) throw error;
        const running = await this.runningJobOfGroup(job.group);
        if (running) return { record: running, created: false };
        // The other job finished in between: try again.
      }
    }
  }

  /** The job running on a group, if any; a lock left by a finished job is cleared on the way. */
  async runningJobOfGroup(group: string): Promise<JobRecord | undefined> {
    const { Item: lock } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: groupJobLockKey(group), ConsistentRead: true }),
    );
    if (!lock) return undefined;
    const record = await this.readJob(lock.jobId as string);
    if (record && record.job.status === 'running') return record;
    await this.doc
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: groupJobLockKey(group),
          // Only the stale lock goes: a job that took the group meanwhile keeps it.
          ConditionExpression: 'jobId = :jobId',
          ExpressionAttributeValues: { ':jobId': lock.jobId },
        }),
      )
      .catch((error) => {
        if (!isConditionFailure(error)) throw error;
      });
    return undefined;
  }

  /** Creates a job that takes no group (the reindex) unless one with its id exists; returns the stored one. */
  async ensureJob(job: Job): Promise<JobRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.jobItem(job),
          ConditionExpression: jobAbsent,
        }),
      );
      return { job, step: 0, leaseUntil: 0 };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.readJob(job.id);
      if (!existing) throw error;
      return existing;
    }
  }

  /** Runs a finished job once more from the start; false when it is not finished (it runs already). */
  async restart(jobId: string, now: string): Promise<boolean> {
    const restarted = await this.update(jobId, {
      ConditionExpression: '#status = :done',
      UpdateExpression:
        'SET #status = :running, #total = :null, done = :zero, changed = :zero, failed = :zero, failures = :none, updatedAt = :now, leaseUntil = :zero REMOVE finishedAt, expiresAt, #position',
      ExpressionAttributeNames: { '#status': 'status', '#total': 'total', '#position': 'position' },
      ExpressionAttributeValues: {
        ':done': 'done',
        ':running': 'running',
        ':null': null,
        ':zero': 0,
        ':none': [],
        ':now': now,
      },
    });
    return restarted !== undefined;
  }

  async readJob(jobId: string): Promise<JobRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: jobKey(jobId), ConsistentRead: true }),
    );
    return Item ? this.toRecord(Item) : undefined;
  }

  /** Takes the lease of a running job for `owner` until `until`; undefined when another runner holds it. */
  async claim(jobId: string, owner: string, now: number, until: number): Promise<JobRecord | undefined> {
    return this.update(jobId, {
      ConditionExpression: leaseFree,
      UpdateExpression: 'SET leaseUntil = :until, leaseOwner = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':running': 'running', ':now': now, ':owner': owner, ':until': until },
    });
  }

  /** Records a page's progress and renews the lease; undefined when the runner lost its lease. */
  async checkpoint(record: JobRecord, next: Checkpoint, now: number): Promise<JobRecord | undefined> {
    const { progress } = next;
    return this.update(record.job.id, {
      ConditionExpression: stillMine,
      UpdateExpression: `SET #total = :total, done = :done, changed = :changed, failed = :failed, failures = :failures, updatedAt = :now, leaseUntil = :until, step = step + :one${next.position === undefined ? ' REMOVE #position' : ', #position = :position'}`,
      ExpressionAttributeNames: { '#total': 'total', '#position': 'position' },
      ExpressionAttributeValues: {
        ...this.holder(record),
        ':total': progress.total,
        ':done': progress.done,
        ':changed': progress.changed,
        ':failed': progress.failed,
        ':failures': progress.failures,
        ':now': new Date(now).toISOString(),
        ':until': next.leaseUntil,
        ':one': 1,
        ...(next.position === undefined ? {} : { ':position': next.position }),
      },
    });
  }

  /**
   * Marks the job done and frees its group, together; false when the runner lost its lease. A finished
   * job expires after a week, unless `keep` (the reindex job records that the table was reindexed).
   */
  async finish(record: JobRecord, now: number, keep = false): Promise<boolean> {
    const iso = new Date(now).toISOString();
    const finish = {
      Update: {
        TableName: this.tableName,
        Key: jobKey(record.job.id),
        ConditionExpression: stillMine,
        UpdateExpression: `SET #status = :done, finishedAt = :now, updatedAt = :now, leaseUntil = :zero, step = step + :one${keep ? '' : ', expiresAt = :expires'} REMOVE leaseOwner, #position`,
        ExpressionAttributeNames: { '#status': 'status', '#position': 'position' },
        ExpressionAttributeValues: {
          ...this.holder(record),
          ':done': 'done',
          ':now': iso,
          ...(keep ? {} : { ':expires': Math.floor(now / 1000) + KEEP_FINISHED_SECONDS }),
          ':zero': 0,
          ':one': 1,
        },
      },
    };
    const group = record.job.group;
    const unlock = group && {
      Delete: {
        TableName: this.tableName,
        Key: groupJobLockKey(group),
        ConditionExpression: 'attribute_not_exists(pk) OR jobId = :jobId',
        ExpressionAttributeValues: { ':jobId': record.job.id },
      },
    };
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: unlock ? [finish, unlock] : [finish] }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  private holder(record: JobRecord) {
    return { ':step': record.step, ':owner': record.leaseOwner ?? '' };
  }

  private async update(
    jobId: string,
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<JobRecord | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: jobKey(jobId),
          ReturnValues: 'ALL_NEW',
          ...input,
        }),
      );
      return out.Attributes ? this.toRecord(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private jobItem(job: Job): Record<string, unknown> {
    return { ...jobKey(job.id), ...job, step: 0, leaseUntil: 0 };
  }

  private toRecord(item: Record<string, unknown>): JobRecord {
    const { pk: _pk, sk: _sk, expiresAt: _e, position, step, leaseUntil, leaseOwner, ...job } = item;
    return {
      job: job as Job,
      position: position as string | undefined,
      step: step as number,
      leaseUntil: leaseUntil as number,
      leaseOwner: leaseOwner as string | undefined,
    };
  }
}
