import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts writes refused by their condition (ConditionalCheckFailedException), per operation, on one
 * client: every one is billed as a write. Unlike CapacityMeter it asks DynamoDB for nothing more, so the
 * client stays as light as in production.
 */
export class ConditionCounter {
  readonly refused = new Map<string, number>();

  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if ((error as Error).name === 'ConditionalCheckFailedException') {
            const op = context.commandName ?? 'unknown';
            this.refused.set(op, (this.refused.get(op) ?? 0) + 1);
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchConditionCounter' },
    );
    return client;
  }

  snapshot(): Map<string, number> {
    return new Map(this.refused);
  }
}
