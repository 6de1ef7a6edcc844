import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '../clock';
import type { Handoff, Handoffs } from '../task/in-flight';
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
  /** Run-now requests queued by an earlier version (before run-now went to the fire queue), oldest first. */
  manualRuns: ManualRun[];
  /** Occurrences handed to the fire queue and not yet forgotten, by token (see lib/task/in-flight.ts). */
  handoffs: Handoffs;
}

/** A hand-off as stored: short names, since the map is on the task item and every write pays its size. */
interface StoredHandoff {
  a: number;
  f: number;
  n: number;
  lf: number;
  r: number;
  l?: number;
  c?: number;
  k?: number;
}

export function storeHandoffs(handoffs: Handoffs): Record<string, StoredHandoff> {
  const stored: Record<string, StoredHandoff> = {};
  for (const [token, h] of Object.entries(handoffs)) {
    stored[token] = {
      a: h.at,
      f: h.from,
      n: h.count,
      lf: h.lastFire,
      r: h.runCountBefore,
      ...(h.lastRunAtBefore === null ? {} : { l: h.lastRunAtBefore }),
      ...(h.closedAt === undefined ? {} : { c: h.closedAt, k: h.keptThrough }),
    };
  }
  return stored;
}

export function readHandoffs(stored: unknown): Handoffs {
  const handoffs: Handoffs = {};
  for (const [token, s] of Object.entries((stored ?? {}) as Record<string, StoredHandoff>)) {
    const h: Handoff = {
      at: s.a,
      from: s.f,
      count: s.n,
      lastFire: s.lf,
      runCountBefore: s.r,
      lastRunAtBefore: s.l ?? null,
    };
    if (s.c !== undefined) {
      h.closedAt = s.c;
      h.keptThrough = s.k ?? s.f - 1;
    }
    handoffs[token] = h;
  }
  return handoffs;
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
export const notDue = 'attribute_not_exists(dueAt)';
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

  constructor(
    client: DynamoDBClient,
    options: TaskStoreOptions,
    /** Reads of a task show it as of now (see taskAsOf); user changes take effect from now. */
    protected readonly clock: Clock = systemClock,
  ) {
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
      handoffs: readHandoffs(item.handoffs),
    };
  }

  /** Reads tasks by id, consistently (100 keys a call, the calls in parallel); missing ids are absent. */
  async getDueTasks(ids: string[]): Promise<Map<string, DueTask>> {
    const found = new Map<string, DueTask>();
    const unique = [...new Set(ids)];
    const chunks = Array.from({ length: Math.ceil(unique.length / 100) }, (_, i) =>
      unique.slice(i * 100, i * 100 + 100),
    );
    await Promise.all(
      chunks.map(async (chunk) => {
        let keys: Record<string, unknown>[] | undefined = chunk.map(taskKey);
        while (keys && keys.length > 0) {
          const out: BatchGetCommandOutput = await this.doc.send(
            new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of out.Responses?.[this.tableName] ?? []) {
            const due = this.toDueTask(item);
            found.set(due.task.id, due);
          }
          keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
        }
      }),
    );
    return found;
  }

  /**
   * The conditional update of one change to a task (a user's, or fires given back), for a single write or
   * inside a transaction: it keeps the dispatcher's invariants (dueAt is the fire time of nextRunAt,
   * conditions on version and dueAt). `handoffs`, when given, replaces the task's hand-offs.
   */
  protected changeUpdate(current: DueTask, next: Task, handoffs?: Handoffs) {
    const dueAt = dueAtOf(next, current.manualRuns);
    const due = dueAt !== undefined;
    const fields: Record<string, unknown> = {
      ...next,
      payload: JSON.stringify(next.payload),
      groupKey: next.group,
      dueShard: due ? shardOf(next.id, this.shards) : undefined,
      dueAt,
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':seenVersion': current.task.version };
    const set: string[] = [];
    const remove: string[] = [];
    const before: Record<string, unknown> = {
      ...current.task,
      groupKey: current.task.group,
      dueAt: current.dueAt,
    };
    for (const field of [...TASK_FIELDS.filter((f) => f !== 'id'), 'groupKey', 'dueShard', 'dueAt']) {
      // Only what changed is written: a group pause touches five attributes, not the whole item.
      const unchanged =
        field === 'payload'
          ? JSON.stringify(current.task.payload) === fields.payload
          : field !== 'dueShard' && JSON.stringify(before[field]) === JSON.stringify(fields[field]);
      if (unchanged) continue;
      names[`#${field}`] = field;
      if (fields[field] === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = fields[field];
      }
    }
    // The listing keys follow state and group (listingKeysOf); always set, so any change also indexes
    // an item written before the list index existed.
    for (const [field, value] of Object.entries(listingKeysOf(next))) {
      set.push(`${field} = :${field}`);
      values[`:${field}`] = value;
    }
    if (handoffs && JSON.stringify(handoffs) !== JSON.stringify(current.handoffs)) {
      if (Object.keys(handoffs).length === 0) remove.push('handoffs');
      else {
        set.push('handoffs = :handoffs');
        values[':handoffs'] = storeHandoffs(handoffs);
      }
    }
    const seenDue = current.dueAt !== undefined;
    if (seenDue) values[':seenDueAt'] = current.dueAt;
    return {
      Key: taskKey(current.task.id),
      // Another user change, or a tick's hand-off (it moves dueAt), since the read: read again.
      ConditionExpression: `${sameVersion} AND ${seenDue ? stillDueAt : notDue}`,
      UpdateExpression: [
        set.length ? `SET ${set.join(', ')}` : '',
        remove.length ? `REMOVE ${remove.join(', ')}` : '',
      ].join(' '),
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: values,
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
