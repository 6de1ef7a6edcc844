import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import type { Clock } from '../../lib/clock';
import { ensureTable, localDynamoDbClient } from '../../lib/local/dynamodb-local';
import { DispatchStore } from '../../lib/store/dispatch-store';
import { TaskStore } from '../../lib/store/task-store';

/** A fresh table in the run's DynamoDB Local, created from the schema module. */
export async function createTestTable(options: { shards?: number; clock?: Clock } = {}) {
  const endpoint = inject('dynamodbEndpoint');
  const client = localDynamoDbClient(endpoint);
  const tableName = `t-${randomUUID()}`;
  await ensureTable(client, tableName);
  const storeOptions = { tableName, shards: options.shards ?? 4, runTtlDays: 30 };
  const store = new TaskStore(client, storeOptions, options.clock);
  const dispatch = new DispatchStore(client, storeOptions, options.clock);
  return {
    endpoint,
    client,
    tableName,
    store,
    dispatch,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
