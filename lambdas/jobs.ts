import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { readConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';

const logger = new Logger({ serviceName: 'sundial-jobs' });
const runtime = createRuntime(readConfig(process.env), {
  log: (level, message, fields) => logger[level](message, fields ?? {}),
});

/**
 * Invoked asynchronously with `{ jobId }` by the API (a large group operation), with `{ reindex: true }`
 * after a deploy, or by itself to continue a job past its 15 minutes.
 */
export const handler = async (event: unknown, context: Context) => {
  const outcome = await runtime.jobs.run(event, context);
  logger.info('job turn done', { event, ...outcome });
  return outcome;
};
