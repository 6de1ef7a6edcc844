import type { DeliveryEvent } from '../../lib/task/schemas';

/**
 * The example target `sundial-example-flaky`: fails its first `payload.failures` attempts of every run
 * (all of them without that field), to see failed runs, retries and the run dead-letter queue at work:
 * `sundial tasks create --id demo --target sundial-example-flaky --every 1m --retry-attempts 3 --payload '{"failures":1}'`.
 */
export const handler = async (event: DeliveryEvent) => {
  const failures = (event.payload as { failures?: number } | null)?.failures ?? Number.POSITIVE_INFINITY;
  if (event.attempt <= failures)
    throw new Error(`attempt ${event.attempt} of run ${event.runId} failed on purpose`);
  return { ok: true, attempt: event.attempt };
};
