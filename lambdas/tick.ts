import { Logger } from '@aws-lambda-powertools/logger';
import { readConfig } from '../lib/config';
import { parseTickRequest } from '../lib/dispatch/tick';
import { createRuntime } from '../lib/runtime';

const logger = new Logger({ serviceName: 'sundial-tick' });
const runtime = createRuntime(readConfig(process.env), {
  log: (level, message, fields) => logger[level](message, fields ?? {}),
});

/** Invoked once a minute by EventBridge Scheduler, or by another tick with a shard range (fan-out). */
export const handler = async (event: unknown) => {
  const report = await runtime.tick(parseTickRequest(event));
  logger.info('tick done', { ...report });
  return report;
};
