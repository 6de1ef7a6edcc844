/**
 * Prints what issue 16's protections cost: reading a request body exactly (JSON.parse plus the scan for
 * numbers that parsing would change) against JSON.parse alone, and a local invocation run in a worker
 * thread (cold start, then warm; SigV4 check included) against one run on the endpoint's own thread.
 * Run: `npx tsx bench/hardening.ts`.
 */
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { MAX_BODY_BYTES, parseJsonBody } from '../lib/api/json-body';
import { LOCAL_REGION } from '../lib/local/dynamodb-local';
import { IsolatedFunction } from '../lib/local/isolated-function';
import { LocalLambdaEndpoint } from '../lib/local/lambda-endpoint';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const timeMs = (run: () => unknown) =>
  median(
    Array.from({ length: 15 }, () => {
      const start = performance.now();
      run();
      return performance.now() - start;
    }),
  );

/** A full batch: 100 tasks whose payloads mix numbers, strings and nesting, just under the body limit. */
function batchBody(id: (i: number) => string) {
  const payload = Array.from({ length: 550 }, (_, i) => ({ n: i * 1.25, id: id(i), tags: ['a', 'b'] }));
  return JSON.stringify({ tasks: Array.from({ length: 100 }, (_, i) => ({ id: `t-${i}`, payload })) });
}

function bodyScan() {
  console.log(`request body near the ${MAX_BODY_BYTES}-byte limit, median of 15:`);
  const bodies: [string, string][] = [
    ['ids like item-42 (ruled out in one pass)', batchBody((i) => `item-${i}`)],
    ['UUIDs ("3e4…" looks like an exponent: full scan)', batchBody(() => crypto.randomUUID())],
  ];
  for (const [label, text] of bodies) {
    console.log(`  ${label}, ${text.length} bytes`);
    console.log(
      `    JSON.parse                      ${timeMs(() => JSON.parse(text))
        .toFixed(1)
        .padStart(8)} ms`,
    );
    console.log(
      `    JSON.parse + exact-number scan  ${timeMs(() => parseJsonBody(text))
        .toFixed(1)
        .padStart(8)} ms`,
    );
  }
}

async function invocations() {
  const endpoint = new LocalLambdaEndpoint();
  endpoint.register('in-process', async (event) => ({ received: event !== undefined }));
  const isolated = new IsolatedFunction({
    name: 'isolated',
    path: resolve('bench/targets/noop.ts'),
    exportName: 'handler',
  });
  endpoint.registerFunction('isolated', isolated);
  const client = new LambdaClient({
    endpoint: await endpoint.listen(0),
    region: LOCAL_REGION,
    credentials: endpoint.credentials,
  });
  const coldStart = performance.now();
  await isolated.start();
  const cold = performance.now() - coldStart;
  const warm = async (name: string) => {
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await client.send(new InvokeCommand({ FunctionName: name, Payload: '{"i":1}' }));
      samples.push(performance.now() - start);
    }
    return median(samples);
  };
  console.log('local Lambda endpoint, RequestResponse through @aws-sdk/client-lambda, median of 200:');
  console.log(`  on the endpoint's thread          ${(await warm('in-process')).toFixed(2).padStart(8)} ms`);
  console.log(`  in a warm worker thread           ${(await warm('isolated')).toFixed(2).padStart(8)} ms`);
  console.log(`  worker cold start (import, tsx)   ${cold.toFixed(0).padStart(8)} ms`);
  client.destroy();
  await endpoint.close();
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
bodyScan();
await invocations();
