import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';

const logger = new Logger({ serviceName: 'sundial-fire' });
const runtime = createRuntime(readConfig(process.env), {
  log: (level, message, fields) => logger[level](message, fields ?? {}),
});

/**
 * Fed by the fire queue's event source mapping (batches of up to 10 messages, partial batch responses):
 * delivers each occurrence at its second and records its run.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { response, report } = await runtime.fire(event);
  const { lateness, ...counts } = report;
  logger.info('fire done', { ...counts, fires: lateness.length, maxLatenessMs: Math.max(0, ...lateness) });
  return response;
};
