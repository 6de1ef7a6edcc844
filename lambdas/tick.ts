import { readConfig, readOperationsConfig } from '../lib/config';
import { parseTickRequest } from '../lib/dispatch/tick';
import { lambdaObservability } from '../lib/observability/lambda';
import { publishTickReport } from '../lib/observability/reports';
import { createRuntime } from '../lib/runtime';

const ops = lambdaObservability(readOperationsConfig(process.env));
const runtime = createRuntime(readConfig(process.env), { log: ops.log });

/** Invoked once a minute by EventBridge Scheduler, or by another tick with a shard range (fan-out). */
export const handler = ops.handler(async (event: unknown) => {
  const started = Date.now();
  const request = parseTickRequest(event);
  const report = await runtime.tick(request);
  // Only the schedule's ticks carry neither a shard range nor the nudge flag: the "no tick" alarm counts them.
  publishTickReport(ops.metrics, report, {
    durationMs: Date.now() - started,
    scheduled: !request.shards && !request.nudge,
  });
  ops.logger.info('tick done', { ...report });
  return report;
});
