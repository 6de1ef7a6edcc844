import type { CreateTableCommandInput, GlobalSecondaryIndex } from '@aws-sdk/client-dynamodb';

/**
 * The one description of the Sundial table. The CDK construct, the DynamoDB store and the local
 * cloud all read it, so the deployed table and the local one cannot drift apart.
 */
export const TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Run records carry an epoch-seconds expiry; DynamoDB deletes them after it. */
  ttlAttribute: 'expiresAt',
  /**
   * Sparse: only tasks that still need attention carry `dueShard`/`dueAt`. The shard spreads due tasks
   * over N partitions so no single partition is hot; `dueAt` is epoch ms.
   */
  dueIndex: {
    name: 'due',
    partitionKey: { name: 'dueShard', type: 'N' },
    sortKey: { name: 'dueAt', type: 'N' },
    projection: 'ALL',
  },
  /** Sparse: only tasks in a group carry `groupKey`. */
  groupIndex: {
    name: 'group',
    partitionKey: { name: 'groupKey', type: 'S' },
    sortKey: { name: 'pk', type: 'S' },
    projection: 'ALL',
  },
  /**
   * Listing (lib/store/listing-keys.ts): every task item and nothing else carries `listPk` =
   * `<state>#<shard>` and `listSk` = `<group>/<id>`, so a page by state, or by state and group, reads
   * only tasks of that state. Keys only: the tick's writes (nextRunAt, runCount…) never touch it; only
   * a create, a delete or a change of state or group does. A listing reads the page's items by key.
   */
  listIndex: {
    name: 'list',
    partitionKey: { name: 'listPk', type: 'S' },
    sortKey: { name: 'listSk', type: 'S' },
    projection: 'KEYS_ONLY',
  },
} as const;

/** A secondary index of the table, as the construct and createTableInput build it. */
export type IndexSchema = (typeof INDEXES)[number];
/**
 * Every global secondary index, in creation order. CloudFormation and UpdateTable add at most one
 * index per update: a new version of Sundial adds at most one index here.
 */
export const INDEXES = [TABLE.dueIndex, TABLE.groupIndex, TABLE.listIndex] as const;

/**
 * Partitions of the list index per task state. Fixed (not the configurable due shards): a listing key
 * written by one version must be found by every later one, whatever the deployment's settings.
 * 16 partitions take 16,000 index writes a second, far beyond any rate of task creation.
 */
export const LIST_SHARDS = 16;

export const TASK_SK = 'TASK';
/**
 * A task's tracking item, beside its task item (lib/task/tracking.ts): its runs in progress, queued and
 * waiting for a retry. Small and out of every projected index, so a tracked run's writes cost the same
 * whatever the task's payload. Sorts after TASK: one Query from TASK reads both.
 */
export const TRACK_SK = 'TRACK';
export const RUN_SK_PREFIX = 'RUN#';

/** The item that says whether the scheduler is paused (written by the API, read by the dispatcher). */
export const SCHEDULER_KEY = { pk: 'SCHEDULER', sk: 'STATE' } as const;

/** The lease a tick holds on a range of shards while it reads and hands them off. */
export const tickLeaseKey = (from: number, to: number) => ({ pk: 'TICK', sk: `LEASE#${from}-${to}` });

export const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: TASK_SK });
export const trackingKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: TRACK_SK });
export const runKey = (taskId: string, runId: string) => ({
  pk: `TASK#${taskId}`,
  sk: `${RUN_SK_PREFIX}${runId}`,
});
/** The secret listing cursors are signed with (lib/store/cursor.ts), made on first use. */
export const CURSOR_SECRET_KEY = { pk: 'META', sk: 'CURSOR_SECRET' } as const;
/** A group job (lib/jobs/): its definition, progress and checkpoint. */
export const jobKey = (jobId: string) => ({ pk: `JOB#${jobId}`, sk: 'JOB' });
/** Which job holds a group (one at a time), while it runs. */
export const groupJobLockKey = (group: string) => ({ pk: `GROUP#${group}`, sk: 'JOB' });

/**
 * Stable shard of a task id: FNV-1a, 32 bit. Written by hand because it is six lines and must never
 * change between versions (a changed hash would strand due tasks in the wrong shard).
 */
export function shardOf(taskId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) {
    hash ^= taskId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Every key attribute of the table and its indexes, each once. */
export function keyAttributes(): { name: string; type: 'S' | 'N' }[] {
  const all = [TABLE.partitionKey, TABLE.sortKey, ...INDEXES.flatMap((i) => [i.partitionKey, i.sortKey])];
  return all.filter((a, i) => all.findIndex((b) => b.name === a.name) === i);
}

/** The GlobalSecondaryIndexes entry of one index (CreateTable and UpdateTable share it). */
export function indexInput(index: IndexSchema): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: index.projection },
  };
}

/** CreateTable input for the local cloud and tests; the CDK construct builds the same shape. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttributes().map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: INDEXES.map(indexInput),
  };
}
