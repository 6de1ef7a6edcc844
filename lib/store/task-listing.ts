import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Run, Task, TaskState } from '../task/schemas';
import type { CursorCodec, CursorPosition } from './cursor';
import type { Page } from './items';
import { groupPrefix, idOfListSk, LISTED_STATES, listPartition } from './listing-keys';
import { LIST_SHARDS, RUN_SK_PREFIX, TABLE, TASK_SK, taskKey } from './schema';

export interface TaskQuery {
  group?: string;
  state?: TaskState;
  limit: number;
  cursor?: string;
}

type Item = Record<string, unknown>;

/** Partitions read at once, at most, once a listing has crossed into the next ones. */
const MAX_WINDOW = 8;

/**
 * One partition of a listing: one or more index partitions read together and merged by sort key, so
 * the order within it does not depend on which of them a task is in.
 */
interface Partition {
  /** Reads up to `limit` entries after `after` (all if undefined) from one index partition each. */
  queries: ((after: string | undefined, limit: number) => Promise<Item[]>)[];
}

/** How a listing reads: its partitions in order, the sort key of an entry, and the items of a page. */
interface Plan<T> {
  /** Which listing this is: a cursor is valid only for the scope it was made for. */
  scope: string;
  partitions: Partition[];
  sortKey: (entry: Item) => string;
  /** The items of a page of entries, in order; entries no longer matching the query are left out. */
  items: (entries: Item[]) => Promise<T[]>;
}

/**
 * Listing tasks and runs without a scan: every page is read from an index (or a task's own partition)
 * starting exactly where the cursor says, so its cost follows the page, never the table or its history.
 *
 * - `group` alone: the group index, in id order.
 * - `state`, with or without `group`: the list index partitions of that state, shard by shard
 *   (`begins_with(listSk, "<group>/")` for a group).
 * - neither: the list index, shard by shard, each shard's three state partitions merged by sort key, so
 *   a task that changes state while someone pages is still listed exactly once.
 *
 * A page asks for one entry more than it returns: a cursor is given only when that entry exists, so no
 * cursor ever leads to an empty page (unless the entries after it are deleted in between).
 */
