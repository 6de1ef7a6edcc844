import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * Whether an AWS SDK call failed because the service could not answer: unreachable, timed out, throttled
 * or failing on its side, after the SDK's own retries. The AWS SDK's own classification, so Sundial and
 * the SDK's retry strategy agree on what is transient.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Parameters<typeof isTransientError>[0];
  return isTransientError(e) || isThrottlingError(e) || isServerError(e);
}
