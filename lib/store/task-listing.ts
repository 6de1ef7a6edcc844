import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { type FailureStatus, Run, type RunStatus, type Task, type TaskState } from '../task/schemas';
import type { CursorCodec, CursorPosition } from './cursor';
import type { Page } from './items';
import { failedRunPartition, groupPrefix, idOfListSk, LISTED_STATES, listPartition } from './listing-keys';
import { LIST_SHARDS, RUN_SK_PREFIX, TABLE, TASK_SK, taskKey } from './schema';

export interface TaskQuery {
  group?: string;
  state?: TaskState;
  limit: number;
  cursor?: string;
}

export interface RunQuery {
  status?: RunStatus;
  limit: number;
  cursor?: string;
}

export interface RecentRunsQuery {
  status: FailureStatus;
  limit: number;
  cursor?: string;
}

/** The days a cross-task listing of failed runs reads back from: `now`, and the run records' lifetime. */
export interface RecentWindow {
  now: number;
  days: number;
}

type Item = Record<string, unknown>;

/**
 * A filtered run history (`status=`) reads at most this many Query pages per request, each evaluating at
 * most MAX_FILTERED_LIMIT run records (4× the page's want, growing 4× a read), so one request reads at
 * most ~2,000 records (DynamoDB also stops each Query at 1 MB). When the bound is reached before the page
 * fills, the page is returned short, possibly empty, with a cursor where the reading stopped.
 */
const MAX_FILTERED_READS = 5;
const MAX_FILTERED_LIMIT = 500;
/**
 * Marks a pseudo-entry a filtered read ends with when it stopped at its bound before the partition ended:
 * it carries the sort key to continue after, and is never returned.
 */
const GAP = '\u0000gap';
const isGap = (entry: Item | undefined) => entry?.[GAP] === true;
const DAY_MS = 86_400_000;
/** The fields of a run record the API shows (not leaseUntil, expiresAt, the keys or listing keys). */
const RUN_FIELDS = Object.keys(Run.shape);

