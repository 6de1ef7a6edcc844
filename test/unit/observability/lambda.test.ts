import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaObservability } from '../../../lib/observability/lambda';
import { captureStdout } from '../../support/emf';

const context = (awsRequestId: string) =>
  ({
    awsRequestId,
    functionName: 'Sundial-tick',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:Sundial-tick',
    memoryLimitInMB: '1024',
  }) as Context;

let out: ReturnType<typeof captureStdout> | undefined;
afterEach(() => {
  out?.restore();
  vi.unstubAllEnvs();
});

describe('lambdaObservability', () => {
  it('puts the request id and cold start in every log line, and publishes the metrics of each invocation', async () => {
    // What Lambda sets in an on-demand execution environment (provisioned concurrency has no cold start).
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const ops = lambdaObservability({ logLevel: 'INFO', serviceName: 'Sundial/Test', tracing: false });
    const handler = ops.handler(async (event: { n: number }) => {
      ops.log('info', 'working', { n: event.n });
      ops.metrics.addMetric('TickClaimed', 'Count', event.n);
      return event.n * 2;
    });
    out = captureStdout();
    expect(await handler({ n: 1 }, context('req-1'))).toBe(2);
    expect(await handler({ n: 2 }, context('req-2'))).toBe(4);
    const logs = out.json().filter((line) => line.message === 'working');
    expect(logs).toMatchObject([
      { level: 'INFO', service: 'Sundial/Test', function_request_id: 'req-1', cold_start: true, n: 1 },
      { level: 'INFO', function_request_id: 'req-2', cold_start: false, n: 2 },
    ]);
    for (const line of logs) expect(Date.parse(String(line.timestamp))).not.toBeNaN();
    expect(out.emf().map((doc) => doc.TickClaimed)).toEqual([1, 2]);
  });

  it('logs a failing invocation with its request id, still publishes what it measured, and rethrows', async () => {
    const ops = lambdaObservability({ logLevel: 'INFO', serviceName: 'Sundial/Test', tracing: false });
    const handler = ops.handler(async () => {
      ops.metrics.addMetric('TickFailed', 'Count', 1);
      throw new Error('table gone');
    });
    out = captureStdout();
    await expect(handler({}, context('req-9'))).rejects.toThrow('table gone');
    expect(out.json().find((l) => l.message === 'invocation failed')).toMatchObject({
      level: 'ERROR',
      function_request_id: 'req-9',
      error: { message: 'table gone' },
    });
    expect(out.emf().map((doc) => doc.TickFailed)).toEqual([1]);
  });

  it('logs nothing below the configured level', async () => {
    const ops = lambdaObservability({ logLevel: 'WARN', serviceName: 'Sundial/Test', tracing: false });
    out = captureStdout();
    await ops.handler(async () => {
      ops.log('info', 'hidden');
      ops.log('warn', 'shown');
    })({}, context('req-3'));
    expect(out.json().map((l) => l.message)).toEqual(['shown']);
  });
});
