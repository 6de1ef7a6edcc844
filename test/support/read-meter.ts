import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB call as the meter saw it. */
export interface MeteredCall {
  command: string;
  /** Capacity units DynamoDB reported (table and indexes together). */
  units: number;
  /** Items the call read (Query/Scan `ScannedCount`, items a BatchGet returned). */
  itemsRead: number;
}

/**
 * Asks DynamoDB for `ReturnConsumedCapacity: TOTAL` on every call of a client and records what each call
 * read, so a test can assert the reads of one operation, not its timing.
 */
export class ReadMeter {
  readonly calls: MeteredCall[] = [];

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const output = result.output as {
          ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
          ScannedCount?: number;
          Responses?: Record<string, unknown[]>;
        };
        const consumed = output.ConsumedCapacity;
        const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
          (sum, c) => sum + (c.CapacityUnits ?? 0),
          0,
        );
        const batch = Object.values(output.Responses ?? {}).reduce((n, items) => n + items.length, 0);
        this.calls.push({
          command: context.commandName ?? 'unknown',
          units,
          itemsRead: output.ScannedCount ?? batch,
        });
        return result;
      },
      { step: 'initialize', name: 'sundialReadMeter' },
    );
  }

  /** Runs `work` and returns what it read. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; calls: MeteredCall[] }> {
    const from = this.calls.length;
    const result = await work();
    return { result, calls: this.calls.slice(from) };
  }
}

export const sum = (calls: MeteredCall[], field: 'units' | 'itemsRead') =>
  calls.reduce((total, c) => total + c[field], 0);
