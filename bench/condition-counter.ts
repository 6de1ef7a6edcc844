import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Counts writes refused by their condition (ConditionalCheckFailedException, or a statement of a PartiQL
 * batch answered ConditionalCheckFailed), per operation, on one client: every one is billed as a write. Unlike CapacityMeter it asks DynamoDB for nothing more, so the
 * client stays as light as in production.
 */
export class ConditionCounter {
  readonly refused = new Map<string, number>();

  attach(client: DynamoDBClient): DynamoDBClient {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const op = context.commandName ?? 'unknown';
        try {
          const result = await next(args);
          // A PartiQL batch (the tick's hand-offs) answers each refused statement instead of throwing.
          const responses = (result.output as { Responses?: { Error?: { Code?: string } }[] }).Responses;
          const refused = Array.isArray(responses)
            ? responses.filter((r) => r.Error?.Code === 'ConditionalCheckFailed').length
            : 0;
          if (refused) this.refused.set(op, (this.refused.get(op) ?? 0) + refused);
          return result;
        } catch (error) {
          if ((error as Error).name === 'ConditionalCheckFailedException')
            this.refused.set(op, (this.refused.get(op) ?? 0) + 1);
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
