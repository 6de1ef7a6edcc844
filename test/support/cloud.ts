import { inject } from 'vitest';
import { type LocalCloudOptions, startLocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import type { ManualClock } from './clock';

/**
 * A local cloud for an end-to-end test file: on the run's DynamoDB Local, in its own table, on the
 * file's manual clock, with target functions that record every event into `received`. Their outcomes are
 * not followed (runs stay `delivered`, as for targets not registered with the construct) unless the test
 * asks with `trackOutcomes: true` (test/e2e/tracked-runs.test.ts).
 */
export function startTestCloud(
  tableName: string,
  clock: ManualClock,
  received: DeliveryEvent[],
  {
    recorders = ['sundial-recorder'],
    functions = [],
    ...options
  }: LocalCloudOptions & { recorders?: string[] } = {},
) {
  const record = async (event: unknown) => void received.push(event as DeliveryEvent);
  return startLocalCloud({
    log: (level, message, fields) => level === 'error' && console.error(message, fields),
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName,
    clock,
    trackOutcomes: false,
    ...options,
    functions: [...recorders.map((name) => ({ name, handler: record })), ...functions],
  });
}