/** A run as the API shows it: only the fields of the `Run` schema. */
export function runOf(item: Item): Run {
  const run: Item = {};
  for (const field of RUN_FIELDS) if (item[field] !== undefined) run[field] = item[field];
  return run as Run;
}

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
  /** Where a decoded cursor continues, when partitions move with time (a listing by day). */
  resume?: (position: CursorPosition) => CursorPosition;
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

  /**
   * Run history, newest first (run ids are ULIDs, so key order is claim order); with `status`, only runs
   * in that status, filtered by DynamoDB on the task's partition (a page may come back short: see
   * MAX_FILTERED_READS).
   */
  async listRuns(taskId: string, query: RunQuery): Promise<Page<Run>> {
    const { pk } = taskKey(taskId);
    const { status } = query;
    const read = (after: string | undefined, limit: number) =>
      status === undefined
        ? this.query({
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
            ExpressionAttributeValues: { ':pk': pk, ':run': RUN_SK_PREFIX },
            ScanIndexForward: false,
            ExclusiveStartKey: after === undefined ? undefined : { pk, sk: after },
            Limit: limit,
          })
        : this.filteredRuns(pk, status, after, limit);
    const plan: Plan<Run> = {
      // Unfiltered cursors keep the scope they had before filters existed.
      scope: status === undefined ? `runs|${taskId}` : `runs|${taskId}|${status}`,
      partitions: [{ queries: [read] }],
      sortKey: (entry) => entry.sk as string,
      items: async (entries) => entries.map(runOf),
    };
    return this.page(plan, query.limit, query.cursor);
  }

  /**
   * Up to `want` runs of a task's partition in `status`, newest first, after `after`. The filter applies
   * after the read, so a Query page may hold none: read on until `want` are found or the history ends,
   * at most MAX_FILTERED_READS pages; stopped there, the last entry is a GAP at the last key read.
   */
  private async filteredRuns(pk: string, status: RunStatus, after: string | undefined, want: number) {
    const found: Item[] = [];
    let start: Item | undefined = after === undefined ? undefined : { pk, sk: after };
    for (let read = 0; read < MAX_FILTERED_READS; read++) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
          FilterExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pk': pk, ':run': RUN_SK_PREFIX, ':status': status },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
          Limit: Math.min(MAX_FILTERED_LIMIT, want * 4 ** read),
        }),
      );
      found.push(...(out.Items ?? []));
      if (found.length >= want) return found.slice(0, want);
      start = out.LastEvaluatedKey;
      if (!start) return found;
    }
    return [...found, { sk: start?.sk, [GAP]: true }];
  }

  /**
   * Runs of every task that ended in `status` for good, newest first, without a scan: the list index
   * partitions of each day (failedRunPartition), from today (UTC) back to the run records' lifetime, each
   * read newest first; the run items are then read by key. A cursor names the entry it stopped after,
   * whose day says which partition it is in, so paging across midnight neither skips nor repeats.
   */
  async listRecentRuns(query: RecentRunsQuery, window: RecentWindow): Promise<Page<Run>> {
    const days = Array.from({ length: window.days + 1 }, (_, i) => dayOf(window.now - i * DAY_MS));
    const partitions = days.map((day) => {
      const listPk = failedRunPartition(query.status, day);
      return {
        queries: [
          (after: string | undefined, limit: number) =>
            this.query({
              IndexName: TABLE.listIndex.name,
              KeyConditionExpression: 'listPk = :pk',
              ExpressionAttributeValues: { ':pk': listPk },
              ScanIndexForward: false,
              ExclusiveStartKey: after === undefined ? undefined : { listPk, ...recentEntryKeys(after) },
              Limit: limit,
            }),
        ],
      };
    });
    const plan: Plan<Run> = {
      scope: `recent-runs|${query.status}`,
      partitions,
      sortKey: (entry) => `${entry.listSk as string}${ENTRY_SEPARATOR}${entry.pk as string}`,
      items: (entries) => this.readRecentRuns(entries, query.status),
      resume: ({ after }) => ({ partition: dayIndex(days, after.slice(0, 10)), after }),
    };
    return this.page(plan, query.limit, query.cursor);
  }

  /** The runs of index entries, read consistently by key; runs deleted or not (yet) final are left out. */
  private async readRecentRuns(entries: Item[], status: FailureStatus): Promise<Run[]> {
    const items = await this.readItems(entries.map((e) => ({ pk: e.pk as string, sk: e.sk as string })));
    return items
      .filter((item) => item.status === status && item.listPk === failedRunPartition(status, dayOf(item)))
      .map(runOf);
  }

  private async page<T>(plan: Plan<T>, limit: number, cursor: string | undefined): Promise<Page<T>> {
    let position: CursorPosition | undefined = cursor
      ? await this.cursors.decode(plan.scope, cursor)
      : undefined;
    if (position && plan.resume) position = plan.resume(position);
    if (position && position.partition >= plan.partitions.length) {
      position = { partition: plan.partitions.length, after: position.after };
    }
    const items: T[] = [];
    let more = true;
    // Entries dropped as stale (the index lags the table) leave the page short: read on to fill it,
    // unless a bounded read stopped (then the page is short, and its cursor goes on from there).
    while (items.length < limit && more) {
      const read = await this.readEntries(plan, position, limit - items.length);
      items.push(...(await plan.items(read.entries.filter((e) => !isGap(e)))));
      position = read.next ?? position;
      more = read.more;
      if (read.stopped) break;
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
        if (read.length > room) return { entries, next, more: true, stopped: false };
        if (isGap(entries.at(-1))) return { entries, next, more: true, stopped: true };
        if (entries.length === limit && reads.slice(k + 1).some((r) => r.length > 0)) {
          return { entries, next, more: true, stopped: false };
        }
      }
      partition += count;
      after = undefined;
    }
    return { entries, next, more: false, stopped: false };
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
    // An index caught mid-move may show a task in two partitions for a moment: list it once.
    const items = await this.readItems([...new Set(pks)].map((pk) => ({ pk, sk: TASK_SK })));
    return items.map(this.toTask);
  }

  /** The items of these keys, in this order, read consistently (100 keys a call); absent ones skipped. */
  private async readItems(keys: { pk: string; sk: string }[]): Promise<Item[]> {
    const id = (key: Item) => `${key.pk as string}\n${key.sk as string}`;
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += 100) {
      let batch: Item[] | undefined = keys.slice(i, i + 100);
      while (batch && batch.length > 0) {
        const out: BatchGetCommandOutput = await this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: batch, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(id(item), item);
        batch = out.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return keys.flatMap((key): Item[] => {
      const item = found.get(id(key));
      return item ? [item] : [];
    });
  }

  private async query(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
    const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, ...input }));
    return out.Items ?? [];
  }
}

/**
 * Separates the list index key from the run's `pk` in a cross-task listing's cursor: neither contains a
 * space (ISO instants, ULIDs and ids never do), and the index needs both to resume (ExclusiveStartKey).
 */
const ENTRY_SEPARATOR = ' ';

/** The UTC day (`YYYY-MM-DD`) of an instant in ms, or of a run item's `finishedAt`. */
function dayOf(at: number | Item): string {
  return typeof at === 'number'
    ? new Date(at).toISOString().slice(0, 10)
    : String(at.finishedAt).slice(0, 10);
}

/** The partition of a day among `days` (newest first): past the last one when older than all. */
function dayIndex(days: string[], day: string): number {
  const index = days.indexOf(day);
  if (index >= 0) return index;
  return day > (days[0] as string) ? 0 : days.length;
}

/** The keys an index Query resumes after: the entry's `listSk` and its run's `pk` and `sk`. */
function recentEntryKeys(after: string): Item {
  const split = after.lastIndexOf(ENTRY_SEPARATOR);
  const listSk = after.slice(0, split);
  return {
    listSk,
    pk: after.slice(split + 1),
    sk: `${RUN_SK_PREFIX}${listSk.slice(listSk.indexOf('#') + 1)}`,
  };
}
