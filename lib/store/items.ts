import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { fireTimeOf } from '../task/plan';
import { type Run, Task } from '../task/schemas';
import { listingKeysOf } from './listing-keys';
import { shardOf, taskKey } from './schema';

/**
 * The claim on one occurrence, held by its run record (see docs/delivery.md): whoever created the run
 * record delivers the occurrence; after `until` another tick may take it over and deliver it again.
 */
export interface Lease {
  runId: string;
  /** Epoch ms of the occurrence (for a manual run: when it was requested). */
  scheduledAt: number;
  source: Run['source'];
  attempt: number;
  /** Epoch ms after which another tick may deliver it again. */
  until: number;
}

/** A run requested through "run now", waiting on the task item for a tick to deliver it. */
export interface ManualRun {
  runId: string;
  /** Epoch ms of the request. */
  requestedAt: number;
}

/** A task as the tick sees it: the public task plus its scheduling internals. */
export interface DueTask {
  task: Task;
  /** When the item next needs attention: the fire time of `nextRunAt`, or earlier for a manual run. */
  dueAt: number;
  /** Manual runs not yet acknowledged, oldest first. */
  manualRuns: ManualRun[];
}

/**
 * The due-index key of a task item, the one rule every writer follows: the fire time (jitter
 * included) of `nextRunAt` while the task is active, or earlier while a run-now request waits;
 * undefined when there is neither, and the item leaves the index.
 */
export function dueAtOf(
  task: Pick<Task, 'id' | 'createdAt' | 'state' | 'nextRunAt'> &
    Partial<Pick<Task, 'jitterSeconds' | 'runImmediately'>>,
  manualRuns: readonly ManualRun[] = [],
): number | undefined {
  const scheduled =
    task.state === 'active' && task.nextRunAt !== null
      ? fireTimeOf(task, Date.parse(task.nextRunAt))
      : undefined;
  const manual = manualRuns[0]?.requestedAt;
  if (scheduled === undefined) return manual;
  return manual === undefined ? scheduled : Math.min(scheduled, manual);
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const TASK_FIELDS = Object.keys(Task.shape) as (keyof Task)[];

// Condition parts, named so each write says which race it closes.
export const taskExists = 'attribute_exists(pk)';
export const taskAbsent = 'attribute_not_exists(pk)';
export const stillDueAt = 'dueAt = :seenDueAt';
export const isActive = '#state = :active';
export const sameVersion = 'version = :seenVersion';
export const runAbsent = 'attribute_not_exists(sk)';
export const sameAttempt = 'attempt = :seenAttempt';
export const leaseExpired = 'leaseUntil <= :now';
export const runExists = 'attribute_exists(sk)';
// "No run-now pending" must also hold for an empty list: an attribute that is present but empty once
// stopped every later acknowledgement of a task (issue 8). Writers remove the list when they empty it,
// and every condition treats absent and empty alike.
export const noManualRuns = '(attribute_not_exists(manualRuns) OR size(manualRuns) = :zero)';
export const sameManualCount = 'size(manualRuns) = :manualCount';
export const firstManualIs = 'manualRuns[0].runId = :first';
export const lastRunBefore =
  '(attribute_not_exists(lastRunAt) OR attribute_type(lastRunAt, :null) OR lastRunAt < :lastRunAt)';

export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

export interface TaskStoreOptions {
  tableName: string;
  shards: number;
  runTtlDays: number;
}

/** What both stores share: the document client, the table and the item mapping. */
export abstract class TableAdapter {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly shards: number;
  protected readonly runTtlSeconds: number;

  constructor(client: DynamoDBClient, options: TaskStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.tableName = options.tableName;
    this.shards = options.shards;
    this.runTtlSeconds = options.runTtlDays * 86_400;
  }

  /** The item for a task: the payload is kept as JSON text (exact numbers, no 32-level map limit). */
  protected toItem(task: Task): Record<string, unknown> {
    const dueAt = dueAtOf(task);
    return {
      ...taskKey(task.id),
      ...task,
      payload: JSON.stringify(task.payload),
      groupKey: task.group,
      dueShard: dueAt === undefined ? undefined : shardOf(task.id, this.shards),
      dueAt,
      ...listingKeysOf(task),
    };
  }

  protected toTask(item: Record<string, unknown>): Task {
    const task: Record<string, unknown> = {};
    for (const field of TASK_FIELDS) if (item[field] !== undefined) task[field] = item[field];
    task.payload = JSON.parse(item.payload as string);
    return task as Task;
  }

  protected toDueTask(item: Record<string, unknown>): DueTask {
    return {
      task: this.toTask(item),
      dueAt: item.dueAt as number,
      manualRuns: (item.manualRuns as ManualRun[] | undefined) ?? [],
    };
  }

  protected async conditionalUpdate(
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>,
  ) {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
