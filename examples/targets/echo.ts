import type { DeliveryEvent } from '../../lib/task/schemas';

/** The example target `sundial-example-echo`: logs every event it receives, one JSON line each. */
export const handler = async (event: DeliveryEvent) => {
  console.log(
    JSON.stringify({ function: 'sundial-example-echo', receivedAt: new Date().toISOString(), event }),
  );
  return { ok: true };
};
