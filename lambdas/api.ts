import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { readConfig } from '../lib/config';
import { createRuntime } from '../lib/runtime';

const logger = new Logger({ serviceName: 'sundial-api' });
const runtime = createRuntime(readConfig(process.env), {
  log: (level, message, fields) => logger[level](message, fields ?? {}),
  // Lambda sets this to the API function's own name: no task may target it.
  selfFunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
});

/** API Gateway HTTP API (payload v2) → the Hono app. */
export const handler = handle(runtime.app);
