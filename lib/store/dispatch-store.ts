import {
  BatchExecuteStatementCommand,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TaskBusyError } from '../errors';
import { closeHandoffs, compactHandoffs, type Handoff } from '../task/in-flight';
import type { Run } from '../task/schemas';
import { type DueTask, dueAtOf, isConditionFailure, storeHandoffs, TableAdapter, taskExists } from './items';
import { listingKeysOf } from './listing-keys';
import { runKey, SCHEDULER_KEY, shardOf, TABLE, taskKey, tickLeaseKey } from './schema';

/** The same incarnation: a task deleted and created again (or replaced) under its id is another task. */
const sameIncarnation = 'createdAt = :createdAt';

/** What one tick records on one task after handing its occurrences to the fire queue. */
export interface HandOff {
  /** The task as the tick read it: version, dueAt and createdAt are the conditions. */
  seen: DueTask;
  /** The occurrences handed off and their token; absent when the plan only skipped missed ones. */
  handoff?: { token: string; record: Handoff; through: number };
  /** The task's next occurrence after them (null: done). */
  nextRunAt: number | null;
  /** Now, to forget hand-offs long past. */
  now: number;
}

/** What became of one hand-off write. */
export type HandOffResult = 'done' | 'refused' | 'failed';

/** Statement errors of a BatchExecuteStatement worth another try (throttling, transient). */
const RETRYABLE_STATEMENT_ERRORS = new Set([
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
  'ThrottlingError',
  'InternalServerError',
  'TransactionConflict',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the scheduler (the tick's EventBridge schedule) is paused, and since when. */
export interface SchedulerMark {
  paused: boolean;
  /** Epoch ms of the last change. */
  since: number;
}

/**
 * The dispatcher's view of the table.
 *
 * The tick hands each due task's occurrences (up to its look-ahead) to the fire queue, then records them
 * on the task with one conditional write: the hand-off. That write is the claim: of two ticks that read
 * the same task only one can land it (both are conditional on the dueAt they read), and the fire worker
 * delivers only occurrences whose token the task carries (see lib/task/in-flight.ts). The fire worker
 * records each run once, after the target answered.
 *
 * Invariants for writers outside the dispatcher (task-store, API):
 * - `dueAt` is the fire time of `nextRunAt` (or earlier while a legacy `manualRuns` list waits); an item
 *   carries `dueShard`/`dueAt` only while it is active with a next run.
 * - Any user change bumps `version` and is conditional on the version and dueAt it read, so a user write
 *   and a hand-off never both land on the same read; a user change to when or whether a task fires
 *   closes its hand-offs first (closeHandoffs), so no fire of the old schedule runs after it.
 * - Deleting a task deletes its item and with it every token: its fire messages are dropped.
 */
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
   * Records hand-offs, 25 a call (PartiQL BatchExecuteStatement: one SDK call for many conditional
   * writes). Each moves its task past the occurrences handed off (one move in the due index), adds them
   * to runCount and lastRunAt as if they had run (readers see them as they fire, see taskAsOf), and
   * completes a task with nothing left. `refused`: a user's write or another tick came first, so the
   * token is never recorded and the fire worker drops its messages; the next tick plans again.
   * `failed`: throttled past the retries, or another error (logged by the caller; next tick retries).
   */
  async handOff(acks: HandOff[]): Promise<HandOffResult[]> {
    const results: HandOffResult[] = [];
    for (let i = 0; i < acks.length; i += 25) {
      results.push(...(await this.handOffBatch(acks.slice(i, i + 25))));
    }
    return results;
  }

  private async handOffBatch(acks: HandOff[]): Promise<HandOffResult[]> {
    const results: HandOffResult[] = acks.map(() => 'failed');
    let pending = acks.map((_, i) => i);
    for (let round = 0; pending.length > 0 && round < 6; round++) {
      if (round > 0) await sleep(Math.random() * Math.min(2_000, 50 * 2 ** round));
      const out = await this.doc.send(
        new BatchExecuteStatementCommand({
          Statements: pending.map((i) => this.handOffStatement(acks[i] as HandOff)),
        }),
      );
      const retry: number[] = [];
      pending.forEach((i, n) => {
        const code = out.Responses?.[n]?.Error?.Code;
        if (code === undefined) results[i] = 'done';
        else if (code === 'ConditionalCheckFailed') results[i] = 'refused';
        else if (RETRYABLE_STATEMENT_ERRORS.has(code)) retry.push(i);
      });
      pending = retry;
    }
    return results;
  }

  /**
   * One hand-off as a PartiQL UPDATE. Its WHERE clause is the condition: a PATCH, pause, resume or delete
   * since the tick read the task bumps the version (or removes the item): the user's write wins; another
   * tick that handed off first moved dueAt; a task replaced under its id is another incarnation.
   */
  private handOffStatement(ack: HandOff): { Statement: string; Parameters: unknown[] } {
    const { task } = ack.seen;
    const handoffs = compactHandoffs(ack.seen.handoffs, ack.now);
    if (ack.handoff) handoffs[ack.handoff.token] = ack.handoff.record;
    const nextRunAt = ack.nextRunAt === null ? null : new Date(ack.nextRunAt).toISOString();
    const set: [string, unknown][] = [['nextRunAt', nextRunAt]];
    // Run-now requests of an earlier version were sent to the fire queue with this hand-off.
    const remove = ack.seen.manualRuns.length ? ['manualRuns'] : [];
    if (Object.keys(handoffs).length) set.push(['handoffs', storeHandoffs(handoffs)]);
    else remove.push('handoffs');
    if (ack.handoff) set.push(['lastRunAt', new Date(ack.handoff.through).toISOString()]);
    const dueAt = dueAtOf({ ...task, nextRunAt });
    if (dueAt === undefined) remove.push('dueAt', 'dueShard');
    else set.push(['dueAt', dueAt], ['dueShard', shardOf(task.id, this.shards)]);
    if (ack.nextRunAt === null && task.state === 'active') {
      // The list index follows the state (lib/store/listing-keys.ts).
      const keys = listingKeysOf({ ...task, state: 'completed' });
      set.push(['state', 'completed'], ['listPk', keys.listPk], ['listSk', keys.listSk]);
    }
    const fired = ack.handoff?.record.count ?? 0;
    const clauses = [
      ...set.map(([name]) => `SET "${name}" = ?`),
      ...(fired ? ['SET "runCount" = "runCount" + ?'] : []),
      ...remove.map((name) => `REMOVE "${name}"`),
    ];
    const { pk, sk } = taskKey(task.id);
    return {
      Statement: `UPDATE "${this.tableName}" ${clauses.join(' ')} WHERE "pk" = ? AND "sk" = ? AND "version" = ? AND "dueAt" = ? AND "createdAt" = ?`,
      Parameters: [
        ...set.map(([, value]) => value),
        ...(fired ? [fired] : []),
        pk,
        sk,
        task.version,
        ack.seen.dueAt,
        task.createdAt,
      ],
    };
  }

  /**
   * Takes back the handed-off fires of a task after `cutoff` (a paused scheduler): its hand-offs close
   * there and the task's counters and next run come back to what really ran, so resuming follows the
   * misfire policy. Returns how many fires were taken back.
   */
  async takeBack(taskId: string, cutoff: number): Promise<number> {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const current = (await this.getDueTasks([taskId])).get(taskId);
      if (!current) return 0;
      const closed = closeHandoffs(current.task, current.handoffs, cutoff);
      if (closed.takenBack === 0) return 0;
      const write = this.changeUpdate(current, closed.task, closed.handoffs);
      if (await this.conditionalUpdate(write)) return closed.takenBack;
    }
    throw new TaskBusyError(taskId);
  }

  /** Writes run records (25 a call), retrying what DynamoDB left unprocessed. */
  async recordRuns(runs: Run[]): Promise<void> {
    for (let i = 0; i < runs.length; i += 25) {
      let requests: BatchWriteCommandOutput['UnprocessedItems'] = {
        [this.tableName]: runs.slice(i, i + 25).map((run) => ({ PutRequest: { Item: this.runItem(run) } })),
      };
      for (let round = 0; requests && Object.keys(requests).length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** round)));
        const out: BatchWriteCommandOutput = await this.doc.send(
          new BatchWriteCommand({ RequestItems: requests }),
        );
        requests = out.UnprocessedItems;
      }
    }
  }

  /** Records a delivery's permanent failure on the task, for operators (not on a task replaced meanwhile). */
  async recordError(taskId: string, createdAt: string, error: string): Promise<void> {
    await this.conditionalUpdate({
      Key: taskKey(taskId),
      // A deleted task is not recreated; a replaced one gets none of its predecessor's errors.
      ConditionExpression: `${taskExists} AND ${sameIncarnation}`,
      UpdateExpression: 'SET lastError = :error',
      ExpressionAttributeValues: { ':error': error, ':createdAt': createdAt },
    });
  }

  /**
   * Takes the lease on a range of shards for a tick, unless another live tick holds it: a tick started
   * while another still hands off the same shards (EventBridge's rare duplicate, a slow tick) skips them
   * rather than read tasks the other is about to move, whose hand-offs would be refused.
   */
  async holdTick(from: number, to: number, owner: string, now: number, until: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...tickLeaseKey(from, to), owner, until },
          // Free, or left by a tick that ended without releasing it (it died or timed out).
          ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Releases a tick's lease (only its own: a lease taken over after it expired stays). */
  async releaseTick(from: number, to: number, owner: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: tickLeaseKey(from, to),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Whether the scheduler is paused; written by the API when it pauses or resumes the tick schedule. */
  async readScheduler(): Promise<SchedulerMark> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: SCHEDULER_KEY, ConsistentRead: true }),
    );
    return { paused: Item?.paused === true, since: (Item?.since as number | undefined) ?? 0 };
  }

  async markScheduler(mark: SchedulerMark): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...SCHEDULER_KEY, ...mark } }));
  }

  private runItem(run: Run): Record<string, unknown> {
    const expiresAt = Math.floor(Date.parse(run.firedAt) / 1000) + this.runTtlSeconds;
    return { ...runKey(run.taskId, run.runId), ...run, expiresAt };
  }
}
