import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TaskConflictError, TaskNotFoundError, ValidationError } from '../errors';
import { type Run, Task, type TaskState } from '../task/schemas';
import { RUN_SK_PREFIX, runKey, shardOf, TABLE, TASK_SK, taskKey } from './schema';

/** An occurrence a tick has claimed and not yet acknowledged; it is re-delivered once `until` passes. */
export interface Lease {
  runId: string;
  /** Epoch ms of the occurrence. */
  scheduledAt: number;
  source: Run['source'];
  attempt: number;
  /** Epoch ms after which another tick may deliver it again. */
  until: number;
}

/** A task as the tick sees it: the public task plus its scheduling internals. */
export interface DueTask {
  task: Task;
  dueAt: number;
  lease?: Lease;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const TASK_FIELDS = Object.keys(Task.shape) as (keyof Task)[];

// Condition parts, named so each write says which race it closes.
const taskExists = 'attribute_exists(pk)';
const taskAbsent = 'attribute_not_exists(pk)';
const stillDueAt = 'dueAt = :seenDueAt';
const noLease = 'attribute_not_exists(lease)';
const holdsLease = 'lease.runId = :runId';
const isActive = '#state = :active';

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (key && typeof key === 'object' && !Array.isArray(key)) return key;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError([{ path: 'cursor', message: 'not a cursor this API returned' }]);
}

function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

export interface TaskStoreOptions {
  tableName: string;
  shards: number;
  runTtlDays: number;
}

/** The DynamoDB adapter: every write that changes scheduling state is conditional. */
export class TaskStore {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly shards: number;
  private readonly runTtlSeconds: number;

  constructor(client: DynamoDBClient, options: TaskStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.shards = options.shards;
    this.runTtlSeconds = options.runTtlDays * 86_400;
  }

  /** The item for a task: the payload is kept as JSON text (exact numbers, no 32-level map limit). */
  private toItem(task: Task): Record<string, unknown> {
    const due = task.state === 'active' && task.nextRunAt !== null;
    return {
      ...taskKey(task.id),
      ...task,
      payload: JSON.stringify(task.payload),
      groupKey: task.group,
      dueShard: due ? shardOf(task.id, this.shards) : undefined,
      dueAt: due ? Date.parse(task.nextRunAt as string) : undefined,
    };
  }

  private toTask(item: Record<string, unknown>): Task {
    const task: Record<string, unknown> = {};
    for (const field of TASK_FIELDS) if (item[field] !== undefined) task[field] = item[field];
    task.payload = JSON.parse(item.payload as string);
    return task as Task;
  }

  private toDueTask(item: Record<string, unknown>): DueTask {
    return { task: this.toTask(item), dueAt: item.dueAt as number, lease: item.lease as Lease | undefined };
  }

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

  async getTask(taskId: string): Promise<Task | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: taskKey(taskId) }));
    return Item ? this.toTask(Item) : undefined;
  }

  async getDueTask(taskId: string): Promise<DueTask | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: taskKey(taskId), ConsistentRead: true }),
    );
    return Item ? this.toDueTask(Item) : undefined;
  }

  /** Lists tasks, optionally by group (group index) and state; pages are filled up to `limit`. */
  async listTasks(query: {
    group?: string;
    state?: TaskState;
    limit: number;
    cursor?: string;
  }): Promise<Page<Task>> {
    const filters = [`sk = :taskSk`];
    const values: Record<string, unknown> = { ':taskSk': TASK_SK };
    const names: Record<string, string> = {};
    if (query.state) {
      filters.push('#state = :state');
      values[':state'] = query.state;
      names['#state'] = 'state';
    }
    const tasks: Task[] = [];
    let startKey = decodeCursor(query.cursor);
    do {
      const common = {
        TableName: this.tableName,
        Limit: query.limit - tasks.length,
        ExclusiveStartKey: startKey,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      };
      const page = query.group
        ? await this.doc.send(
            new QueryCommand({
              ...common,
              IndexName: TABLE.groupIndex.name,
              KeyConditionExpression: 'groupKey = :group',
              FilterExpression: filters.join(' AND '),
              ExpressionAttributeValues: { ...values, ':group': query.group },
            }),
          )
        : await this.doc.send(
            new ScanCommand({
              ...common,
              FilterExpression: filters.join(' AND '),
              ExpressionAttributeValues: values,
            }),
          );
      for (const item of page.Items ?? []) tasks.push(this.toTask(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && tasks.length < query.limit);
    return { items: tasks, cursor: encodeCursor(startKey) };
  }

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
  }

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
        : { ':runId': runId, ':active': 'active', ':next': next },
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

  /** Run history, newest first (run ids are ULIDs, so key order is claim order). */
  async listRuns(taskId: string, query: { limit: number; cursor?: string }): Promise<Page<Run>> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
        ExpressionAttributeValues: { ':pk': taskKey(taskId).pk, ':run': RUN_SK_PREFIX },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: decodeCursor(query.cursor),
      }),
    );
    const runs = (page.Items ?? []).map(({ pk: _pk, sk: _sk, expiresAt: _e, ...run }) => run as Run);
    return { items: runs, cursor: encodeCursor(page.LastEvaluatedKey) };
  }

  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>) {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
