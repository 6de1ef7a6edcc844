import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import {
  TaskBusyError,
  TaskConflictError,
  TaskNotFoundError,
  TasksNotFoundError,
  VersionMismatchError,
} from '../errors';
import { COMMITTED_AHEAD_MS, closeHandoffs, taskAsOf } from '../task/in-flight';
import { isSchedulingChange } from '../task/patch';
import type { Run, Task } from '../task/schemas';
import { slotsTaken } from '../task/tracking';
import { CursorCodec, tableCursorSecret } from './cursor';
import { type DueTask, isConditionFailure, type Page, TableAdapter, taskAbsent, taskExists } from './items';
import { groupPrefix, LISTED_STATES, listPartition } from './listing-keys';
import { LIST_SHARDS, RUN_SK_PREFIX, TABLE, TASK_SK, TRACK_SK, taskKey, trackingKey } from './schema';
import { type RecentRunsQuery, type RunQuery, TaskListing, type TaskQuery } from './task-listing';
import { trackingFromItem } from './tracking-store';

// Condition parts of user writes (see items.ts for the tick's).
/** The task is still at the version the change was computed from: no other user change slipped in. */
const sameVersion = 'version = :seenVersion';
/** How often a read-modify-write re-reads after losing a race with a tick before giving up. */
const MAX_WRITE_ATTEMPTS = 8;
/** Conditional writes in flight at once during a group operation. */
const GROUP_CONCURRENCY = 16;

/** A change to one task: the new task, or undefined when there is nothing to change (idempotent no-op). */
export type TaskChange = (current: DueTask) => Task | undefined;

/** One task's change in an all-or-nothing call; `path` names the task in the request (`ids.3`). */
export interface BatchChange {
  taskId: string;
  change: TaskChange;
  expectedVersion?: number;
  path?: string;
  /**
   * The task as the caller read it (a group index page): the first attempt writes from it without a read
   * of its own; its conditions still catch anything that changed since.
   */
  seen?: DueTask;
}

export type { DueTask, Lease, Page, TaskStoreOptions } from './items';

