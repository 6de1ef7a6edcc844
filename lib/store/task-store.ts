import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { TaskConflictError, TaskNotFoundError } from '../errors';
import type { Run, Task, TaskState } from '../task/schemas';
import {
  type DueTask,
  decodeCursor,
  encodeCursor,
  isConditionFailure,
  type Page,
  TableAdapter,
  taskAbsent,
  taskExists,
} from './items';
import { RUN_SK_PREFIX, TABLE, TASK_SK, taskKey } from './schema';

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
}
