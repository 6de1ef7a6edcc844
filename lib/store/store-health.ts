import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors';
import { TABLE } from './schema';

/** How long a readiness check waits for the table, the SDK's retries included. */
export const PING_TIMEOUT_MS = 3_000;

// No item has this key (task items start with `TASK#`): reading it is the cheapest read there is.
const NO_ITEM = { [TABLE.partitionKey.name]: { S: 'HEALTH' }, [TABLE.sortKey.name]: { S: 'HEALTH' } };

/** Resolves when the table answers a read; otherwise throws StoreUnavailableError, keeping the cause. */
export async function pingTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new GetItemCommand({ TableName: tableName, Key: NO_ITEM }), {
      abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
  } catch (error) {
    throw new StoreUnavailableError({ cause: error });
  }
}
