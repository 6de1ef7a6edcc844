import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { TaskBusyError } from '../errors';
import type { RunSource } from '../task/schemas';
import { sweepKeyAt, type Tracking, trackingOf } from '../task/tracking';
import { isConditionFailure, TableAdapter } from './items';
import { sweepKeys, sweepPartition, sweepSortKey } from './listing-keys';
import { TABLE, trackingKey } from './schema';

/** An in-progress entry as stored: short names, every write pays the item's size. */
interface StoredEntry {
  p: 'r' | 'w';
  a: number;
  s: number;
  o: 's' | 'm';
  d: number;
  f?: number;
}

interface StoredQueued {
  r: string;
  s: number;
  o: 's' | 'm';
}

/** Conflicting writers on one task's tracking (runs ending and starting at once): reads and tries again. */
const MAX_TRIES = 8;

/**
 * Tracking items (lib/task/tracking.ts), one per task with runs followed: each change is a read, a pure
 * step and a write conditional on the revision read, so concurrent fire workers, outcome handlers and the
 * sweeper never lose each other's changes. While runs are in progress the item carries the sweep keys of
 * the list index (KEYS_ONLY, lib/store/listing-keys.ts), so the sweeper finds it when one is overdue.
 */
export class TrackingStore extends TableAdapter {
  /** The tracking items of these tasks, consistently (absent ids: nothing tracked yet). */
  async readMany(taskIds: string[]): Promise<Map<string, Tracking>> {
    const found = new Map<string, Tracking>();
    const unique = [...new Set(taskIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = unique.slice(i, i + 100).map(trackingKey);
      while (keys && keys.length > 0) {
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) {
          found.set((item.pk as string).slice('TASK#'.length), trackingFromItem(item));
        }
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async read(taskId: string): Promise<Tracking | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: trackingKey(taskId), ConsistentRead: true }),
    );
    return Item ? trackingFromItem(Item) : undefined;
  }

  /**
   * Applies `step` to the task's tracking (of incarnation `createdAt`) and writes what it returns, reading
   * again after a conflicting write. `first` saves the read when the caller has just read the item.
   */
  async change<T>(
    taskId: string,
    createdAt: string,
    step: (tracking: Tracking) => { next?: Tracking; result: T },
    first?: Tracking,
    /** The sweeper's writes: the sweep key moves to exactly when the item next needs a look. */
    exactSweep = false,
  ): Promise<T> {
    let stored = first;
    let fresh = first === undefined;
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      if (fresh) stored = await this.read(taskId);
      fresh = true;
      const current = trackingOf(stored, createdAt);
      const { next, result } = step(current);
      if (!next || (await this.write(taskId, next, stored?.rev ?? 0, exactSweep))) return result;
    }
    throw new TaskBusyError(taskId);
  }

  /** Deletes a task's tracking item (its task is gone). */
  async remove(taskId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: trackingKey(taskId) }));
  }

  /** Ids of tasks with a run overdue at `now` in one shard of the sweep partitions, oldest first. */
  async overdueTasks(shard: number, now: number, limit: number): Promise<string[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.listIndex.name,
        KeyConditionExpression: 'listPk = :pk AND listSk < :now',
        ExpressionAttributeValues: { ':pk': sweepPartition(shard), ':now': sweepSortKey(now + 1) },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => (item.pk as string).slice('TASK#'.length));
  }

  /** Writes the tracking if it is still at `rev`; false when another writer came first. */
  private async write(
    taskId: string,
    tracking: Tracking,
    rev: number,
    exactSweep: boolean,
  ): Promise<boolean> {
    const at = sweepKeyAt(tracking, exactSweep);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...trackingKey(taskId),
            ...toStored(tracking),
            rev: rev + 1,
            ...(at === undefined ? {} : sweepKeys(taskId, at)),
          },
          ConditionExpression: rev === 0 ? 'attribute_not_exists(pk)' : 'rev = :rev',
          ExpressionAttributeValues: rev === 0 ? undefined : { ':rev': rev },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

/** A run's source as stored: one letter. */
const storedSource = (source: RunSource): 'm' | 's' => (source === 'manual' ? 'm' : 's');
const sourceOf = (stored: 'm' | 's'): RunSource => (stored === 'm' ? 'manual' : 'schedule');

function toStored(tracking: Tracking) {
  const running: Record<string, StoredEntry> = {};
  for (const [runId, e] of Object.entries(tracking.running)) {
    running[runId] = {
      p: e.phase === 'run' ? 'r' : 'w',
      a: e.attempt,
      s: e.scheduledAt,
      o: storedSource(e.source),
      d: e.deadline,
      ...(e.firedAt === undefined ? {} : { f: e.firedAt }),
    };
  }
  const queued: StoredQueued[] = tracking.queued.map((q) => ({
    r: q.runId,
    s: q.scheduledAt,
    o: storedSource(q.source),
  }));
  return { createdAt: tracking.createdAt, running, ...(queued.length ? { queued } : {}) };
}

export function trackingFromItem(item: Record<string, unknown>): Tracking {
  const running: Tracking['running'] = {};
  for (const [runId, e] of Object.entries((item.running ?? {}) as Record<string, StoredEntry>)) {
    running[runId] = {
      phase: e.p === 'r' ? 'run' : 'wait',
      attempt: e.a,
      scheduledAt: e.s,
      source: sourceOf(e.o),
      deadline: e.d,
      ...(e.f === undefined ? {} : { firedAt: e.f }),
    };
  }
  const queued = ((item.queued ?? []) as StoredQueued[]).map((q) => ({
    runId: q.r,
    scheduledAt: q.s,
    source: sourceOf(q.o),
  }));
  const listSk = item.listSk as string | undefined;
  return {
    createdAt: item.createdAt as string,
    rev: item.rev as number,
    running,
    queued,
    ...(listSk === undefined ? {} : { sweepKeyAt: Number(listSk.slice(0, listSk.indexOf('#'))) }),
  };
}
