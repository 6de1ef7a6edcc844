import { Logger } from '@aws-lambda-powertools/logger';
import { readConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';

const logger = new Logger({ serviceName: 'sundial-tick' });
const runtime = createRuntime(readConfig(process.env), {
  log: (level, message, fields) => logger[level](message, fields ?? {}),
});

/** Invoked once a minute by EventBridge Scheduler; the event carries nothing we need. */
export const handler = async () => {
  const report = await runtime.tick();
  logger.info('tick done', { ...report });
  return report;
};
