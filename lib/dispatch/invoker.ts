import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { SundialError } from '../errors';
import type { DeliveryEvent, Task } from '../task/schemas';

/** Delivers one event to one target; throws when the target could not be invoked. */
export interface Invoker {
  invoke(target: Task['target'], event: DeliveryEvent): Promise<void>;
}

/**
 * A delivery that failed. `permanent` failures (unknown function, payload too large, not allowed) are
 * recorded and never retried; the others (throttling, 5xx, timeouts, network) are retried with backoff.
 */
export class DeliveryFailedError extends SundialError {
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean, options?: ErrorOptions) {
    super(message, options);
    this.permanent = permanent;
  }
}

/** Lambda errors that will fail the same way however often they are retried. */
const PERMANENT_LAMBDA_ERRORS = new Set([
  'ResourceNotFoundException',
  'RequestTooLargeException',
  'InvalidRequestContentException',
  'InvalidParameterValueException',
  'UnsupportedMediaTypeException',
  'AccessDeniedException',
  'AccessDeniedError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'InvalidRuntimeException',
  'InvalidZipFileException',
  'InvalidSecurityGroupIDException',
  'InvalidSubnetIDException',
  'ENILimitReachedException',
  'RecursiveInvocationException',
]);

/** True when retrying `error` later cannot succeed. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof DeliveryFailedError) return error.permanent;
  if (!(error instanceof Error)) return false;
  if (PERMANENT_LAMBDA_ERRORS.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // Other 4xx answers are client errors too, except throttling (429) and a function still updating (409).
  return status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 409;
}

/** Invokes the target asynchronously (InvocationType Event): Lambda queues it and answers 202. */
export class LambdaInvoker implements Invoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(target: Task['target'], event: DeliveryEvent): Promise<void> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: target.function,
        Qualifier: target.qualifier,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (out.StatusCode !== 202) {
      throw new DeliveryFailedError(`Lambda answered ${out.StatusCode} to an Event invocation`, false);
    }
  }
}
