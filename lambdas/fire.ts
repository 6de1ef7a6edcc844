import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readConfig, readOperationsConfig } from '../lib/config';
import { lambdaObservability } from '../lib/observability/lambda';
import { publishFireReport } from '../lib/observability/reports';
import { createRuntime } from '../lib/runtime';

const ops = lambdaObservability(readOperationsConfig(process.env));
const runtime = createRuntime(readConfig(process.env), { log: ops.log });

/**
 * Fed by the fire queue's event source mapping (batches of up to 10 messages, partial batch responses):
 * delivers each occurrence at its second and records its run.
 */
export const handler = ops.handler(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { response, report } = await runtime.fire(event);
  publishFireReport(ops.metrics, report);
  const { lateness, ...counts } = report;
  ops.logger.info('fire done', {
    ...counts,
    fires: lateness.length,
    maxLatenessMs: Math.max(0, ...lateness),
  });
  return response;
});