export class TaskListing {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly cursors: CursorCodec,
    private readonly toTask: (item: Item) => Task,
  ) {}

  async listTasks(query: TaskQuery): Promise<Page<Task>> {
    const plan =
      query.state === undefined && query.group !== undefined
        ? this.groupPlan(query.group)
        : this.listPlan(query);
    return this.page(plan, query.limit, query.cursor);
  }

  /** Run history, newest first (run ids are ULIDs, so key order is claim order). */
  async listRuns(taskId: string, query: { limit: number; cursor?: string }): Promise<Page<Run>> {
    const { pk } = taskKey(taskId);
    const plan: Plan<Run> = {
      scope: `runs|${taskId}`,
      partitions: [
        {
          queries: [
            (after, limit) =>
              this.query({
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
                ExpressionAttributeValues: { ':pk': pk, ':run': RUN_SK_PREFIX },
                ScanIndexForward: false,
                ExclusiveStartKey: after === undefined ? undefined : { pk, sk: after },
                Limit: limit,
              }),
          ],
        },
      ],
      sortKey: (entry) => entry.sk as string,
      items: async (entries) =>
        entries.map(({ pk: _pk, sk: _sk, expiresAt: _e, leaseUntil: _l, ...run }) => run as Run),
    };
    return this.page(plan, query.limit, query.cursor);
  }

  private async page<T>(plan: Plan<T>, limit: number, cursor: string | undefined): Promise<Page<T>> {
    let position: CursorPosition | undefined = cursor
      ? await this.cursors.decode(plan.scope, cursor)
      : undefined;
    if (position && position.partition >= plan.partitions.length) {
      position = { partition: plan.partitions.length, after: position.after };
    }
    const items: T[] = [];
    let more = true;
    // Entries dropped as stale (the index lags the table) leave the page short: read on to fill it.
    while (items.length < limit && more) {
      const read = await this.readEntries(plan, position, limit - items.length);
      items.push(...(await plan.items(read.entries)));
      position = read.next ?? position;
      more = read.more;
    }
    return { items, cursor: more && position ? await this.cursors.encode(plan.scope, position) : undefined };
  }

  /**
   * Up to `limit` entries from `from` on, crossing partitions as they run out, plus whether one more
   * exists (read as the limit + 1st entry, never returned). Partitions after the first are read several
   * at once (1, 2, 4, then 8), so a sparse listing (a state few tasks are in) takes a few round trips.
   */
  private async readEntries<T>(plan: Plan<T>, from: CursorPosition | undefined, limit: number) {
    const entries: Item[] = [];
    let next: CursorPosition | undefined;
    let partition = from?.partition ?? 0;
    let after = from?.after;
    for (let window = 1; partition < plan.partitions.length; window = Math.min(window * 2, MAX_WINDOW)) {
      const want = limit - entries.length + 1;
      const count = Math.min(window, plan.partitions.length - partition);
      const reads = await Promise.all(
        Array.from({ length: count }, (_, k) =>
          this.readPartition(
            plan,
            plan.partitions[partition + k] as Partition,
            k === 0 ? after : undefined,
            want,
          ),
        ),
      );
      for (const [k, read] of reads.entries()) {
        const room = limit - entries.length;
        for (const entry of read.slice(0, room)) {
          entries.push(entry);
          next = { partition: partition + k, after: plan.sortKey(entry) };
        }
        // More in this partition than the page holds, or the page is full and a later one has some.
        if (read.length > room) return { entries, next, more: true };
        if (entries.length === limit && reads.slice(k + 1).some((r) => r.length > 0)) {
          return { entries, next, more: true };
        }
      }
      partition += count;
      after = undefined;
    }
    return { entries, next, more: false };
  }

  /** The first `limit` entries of a partition after `after`, its index partitions merged by sort key. */
  private async readPartition<T>(
    plan: Plan<T>,
    partition: Partition,
    after: string | undefined,
    limit: number,
  ) {
    const parts = await Promise.all(partition.queries.map((query) => query(after, limit)));
    if (parts.length === 1) return parts[0] as Item[];
    const byKey = (a: Item, b: Item) => (plan.sortKey(a) < plan.sortKey(b) ? -1 : 1);
    // Each part holds its own first `limit`: the first `limit` of their union are among them.
    return parts.flat().sort(byKey).slice(0, limit);
  }

  private groupPlan(group: string): Plan<Task> {
    return {
      scope: `tasks|${group}|`,
      partitions: [
        {
          queries: [
            (after, limit) =>
              this.query({
                IndexName: TABLE.groupIndex.name,
                KeyConditionExpression: 'groupKey = :group',
                ExpressionAttributeValues: { ':group': group },
                ExclusiveStartKey:
                  after === undefined ? undefined : { groupKey: group, pk: after, sk: TASK_SK },
                Limit: limit,
              }),
          ],
        },
      ],
      sortKey: (entry) => entry.pk as string,
      // The group index projects whole items: the page is read as it is.
      items: async (entries) => entries.map(this.toTask),
    };
  }

  private listPlan(query: TaskQuery): Plan<Task> {
    const states = query.state ? [query.state] : LISTED_STATES;
    const prefix = query.group === undefined ? undefined : groupPrefix(query.group);
    const partitions = Array.from({ length: LIST_SHARDS }, (_, shard) => ({
      queries: states.map((state) => {
        const listPk = listPartition(state, shard);
        return (after: string | undefined, limit: number) =>
          this.query({
            IndexName: TABLE.listIndex.name,
            KeyConditionExpression: `listPk = :pk${prefix ? ' AND begins_with(listSk, :prefix)' : ''}`,
            ExpressionAttributeValues: { ':pk': listPk, ...(prefix ? { ':prefix': prefix } : {}) },
            ExclusiveStartKey:
              after === undefined ? undefined : { listPk, listSk: after, ...taskKey(idOfListSk(after)) },
            Limit: limit,
          });
      }),
    }));
    return {
      scope: `tasks|${query.group ?? ''}|${query.state ?? ''}`,
      partitions,
      sortKey: (entry) => entry.listSk as string,
      items: async (entries) => {
        const tasks = await this.readTasks(entries.map((e) => e.pk as string));
        // The index is eventually consistent: a task that left the state or group just now is not listed.
        return tasks.filter(
          (t) =>
            (query.state === undefined || t.state === query.state) &&
            (query.group === undefined || t.group === query.group),
        );
      },
    };
  }

  /** The tasks of these keys, in this order, read consistently; keys of deleted tasks are skipped. */
  private async readTasks(pks: string[]): Promise<Task[]> {
    const found = new Map<string, Item>();
    for (let i = 0; i < pks.length; i += 100) {
      let keys: Item[] | undefined = pks.slice(i, i + 100).map((pk) => ({ pk, sk: TASK_SK }));
      while (keys && keys.length > 0) {
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(item.pk as string, item);
        keys = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    const seen = new Set<string>();
    return pks.flatMap((pk) => {
      const item = found.get(pk);
      // An index caught mid-move may show a task in two partitions for a moment: list it once.
      if (!item || seen.has(pk)) return [];
      seen.add(pk);
      return [this.toTask(item)];
    });
  }

  private async query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input }));
    return out.Items ?? [];
  }
}
