import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { TableAdapter } from '../lib/store/items';
import type { Task } from '../lib/task/schemas';

/** Writes many tasks fast (BatchWriteItem, unconditional): the bench's setup, never the product's path. */
export class BulkLoader extends TableAdapter {
  async load(tasks: Task[], concurrency = 8): Promise<void> {
    const limit = pLimit(concurrency);
    const batches: Task[][] = [];
    for (let i = 0; i < tasks.length; i += 25) batches.push(tasks.slice(i, i + 25));
    await Promise.all(
      batches.map((batch) =>
        limit(async () => {
          let requests: Record<string, unknown>[] | undefined = batch.map((t) => ({
            PutRequest: { Item: this.toItem(t) },
          }));
          while (requests && requests.length > 0) {
            const out = await this.doc.send(
              new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
            );
            requests = out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
          }
        }),
      ),
    );
  }
}
