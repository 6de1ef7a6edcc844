import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import type { OperationsConfig } from '../config';
import type { Log } from '../log';
import { METRICS_NAMESPACE } from './metric-names';

/**
 * What a Lambda handler logs, measures and traces with, built once per execution environment:
 * Powertools Logger (JSON; every line carries the invocation's request id and cold start), Metrics (EMF on
 * stdout, one namespace, the deployment as its only default dimension) and Tracer (X-Ray subsegments for
 * the handler and every outgoing HTTPS call, the AWS SDK's included; inert unless tracing is on).
 */
export function lambdaObservability(config: OperationsConfig) {
  const { serviceName } = config;
  const logger = new Logger({ serviceName, logLevel: config.logLevel });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
  const tracer = new Tracer({ serviceName, enabled: config.tracing });
  const log: Log = (level, message, fields) => logger[level](message, fields ?? {});

  /** Wraps a handler: Lambda context in the logs, a traced `## handler` subsegment, metrics flushed at the end. */
  const handler =
    <E, R>(fn: (event: E, context: Context) => Promise<R>) =>
    async (event: E, context: Context): Promise<R> => {
      logger.addContext(context);
      const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
      const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
      if (subsegment) {
        tracer.setSegment(subsegment);
        tracer.annotateColdStart();
        tracer.addServiceNameAnnotation();
      }
      try {
        return await fn(event, context);
      } catch (error) {
        logger.error('invocation failed', error as Error);
        tracer.addErrorAsMetadata(error as Error);
        throw error;
      } finally {
        // The metrics of a failed invocation are published too: they say what it did before failing.
        if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
        if (segment && subsegment) {
          subsegment.close();
          tracer.setSegment(segment);
        }
      }
    };

  return { logger, metrics, tracer, log, handler };
}

export type LambdaObservability = ReturnType<typeof lambdaObservability>;
