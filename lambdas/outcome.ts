import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readConfig, readOperationsConfig } from '../lib/config';
import { lambdaObservability } from '../lib/observability/lambda';
import { createRuntime } from '../lib/runtime';

const ops = lambdaObservability(readOperationsConfig(process.env));
const runtime = createRuntime(readConfig(process.env), { log: ops.log });

/**
 * Fed by the outcome queue (batches of up to 10, partial batch responses), where the asynchronous
 * invocation destinations of registered targets send each invocation's record: records the run's outcome,
 * schedules its retry, frees its overlap slot. Records that are not Sundial deliveries are ignored.
 */
export const handler = ops.handler(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { response, report } = await runtime.outcome(event);
  ops.logger.info('outcomes done', { ...report });
  return response;
});
