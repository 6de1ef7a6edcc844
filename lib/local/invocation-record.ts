import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './dynamodb-local';
import type { InvocationOutcome } from './invocation';

/**
 * The record Lambda sends to an asynchronous invocation's destinations, for a local invocation: the same
 * shape as in AWS (version 1.0), so the outcome handler reads local and deployed outcomes alike.
 */
export function invocationRecord(name: string, event: unknown, outcome: InvocationOutcome, now: number) {
  return {
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}:$LATEST`,
      condition: outcome.ok ? 'Success' : 'RetriesExhausted',
      approximateInvokeCount: 1,
    },
    requestPayload: event,
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(outcome.ok ? {} : { functionError: 'Unhandled' }),
    },
    responsePayload: outcome.ok
      ? outcome.result
      : {
          errorType: outcome.error.errorType,
          errorMessage: outcome.error.errorMessage,
          trace: outcome.error.trace,
        },
  };
}
