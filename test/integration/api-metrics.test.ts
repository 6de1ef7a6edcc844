import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNMATCHED_ROUTE } from '../../lib/api/request-metrics';
import { DEFAULTS, type SundialConfig } from '../../lib/config';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../lib/local/dynamodb-local';
import type { ApiRequestFigures } from '../../lib/observability/reports';
import { createRuntime } from '../../lib/runtime';
import { closedEndpoint } from '../support/closed-port';
import type { TestTable } from '../support/dispatch';
import { createTestTable } from '../support/dynamodb';

let table: TestTable;
beforeAll(async () => {
  table = await createTestTable();
});
afterAll(() => table.drop());

const configOf = (tableName: string): SundialConfig => ({
  tableName,
  shards: 4,
  targetPrefixes: [...DEFAULTS.targetPrefixes],
  runTtlDays: 30,
  scheduleGroup: DEFAULTS.scheduleGroup,
  targetEnvironments: [],
});

function appRecording(dynamodb: DynamoDBClient, tableName: string) {
  const recorded: ApiRequestFigures[] = [];
  const runtime = createRuntime(configOf(tableName), { dynamodb, recordRequest: (f) => recorded.push(f) });
  const call = (method: string, path: string, body?: unknown) =>
    runtime.app.request(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return { recorded, call };
}

describe('API request metrics', () => {
  it('records each request under its route template, with its status and latency, errors included', async () => {
    const { recorded, call } = appRecording(table.client, table.tableName);
    const task = { id: 'm1', target: { function: 'sundial-x' }, schedule: { cron: '0 * * * *' } };
    expect((await call('POST', '/v1/tasks', task)).status).toBe(201);
    expect((await call('GET', '/v1/tasks/m1')).status).toBe(200);
    expect((await call('GET', '/v1/tasks/nope')).status).toBe(404);
    expect((await call('POST', '/v1/tasks/m1/pause')).status).toBe(200);
    expect((await call('POST', '/v1/tasks', { id: 'bad' })).status).toBe(400);
    expect((await call('GET', '/no/such/path')).status).toBe(404);
    expect((await call('GET', '/v1/groups/x/../../secret')).status).toBe(404);
    expect(recorded.map(({ route, status }) => [route, status])).toEqual([
      ['POST /v1/tasks', 201],
      ['GET /v1/tasks/{id}', 200],
      ['GET /v1/tasks/{id}', 404],
      ['POST /v1/tasks/{id}/pause', 200],
      ['POST /v1/tasks', 400],
      [UNMATCHED_ROUTE, 404],
      [UNMATCHED_ROUTE, 404],
    ]);
    for (const { latencyMs } of recorded) expect(latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('records a 5xx when the task store is down', async () => {
    const down = new DynamoDBClient({
      endpoint: await closedEndpoint(),
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const { recorded, call } = appRecording(down, 'absent');
    expect((await call('GET', '/v1/tasks/m1')).status).toBe(503);
    expect(recorded).toMatchObject([{ route: 'GET /v1/tasks/{id}', status: 503 }]);
    down.destroy();
  });
});
