import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../lib/local/cloud';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../lib/local/dynamodb-local';
import { freePort } from '../../lib/local/ports';
import { PROBLEM_TYPES } from '../../lib/task/schemas';

// A real outage: this file's own DynamoDB Local (persisted, on a fixed port) is stopped and started again.
const dataDir = mkdtempSync(join(tmpdir(), 'sundial-outage-'));
let port: number;
let dynamodb: DynamoDbLocal | undefined;
let cloud: LocalCloud;

beforeAll(async () => {
  port = await freePort();
  dynamodb = await startDynamoDbLocal({ port, dataDir });
  cloud = await startLocalCloud({ dynamodbEndpoint: dynamodb.endpoint, tableName: 'outage' });
});
afterAll(async () => {
  await cloud?.stop();
  await dynamodb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const task = (id: string) => ({ id, target: { function: 'sundial-x' }, schedule: { cron: '0 * * * *' } });

describe('with the task store down', () => {
  it('answers 503 with Retry-After and a store-unavailable problem, tells through /v1/health, and recovers by itself', async () => {
    expect((await call('POST', '/v1/tasks', task('before'))).status).toBe(201);
    expect((await call('GET', '/v1/health')).status).toBe(200);

    await dynamodb?.stop();
    for (const [method, path, body] of [
      ['GET', '/v1/tasks/before'],
      ['GET', '/v1/tasks'],
      ['POST', '/v1/tasks', task('during')],
      ['POST', '/v1/tasks/before/pause'],
      ['GET', '/v1/health'],
    ] as const) {
      const out = await call(method, path, body);
      expect(out.status, `${method} ${path}`).toBe(503);
      expect(out.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(out.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(out.body).toMatchObject({ type: PROBLEM_TYPES.storeUnavailable, status: 503 });
      expect(String(out.body.detail)).toMatch(/task store is unavailable/);
    }
    // Liveness never touches the store: the API itself is up.
    expect((await call('GET', '/v1/health/live')).status).toBe(200);

    dynamodb = await startDynamoDbLocal({ port, dataDir });
    expect((await call('GET', '/v1/health')).status).toBe(200);
    expect((await call('GET', '/v1/tasks/before')).body).toMatchObject({ id: 'before', state: 'active' });
    expect((await call('GET', '/v1/tasks/during')).status).toBe(404);
  }, 180_000);
});
