import { readConfig, readOperationsConfig } from '../lib/config';
import { lambdaObservability } from '../lib/observability/lambda';
import { createRuntime } from '../lib/runtime';

const ops = lambdaObservability(readOperationsConfig(process.env));
const runtime = createRuntime(readConfig(process.env), { log: ops.log });

/**
 * Invoked asynchronously with `{ jobId }` by the API (a large group operation), by CloudFormation after a
 * deploy (the reindex), or by itself to continue a job past its 15 minutes.
 */
export const handler = ops.handler(async (event: unknown, context) => {
  const outcome = await runtime.jobs.run(event, context);
  ops.logger.info('job turn done', { event, ...outcome });
  return outcome;
});