/** Task management: create, read, list, delete, and run history. */
export class TaskStore extends TableAdapter {
  /** Stores a new task; TaskConflictError if the id is taken. */
  async createTask(task: Task): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.toItem(task),
          // Two creates with one id: only the first lands.
          ConditionExpression: taskAbsent,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new TaskConflictError(task.id, { cause: error });
      throw error;
    }
  }

  /**
   * Creates up to 100 tasks in one transaction: all are written or none. Without `replaceExisting` an
   * existing id fails the whole batch with TaskConflictError; with it, existing tasks are replaced.
   */
  async createTasks(tasks: Task[], replaceExisting = false): Promise<Task[]> {
    for (let attempt = 1; ; attempt++) {
      const existing = replaceExisting ? await this.versions(tasks.map((t) => t.id)) : new Map();
      const written = tasks.map((task) => {
        const seen = existing.get(task.id);
        return seen === undefined ? task : { ...task, version: seen + 1 };
      });
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: written.map((task) => {
              const seen = existing.get(task.id);
              return {
                Put: {
                  TableName: this.tableName,
                  Item: this.toItem(task),
                  // Without replaceExisting, two creates of one id: only the first lands. With it, the
                  // replaced task must still be the version read, so a concurrent change is not lost.
                  ConditionExpression: seen === undefined ? taskAbsent : sameVersion,
                  ExpressionAttributeValues: seen === undefined ? undefined : { ':seenVersion': seen },
                },
              };
            }),
          }),
        );
        return written;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        // Another transaction or write on one of these items was in flight: nothing was written, retry.
        const contended = reasons.findIndex((r) => r.Code === 'TransactionConflict');
        if (failed < 0 && contended >= 0 && attempt < MAX_WRITE_ATTEMPTS) continue;
        if (failed < 0 && contended >= 0)
          throw new TaskBusyError(tasks[contended]?.id ?? '?', { cause: error });
        if (failed < 0) throw error;
        if (!replaceExisting) throw new TaskConflictError(tasks[failed]?.id ?? '?', { cause: error });
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new TaskBusyError(tasks[failed]?.id ?? '?');
      }
    }
  }

  /** Creates a task, replacing (as version + 1) any task that has its id. */
  async replaceTask(task: Task): Promise<Task> {
    return (await this.createTasks([task], true))[0] as Task;
  }

  private async versions(ids: string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>();
    let keys: Record<string, unknown>[] | undefined = ids.map(taskKey);
    while (keys && keys.length > 0) {
      const out: BatchGetCommandOutput = await this.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'pk, version' },
          },
        }),
      );
      for (const item of out.Responses?.[this.tableName] ?? []) {
        versions.set(String(item.pk).slice('TASK#'.length), item.version as number);
      }
      keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return versions;
  }

  /**
   * Read-modify-write of one task, for user changes (PATCH, pause, resume). The change sees the task as
   * it will be once the fires already committed (COMMITTED_AHEAD_MS) ran; a change to when or whether it
   * fires takes back the handed-off fires after that (closeHandoffs), any other keeps them and the
   * dispatcher's counters. The write is conditional on the version and the dueAt it read, and re-reads
   * when a tick got in between. `expectedVersion` (If-Match) turns a version change by someone else into
   * VersionMismatchError.
   */
  async modifyTask(
    taskId: string,
    change: TaskChange,
    options: { expectedVersion?: number; seen?: DueTask } = {},
  ): Promise<{ task: Task; changed: boolean }> {
    let current = options.seen;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      current ??= await this.getDueTask(taskId);
      if (!current) throw new TaskNotFoundError(taskId);
      if (options.expectedVersion !== undefined && current.task.version !== options.expectedVersion) {
        throw new VersionMismatchError(taskId, options.expectedVersion);
      }
      const planned = this.planChange(current, change);
      if (!planned) return { task: this.viewOf(current), changed: false };
      if (await this.conditionalUpdate(planned.write)) return { task: planned.shown, changed: true };
      current = undefined;
    }
    throw new TaskBusyError(taskId);
  }

  /** A user change to one task as read: what to write, and the task as it then shows; undefined: no change. */
  private planChange(current: DueTask, change: TaskChange) {
    const now = this.clock.now();
    const closed = closeHandoffs(current.task, current.handoffs, now + COMMITTED_AHEAD_MS);
    const next = change({ ...current, task: closed.task });
    if (!next) return undefined;
    if (isSchedulingChange(closed.task, next)) {
      const write = this.changeUpdate(current, next, closed.handoffs);
      return { write, shown: taskAsOf(next, closed.handoffs, now) };
    }
    // Nothing about firing changed: the hand-offs stand, and so do the counters written for them.
    const { runCount, lastRunAt, nextRunAt, state } = current.task;
    const kept = { ...next, runCount, lastRunAt, nextRunAt, state };
    return { write: this.changeUpdate(current, kept), shown: taskAsOf(kept, current.handoffs, now) };
  }

  /** The task as a user sees it now: handed-off fires still ahead are not counted yet (see taskAsOf). */
  viewOf(due: DueTask): Task {
    return taskAsOf(due.task, due.handoffs, this.clock.now());
  }

  /**
   * The all-or-nothing variant of modifyTask for up to 100 tasks: every change is computed from one
   * consistent read and written in one transaction of the same conditional updates, so either all land
   * or none does. A tick that moved one of the tasks in between cancels the transaction: everything is
   * re-read and recomputed (up to 8 times, then TaskBusyError). A missing task fails the whole call with
   * TasksNotFoundError; a change that throws (a refused value) fails it before anything is written.
   */
  async modifyTasks(changes: BatchChange[]): Promise<{ task: Task; changed: boolean }[]> {
    const given = changes.every((c) => c.seen)
      ? new Map(changes.map((c) => [c.taskId, c.seen as DueTask]))
      : undefined;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const current = attempt === 1 && given ? given : await this.getDueTasks(changes.map((c) => c.taskId));
      const missing = changes.flatMap((c, i) =>
        current.has(c.taskId) ? [] : [{ path: c.path ?? `ids.${i}`, taskId: c.taskId }],
      );
      if (missing.length) throw new TasksNotFoundError(missing);
      const planned = changes.map((c) => {
        const seen = current.get(c.taskId) as DueTask;
        if (c.expectedVersion !== undefined && seen.task.version !== c.expectedVersion) {
          throw new VersionMismatchError(c.taskId, c.expectedVersion);
        }
        return { seen, change: this.planChange(seen, c.change) };
      });
      const writes = planned.flatMap((p) => (p.change ? [p.change.write] : []));
      if (writes.length === 0 || (await this.writeChanges(writes))) {
        return planned.map(({ seen, change }) => ({
          task: change?.shown ?? this.viewOf(seen),
          changed: change !== undefined,
        }));
      }
    }
    throw new TaskBusyError(changes[0]?.taskId ?? '?');
  }

  /** One transaction of user changes; false when a condition failed or the items were contended. */
  private async writeChanges(writes: ReturnType<TableAdapter['changeUpdate']>[]): Promise<boolean> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: writes.map((write) => ({ Update: { TableName: this.tableName, ...write } })),
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const retry = (error.CancellationReasons ?? []).some(
        (r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict',
      );
      if (retry) return false;
      throw error;
    }
  }

  /**
   * Deletes up to 100 tasks, all or none: one transaction of conditional deletes, so a missing id fails
   * the whole call with TasksNotFoundError and deletes nothing. Run histories are deleted afterwards.
   */
  async deleteTasks(ids: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: ids.map((id) => ({
              Delete: { TableName: this.tableName, Key: taskKey(id), ConditionExpression: taskExists },
            })),
          }),
        );
        break;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const missing = ids.flatMap((taskId, i) =>
          reasons[i]?.Code === 'ConditionalCheckFailed' ? [{ path: `ids.${i}`, taskId }] : [],
        );
        if (missing.length) throw new TasksNotFoundError(missing, { cause: error });
        // Another write on one of these items was in flight: nothing was deleted, try again.
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new TaskBusyError(ids[0] ?? '?', { cause: error });
      }
    }
    const limit = pLimit(GROUP_CONCURRENCY);
    await Promise.all(ids.map((id) => limit(() => this.deleteRuns(id))));
  }

  /**
   * Up to `limit` tasks of a group from `startKey` on, in id order, read from the group index (eventually
   * consistent: every write re-checks), and the key to continue from, absent after the last task.
   */
  async groupPage(
    group: string,
    startKey: Record<string, unknown> | undefined,
    limit: number,
  ): Promise<{ tasks: DueTask[]; next?: Record<string, unknown> }> {
    const tasks: DueTask[] = [];
    let next = startKey;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.groupIndex.name,
          KeyConditionExpression: 'groupKey = :group',
          ExpressionAttributeValues: { ':group': group },
          ExclusiveStartKey: next,
          Limit: limit - tasks.length,
        }),
      );
      for (const item of page.Items ?? []) tasks.push(this.toDueTask(item));
      next = page.LastEvaluatedKey;
    } while (next && tasks.length < limit);
    return { tasks, next };
  }

  /**
   * How many tasks a group holds, counted on the list index (keys only: about 150 bytes a task), all its
   * partitions at once.
   */
  async countGroup(group: string): Promise<number> {
    const counts = await Promise.all(
      LISTED_STATES.flatMap((state) =>
        Array.from({ length: LIST_SHARDS }, async (_, shard) => {
          let count = 0;
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await this.doc.send(
              new QueryCommand({
                TableName: this.tableName,
                IndexName: TABLE.listIndex.name,
                KeyConditionExpression: 'listPk = :pk AND begins_with(listSk, :prefix)',
                ExpressionAttributeValues: {
                  ':pk': listPartition(state, shard),
                  ':prefix': groupPrefix(group),
                },
                Select: 'COUNT',
                ExclusiveStartKey: startKey,
              }),
            );
            count += page.Count ?? 0;
            startKey = page.LastEvaluatedKey;
          } while (startKey);
          return count;
        }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * One task, with its runs in progress and queued (from its tracking item, read by the same Query: TRACK
   * sorts right after TASK).
   */
  async getTask(taskId: string): Promise<Task | undefined> {
    const { pk } = taskKey(taskId);
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :task AND :track',
        ExpressionAttributeValues: { ':pk': pk, ':task': TASK_SK, ':track': TRACK_SK },
      }),
    );
    const item = Items.find((i) => i.sk === TASK_SK);
    if (!item) return undefined;
    const task = this.viewOf(this.toDueTask(item));
    const tracked = Items.find((i) => i.sk === TRACK_SK);
    if (tracked?.createdAt !== task.createdAt) return task;
    const tracking = trackingFromItem(tracked);
    return {
      ...task,
      runsInProgress: slotsTaken(tracking, this.clock.now()),
      queuedRuns: tracking.queued.length,
    };
  }

  async getDueTask(taskId: string): Promise<DueTask | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }),
    );
    return Item ? this.toDueTask(Item) : undefined;
  }

  /** Lists tasks, optionally by group and state, from the indexes (see TaskListing). */
  listTasks(query: TaskQuery): Promise<Page<Task>> {
    return this.listing.listTasks(query);
  }

  /** Run history, newest first; with `status`, only the runs in it. */
  listRuns(taskId: string, query: RunQuery): Promise<Page<Run>> {
    return this.listing.listRuns(taskId, query);
  }

  /** Runs of every task that ended failed or timed out for good, newest first, within the runs' lifetime. */
  listRecentRuns(query: RecentRunsQuery): Promise<Page<Run>> {
    return this.listing.listRecentRuns(query, { now: this.clock.now(), days: this.runTtlSeconds / 86_400 });
  }

  /** Listing reads: made on first use, so the cursor secret is read only by those that list. */
  private get listing(): TaskListing {
    this.#listing ??= new TaskListing(
      this.doc,
      this.tableName,
      new CursorCodec(tableCursorSecret(this.doc, this.tableName)),
      (item) => this.viewOf(this.toDueTask(item)),
    );
    return this.#listing;
  }
  #listing?: TaskListing;

  /** Deletes a task and its run history; TaskNotFoundError if it does not exist. */
  async deleteTask(taskId: string): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: taskKey(taskId),
          ConditionExpression: taskExists,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new TaskNotFoundError(taskId, { cause: error });
      throw error;
    }
    await this.deleteRuns(taskId);
  }

  private async deleteRuns(taskId: string): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          ExpressionAttributeValues: { ':pk': taskKey(taskId).pk, ':run': RUN_SK_PREFIX },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = page.Items ?? [];
      for (let i = 0; i < keys.length; i += 25) {
        let requests: Record<string, unknown[]> | undefined = {
          [this.tableName]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })),
        };
        while (requests && Object.keys(requests).length > 0) {
          const out = await this.doc.send(new BatchWriteCommand({ RequestItems: requests as never }));
          requests = out.UnprocessedItems as Record<string, unknown[]> | undefined;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // The tracking item goes with the runs (one of a task created again under the id is for a later incarnation
    // only once that one tracks a run, and trackingOf ignores a predecessor's).
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: trackingKey(taskId) }));
  }
}
