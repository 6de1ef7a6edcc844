import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Runtime } from '../lib/runtime';
import type { BenchCloud } from './cloud';
import type { CloudEndpoints } from './cloud-protocol';
import type { FunctionHost } from './function-host';
import type { Report } from './report';

/** What every bench scenario gets: the cloud process, the function host, and where figures go. */
export interface BenchContext {
  cloud: BenchCloud;
  host: FunctionHost;
  endpoints: CloudEndpoints;
  /** For setup (bulk loads, reads of results): never the client whose work is measured. */
  setupDynamoDb: DynamoDBClient;
  report: Report;
}

/** Calls the HTTP API in-process (the Hono app the API Lambda serves); throws on anything but 2xx. */
export async function callApi(
  runtime: Runtime,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await runtime.app.fetch(
    new Request(`http://sundial.bench${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}
