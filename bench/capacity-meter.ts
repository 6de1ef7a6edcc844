import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

interface Consumed {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Per operation: calls, capacity units (table and each index), and writes refused by their condition. */
export interface OperationCapacity {
  calls: number;
  units: number;
  table: number;
  indexes: Record<string, number>;
  conditionFailures: number;
  /** Read units as AWS bills them: DynamoDB Local reports 0 for a read that finds nothing. */
  billedReads: number;
}

const READS = new Set(['QueryCommand', 'GetCommand', 'GetItemCommand', 'ScanCommand']);

/**
 * Asks DynamoDB for ReturnConsumedCapacity INDEXES on every call of one client and adds it up per
 * operation. A write refused by its condition still consumes capacity (1 WCU per KB) but the error
 * carries no figure: those are counted apart and priced at 1 unit each (our items are under 1 KB).
 */
export class CapacityMeter {
  readonly byOperation = new Map<string, OperationCapacity>();

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'INDEXES';
        const op = this.entry(context.commandName ?? 'unknown');
        op.calls++;
        try {
          const result = await next(args);
          const output = result.output as { ConsumedCapacity?: Consumed | Consumed[] };
          const consumed = output.ConsumedCapacity;
          if (READS.has(context.commandName ?? '')) {
            // AWS bills every read request at least 0.5 unit (eventually consistent) or 1 (strongly).
            const floor = input.ConsistentRead ? 1 : 0.5;
            const reported = Array.isArray(consumed) ? 0 : (consumed?.CapacityUnits ?? 0);
            op.billedReads += Math.max(floor, reported);
          }
          for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
            op.units += c.CapacityUnits ?? 0;
            op.table += c.Table?.CapacityUnits ?? 0;
            for (const [name, index] of Object.entries(c.GlobalSecondaryIndexes ?? {})) {
              op.indexes[name] = (op.indexes[name] ?? 0) + (index.CapacityUnits ?? 0);
            }
          }
          return result;
        } catch (error) {
          if ((error as Error).name === 'ConditionalCheckFailedException') op.conditionFailures++;
          throw error;
        }
      },
      { step: 'initialize', name: 'sundialCapacityMeter' },
    );
  }

  reset(): void {
    this.byOperation.clear();
  }

  /** Capacity units of the matching operations, condition failures priced at one unit. */
  units(filter: (operation: string) => boolean = () => true): number {
    let sum = 0;
    for (const [name, op] of this.byOperation) if (filter(name)) sum += op.units + op.conditionFailures;
    return sum;
  }

  /** Read units as billed by AWS (see OperationCapacity.billedReads). */
  billedReads(): number {
    let sum = 0;
    for (const op of this.byOperation.values()) sum += op.billedReads;
    return sum;
  }

  /** The running figures of one operation (created empty). */
  entry(name: string): OperationCapacity {
    let op = this.byOperation.get(name);
    if (!op) {
      op = { calls: 0, units: 0, table: 0, indexes: {}, conditionFailures: 0, billedReads: 0 };
      this.byOperation.set(name, op);
    }
    return op;
  }
}
