import { PutCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { fireTimeOf } from '../task/plan';
import type { Run, Task } from '../task/schemas';
import { type DueTask, holdsLease, isActive, type Lease, noLease, stillDueAt, TableAdapter } from './items';
import { runKey, TABLE, taskKey } from './schema';

/** What the tick needs: the due index, the claim, the lease, the release and the run record. */
export class DispatchStore extends TableAdapter {
  /** Tasks in one shard whose `dueAt <= upTo`, oldest first, following every page. */
  async *queryDue(shard: number, upTo: number): AsyncGenerator<DueTask> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: TABLE.dueIndex.name,
      KeyConditionExpression: 'dueShard = :shard AND dueAt <= :upTo',
      ExpressionAttributeValues: { ':shard': shard, ':upTo': upTo },
    };
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) yield this.toDueTask(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * Claims the occurrence at `seen.dueAt`: records the lease, advances the task to its next occurrence
   * and parks it in the due index until the lease expires. False if another writer got there first.
   */
  async claim(
    seen: DueTask,
    lease: Lease,
    next: { nextRunAt: number | null; runCount: number },
  ): Promise<boolean> {
    return this.conditionalUpdate({
      Key: taskKey(seen.task.id),
      // Two ticks (or a retried tick) saw the same occurrence: only the first claim matches dueAt.
      // An API change since the query moved dueAt or took a lease: the claim then fails too.
      ConditionExpression: `${stillDueAt} AND ${noLease} AND ${isActive}`,
      UpdateExpression:
        'SET lease = :lease, dueAt = :until, nextRunAt = :next, runCount = :runCount, lastRunAt = :lastRunAt',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':seenDueAt': seen.dueAt,
        ':active': 'active',
        ':lease': lease,
        ':until': lease.until,
        ':next': next.nextRunAt === null ? null : new Date(next.nextRunAt).toISOString(),
        ':runCount': next.runCount,
        ':lastRunAt': new Date(lease.scheduledAt).toISOString(),
      },
    });
  }

  /** Takes over an expired lease for re-delivery (same runId, next attempt). */
  async renewLease(seen: DueTask, lease: Lease): Promise<boolean> {
    return this.conditionalUpdate({
      Key: taskKey(seen.task.id),
      // Two ticks found the same expired lease: only the one that still sees the old expiry renews it.
      ConditionExpression: `${stillDueAt} AND ${holdsLease}`,
      UpdateExpression: 'SET lease = :lease, dueAt = :until',
      ExpressionAttributeValues: {
        ':seenDueAt': seen.dueAt,
        ':runId': lease.runId,
        ':lease': lease,
        ':until': lease.until,
      },
    });
  }

  /**
   * Acknowledges a delivered occurrence: drops the lease and puts the task back in the due index at its
   * next occurrence, or marks it completed when there is none.
   */
  async release(task: Task, runId: string): Promise<void> {
    const next = task.nextRunAt === null ? null : Date.parse(task.nextRunAt);
    const done = next === null;
    const released = await this.conditionalUpdate({
      Key: taskKey(task.id),
      // Only the holder of this lease may release it, and only while the task is still active: a pause
      // or delete that came in meanwhile wins, and a deleted task is never recreated by the update.
      ConditionExpression: `${holdsLease} AND ${isActive}`,
      UpdateExpression: done
        ? 'REMOVE lease, dueAt, dueShard SET #state = :completed'
        : 'REMOVE lease SET dueAt = :next',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: done
        ? { ':runId': runId, ':active': 'active', ':completed': 'completed' }
        : { ':runId': runId, ':active': 'active', ':next': fireTimeOf(task, next) },
    });
    if (!released) {
      // Paused (or deleted) while in flight: just drop our lease if it is still there.
      await this.conditionalUpdate({
        Key: taskKey(task.id),
        ConditionExpression: holdsLease,
        UpdateExpression: 'REMOVE lease',
        ExpressionAttributeValues: { ':runId': runId },
      });
    }
  }

  async putRun(run: Run): Promise<void> {
    const expiresAt = Math.floor(Date.parse(run.firedAt) / 1000) + this.runTtlSeconds;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...runKey(run.taskId, run.runId), ...run, expiresAt },
      }),
    );
  }
}
