import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskState } from '../task/schemas';
import { TableAdapter } from './items';
import { listingKeysOf } from './listing-keys';
import { TASK_SK } from './schema';

/** What the repair reads of a task item: its key, what the listing keys derive from, and the keys. */
export interface ListedItem {
  pk: string;
  id: string;
  state: TaskState;
  group?: string | null;
  listPk?: string;
  listSk?: string;
}

const noGroup = '(attribute_not_exists(#group) OR attribute_type(#group, :null))';

/**
 * Brings every task item's list-index keys in line with listingKeysOf: for a table written before the
 * list index existed (its items carry none), or by a writer of a previous version during an upgrade.
 */
export class ListingRepair extends TableAdapter {
  /** A page of task items from `startKey` on (a scan: this runs once, in the background). */
  async scanTasks(startKey: Record<string, unknown> | undefined, limit = 1000) {
    const page = await this.doc.send(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: 'sk = :task',
        ProjectionExpression: 'pk, id, #state, #group, listPk, listSk',
        ExpressionAttributeNames: { '#state': 'state', '#group': 'group' },
        ExpressionAttributeValues: { ':task': TASK_SK },
        ExclusiveStartKey: startKey,
        Limit: limit,
      }),
    );
    return { items: (page.Items ?? []) as ListedItem[], next: page.LastEvaluatedKey };
  }

  /** True when the item's listing keys are what listingKeysOf says. */
  isListed(item: ListedItem): boolean {
    const keys = listingKeysOf(item);
    return item.listPk === keys.listPk && item.listSk === keys.listSk;
  }

  /** Writes the item's listing keys; false when it changed since it was read (its writer set them). */
  async repair(item: ListedItem): Promise<boolean> {
    const keys = listingKeysOf(item);
    const grouped = typeof item.group === 'string';
    return this.conditionalUpdate({
      Key: { pk: item.pk, sk: TASK_SK },
      // A writer that changed state or group since the scan wrote the keys itself: never overwrite them.
      ConditionExpression: `#state = :state AND ${grouped ? '#group = :group' : noGroup}`,
      UpdateExpression: 'SET listPk = :listPk, listSk = :listSk',
      ExpressionAttributeNames: { '#state': 'state', '#group': 'group' },
      ExpressionAttributeValues: {
        ':state': item.state,
        ...(grouped ? { ':group': item.group } : { ':null': 'NULL' }),
        ':listPk': keys.listPk,
        ':listSk': keys.listSk,
      },
    });
  }
}
