import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

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
  },
  /** Sparse: only tasks in a group carry `groupKey`. */
  groupIndex: {
    name: 'group',
    partitionKey: { name: 'groupKey', type: 'S' },
    sortKey: { name: 'pk', type: 'S' },
  },
} as const;

export const TASK_SK = 'TASK';
export const RUN_SK_PREFIX = 'RUN#';

/** The item that says whether the scheduler is paused (written by the API, read by the dispatcher). */
export const SCHEDULER_KEY = { pk: 'SCHEDULER', sk: 'STATE' } as const;

/** The lease a tick holds on a range of shards while it reads and hands them off. */
export const tickLeaseKey = (from: number, to: number) => ({ pk: 'TICK', sk: `LEASE#${from}-${to}` });

export const taskKey = (taskId: string) => ({ pk: `TASK#${taskId}`, sk: TASK_SK });
export const runKey = (taskId: string, runId: string) => ({
  pk: `TASK#${taskId}`,
  sk: `${RUN_SK_PREFIX}${runId}`,
});

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

/** CreateTable input for the local cloud and tests; the CDK construct builds the same shape. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, dueIndex, groupIndex } = TABLE;
  const attributes = [
    partitionKey,
    sortKey,
    dueIndex.partitionKey,
    dueIndex.sortKey,
    groupIndex.partitionKey,
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [dueIndex, groupIndex].map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
