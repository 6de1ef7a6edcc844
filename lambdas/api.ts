import { handle } from 'hono/aws-lambda';
import { readConfig, readOperationsConfig } from '../lib/config';
import { lambdaObservability } from '../lib/observability/lambda';
import { publishApiRequest } from '../lib/observability/reports';
import { createRuntime } from '../lib/runtime';

const ops = lambdaObservability(readOperationsConfig(process.env));
const runtime = createRuntime(readConfig(process.env), {
  log: ops.log,
  // Lambda sets this to the API function's own name: no task may target it.
  selfFunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  // One request at a time per execution environment, so the shared Metrics holds one request's figures.
  recordRequest: (figures) => publishApiRequest(ops.metrics, figures),
});

/** API Gateway HTTP API (payload v2) → the Hono app. */
export const handler = ops.handler(handle(runtime.app));
