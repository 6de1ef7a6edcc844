import { BatchWriteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/client/errors';
import { SundialClient } from '../../lib/client/sundial-client';
import type { LocalCloud } from '../../lib/local/cloud';
import { localDynamoDbClient } from '../../lib/local/dynamodb-local';
import { failedRunKeys } from '../../lib/store/listing-keys';
import { runKey, taskKey } from '../../lib/store/schema';
import type { DeliveryEvent, FailureStatus, Problem, Run, RunStatus } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { runCli } from '../support/run-cli';

// Tracked runs through the user-facing surfaces: the HTTP API, the SDK and the CLI. The runtime that
// records outcomes is tested on its own; here run records are written straight into the cloud's table in
// the shape it writes them (lib/store/outcome-store.ts), list keys on runs failed for good.
const clock = new ManualClock(Date.parse('2026-12-02T10:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;
let doc: DynamoDBDocumentClient;
let sdk: SundialClient;

type Item = Record<string, unknown>;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-api-tracked', clock, received);
  doc = DynamoDBDocumentClient.from(localDynamoDbClient(cloud.dynamodbEndpoint));
  sdk = new SundialClient({ endpoint: cloud.apiUrl, credentials: false });
});
afterAll(() => cloud?.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: method === 'GET' ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const def = (id: string, over: Item = {}) => ({
  id,
  target: { function: 'sundial-recorder' },
  schedule: { cron: '0 * * * *' },
  ...over,
});

const cli = (...argv: string[]) => runCli('--endpoint', cloud.apiUrl, ...argv);

function record(taskId: string, firedAt: string, status: RunStatus, extra: Item = {}): Item {
  const runId = ulid(Date.parse(firedAt));
  return {
    ...runKey(taskId, runId),
    taskId,
    runId,
    scheduledAt: firedAt,
    firedAt,
    attempt: 1,
    source: 'schedule',
    status,
    leaseUntil: Date.parse(firedAt) + 60_000,
    expiresAt: Math.floor(Date.parse(firedAt) / 1000) + 30 * 86_400,
    ...extra,
  };
}

function finalFailure(taskId: string, finishedAt: string, status: FailureStatus): Item {
  const firedAt = new Date(Date.parse(finishedAt) - 2000).toISOString();
  const run = record(taskId, firedAt, status, {
    attempt: 3,
    finishedAt,
    durationMs: 2000,
    errorType: status === 'failed' ? 'TypeError' : 'Sandbox.Timedout',
    errorMessage: `${taskId}: ${'x'.repeat(100)}`,
  });
  return { ...run, ...failedRunKeys(status, finishedAt, run.runId as string) };
}

async function putAll(items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [cloud.config.tableName]: batch } }));
  }
}

describe('retry and overlap on a task', () => {
  it('are accepted with their defaults, validated, patched whole and cleared with null', async () => {
    const created = await call(
      'POST',
      '/v1/tasks',
      def('r1', { retry: { maxAttempts: 3 }, overlap: { policy: 'skip' } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      retry: { maxAttempts: 3, delaySeconds: 30, backoffRate: 2, maxDelaySeconds: 3600 },
      overlap: { policy: 'skip', maxConcurrent: 1 },
    });
    const bad = await call(
      'POST',
      '/v1/tasks',
      def('r2', { retry: { maxAttempts: 0 }, overlap: { policy: 'never' } }),
    );
    expect(bad.status).toBe(400);
    expect((bad.body as Problem).errors?.map((e) => e.path).sort()).toEqual([
      'overlap.policy',
      'retry.maxAttempts',
    ]);

    const patched = await call('PATCH', '/v1/tasks/r1', { retry: { maxAttempts: 5, delaySeconds: 5 } });
    expect(patched.status).toBe(200);
    expect(patched.body.retry).toEqual({
      maxAttempts: 5,
      delaySeconds: 5,
      backoffRate: 2,
      maxDelaySeconds: 3600,
    });
    // Not a scheduling change: the next run stays where it was.
    expect(patched.body.nextRunAt).toBe(created.body.nextRunAt);
    const partial = await call('PATCH', '/v1/tasks/r1', { overlap: { maxConcurrent: 2 } });
    expect(partial.status).toBe(400);
    expect((partial.body as Problem).errors?.[0]?.path).toBe('overlap.policy');

    const cleared = await call('PATCH', '/v1/tasks/r1', { retry: null, overlap: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('retry');
    expect(cleared.body).not.toHaveProperty('overlap');
  });

  it('are set and changed in part from the CLI; bad values exit 2 naming the option', async () => {
    const created = await cli(
      'tasks',
      'create',
      '--id',
      'r-cli',
      '--target',
      'sundial-recorder',
      '--every',
      '5m',
      '--retry-attempts',
      '3',
      '--retry-delay',
      '10',
      '--overlap',
      'queue',
      '--max-concurrent',
      '2',
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/^retry\s+3 attempts, 10 s then ×2, at most 3600 s apart$/m);
    expect(created.stdout).toMatch(/^overlap\s+queue, at most 2 in progress$/m);

    const changed = await cli(
      'tasks',
      'update',
      'r-cli',
      '--retry-backoff',
      '1.5',
      '--max-concurrent',
      '3',
      '--output',
      'json',
    );
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toMatchObject({
      retry: { maxAttempts: 3, delaySeconds: 10, backoffRate: 1.5 },
      overlap: { policy: 'queue', maxConcurrent: 3 },
    });
    const cleared = await cli('tasks', 'update', 'r-cli', '--no-retry', '--no-overlap', '--output', 'json');
    expect(JSON.parse(cleared.stdout)).not.toHaveProperty('retry');

    for (const [flag, value] of [
      ['--retry-attempts', '11'],
      ['--retry-delay', '-1'],
      ['--retry-backoff', 'fast'],
      ['--retry-max-delay', '0'],
      ['--overlap', 'sometimes'],
      ['--max-concurrent', '0'],
    ] as const) {
      const bad = await cli('tasks', 'create', '--target', 'sundial-recorder', '--every', '5m', flag, value);
      expect(bad.code).toBe(2);
      expect(bad.stderr.split('\n')[0]).toMatch(new RegExp(`^error: option '${flag} <[a-z]+>' argument`));
    }
    const partial = await cli(
      'tasks',
      'create',
      '--target',
      'sundial-recorder',
      '--every',
      '5m',
      '--retry-delay',
      '5',
    );
    expect(partial).toMatchObject({ code: 2, stderr: expect.stringContaining('--retry-attempts') });
  });
});

describe('a task run history by status', () => {
  const statuses: RunStatus[] = ['claimed', 'delivered', 'succeeded', 'failed', 'timed_out', 'skipped'];
  beforeAll(async () => {
    expect((await call('POST', '/v1/tasks', def('h1'))).status).toBe(201);
    await putAll(
      statuses.flatMap((status, i) => [
        record('h1', `2026-12-02T08:0${i}:00.000Z`, status, {
          ...(status === 'failed'
            ? {
                attempt: 2,
                errorType: 'TypeError',
                errorMessage: 'boom',
                retryAt: '2026-12-02T08:10:00.000Z',
              }
            : {}),
          ...(status === 'skipped' ? { reason: 'overlap' } : {}),
          ...(status === 'succeeded' ? { durationMs: 340, finishedAt: '2026-12-02T08:02:00.340Z' } : {}),
        }),
        record('h1', `2026-12-02T09:0${i}:00.000Z`, status),
      ]),
    );
    await doc.send(
      new UpdateCommand({
        TableName: cloud.config.tableName,
        Key: taskKey('h1'),
        UpdateExpression: 'SET lastStatus = :s, lastError = :e, consecutiveFailures = :n',
        ExpressionAttributeValues: { ':s': 'failed', ':e': 'TypeError: boom', ':n': 1 },
      }),
    );
  });

  it('filters with ?status=, newest first, with the Run fields only', async () => {
    const all = await call('GET', '/v1/tasks/h1/runs');
    expect(all.body.runs).toHaveLength(12);
    for (const run of all.body.runs) {
      expect(run).not.toHaveProperty('leaseUntil');
      expect(run).not.toHaveProperty('expiresAt');
      expect(run).not.toHaveProperty('pk');
    }
    for (const status of statuses) {
      const page = await call('GET', `/v1/tasks/h1/runs?status=${status}&limit=1`);
      expect(page.status).toBe(200);
      expect(page.body.runs.map((r: Run) => [r.status, r.firedAt.slice(11, 16)])).toEqual([
        [status, `09:0${statuses.indexOf(status)}`],
      ]);
      const next = await call('GET', `/v1/tasks/h1/runs?status=${status}&limit=1&cursor=${page.body.cursor}`);
      expect(next.body.runs.map((r: Run) => r.firedAt.slice(11, 16))).toEqual([
        `08:0${statuses.indexOf(status)}`,
      ]);
      expect(next.body.cursor).toBeUndefined();
    }
    const failed = await sdk.listRuns('h1', { status: 'failed' });
    expect(failed.runs[1]).toMatchObject({
      attempt: 2,
      errorType: 'TypeError',
      retryAt: '2026-12-02T08:10:00.000Z',
    });
  });

  it('refuses a bad status or a cursor of another status with a 400 naming the field', async () => {
    const bad = await call('GET', '/v1/tasks/h1/runs?status=exploded');
    expect(bad.status).toBe(400);
    expect((bad.body as Problem).errors?.[0]?.path).toBe('status');
    const page = await call('GET', '/v1/tasks/h1/runs?status=failed&limit=1');
    const other = await call('GET', `/v1/tasks/h1/runs?status=skipped&cursor=${page.body.cursor}`);
    expect(other.status).toBe(400);
    expect((other.body as Problem).errors?.[0]?.path).toBe('cursor');
    expect((await call('GET', '/v1/tasks/nope/runs?status=failed')).status).toBe(404);
  });

  it('shows outcomes in the CLI: run table, --status and the task summary', async () => {
    const table = await cli('tasks', 'runs', 'h1', '--status', 'failed');
    expect(table.code).toBe(0);
    const [header, first, second] = table.stdout.split('\n');
    // Columns without a value in any run (duration, reason here) are left out.
    expect(header).toMatch(/^RUN ID\s+SOURCE\s+STATUS\s+ATTEMPT\s+SCHEDULED AT\s+ERROR\s+RETRY AT$/);
    expect(first).toMatch(/\sfailed\s+1\s+2026-12-02T09:03:\S+\s+-\s+-$/);
    expect(second).toMatch(/\sfailed\s+2\s+2026-12-02T08:03:\S+\s+TypeError: boom\s+2026-12-02T08:10:\S+$/);
    const all = await cli('tasks', 'runs', 'h1', '--output', 'json');
    expect(JSON.parse(all.stdout).runs).toHaveLength(12);
    // The newest six (09:0x) have no outcome fields: their table has no such columns.
    const plain = await cli('tasks', 'runs', 'h1', '--limit', '6');
    expect(plain.stdout.split('\n')[0]).toMatch(/\sSCHEDULED AT\s+ERROR$/);
    const early = await cli(
      'tasks',
      'runs',
      'h1',
      '--cursor',
      JSON.parse((await cli('tasks', 'runs', 'h1', '--limit', '6', '--output', 'json')).stdout).cursor,
    );
    expect(early.stdout.split('\n')[0]).toMatch(/\sDURATION\s+ERROR\s+REASON\s+RETRY AT$/);
    expect(early.stdout).toMatch(/\ssucceeded\s+1\s+\S+\s+340 ms\s+-\s+-\s+-$/m);
    expect(early.stdout).toMatch(/\sskipped\s+1\s+\S+\s+-\s+-\s+overlap\s+-$/m);
    const bad = await cli('tasks', 'runs', 'h1', '--status', 'exploded');
    expect(bad.code).toBe(2);
    const details = await cli('tasks', 'get', 'h1');
    expect(details.stdout).toMatch(/^last status\s+failed$/m);
    expect(details.stdout).toMatch(/^last error\s+TypeError: boom$/m);
    expect(details.stdout).toMatch(/^failures in a row\s+1$/m);
  });
});

describe('GET /v1/runs: runs failed for good across tasks', () => {
  const failed = [
    finalFailure('f-a', '2026-12-02T09:50:00.000Z', 'failed'),
    finalFailure('f-b', '2026-12-02T09:40:00.000Z', 'failed'),
    finalFailure('f-c', '2026-12-02T00:00:01.000Z', 'failed'),
    finalFailure('f-a', '2026-12-01T23:59:59.000Z', 'failed'),
    finalFailure('f-b', '2026-12-01T12:00:00.000Z', 'failed'),
  ];
  const timedOut = finalFailure('f-c', '2026-12-01T11:00:00.000Z', 'timed_out');
  beforeAll(() => putAll([...failed, timedOut]));

  it('pages newest first across tasks and days, through the API, the SDK and the CLI', async () => {
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', `/v1/runs?status=failed&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      ids.push(...page.body.runs.map((r: Run) => r.runId));
      sizes.push(page.body.runs.length);
      cursor = page.body.cursor;
    } while (cursor);
    expect(ids).toEqual(failed.map((r) => r.runId));
    expect(sizes).toEqual([2, 2, 1]);

    const viaSdk: string[] = [];
    for await (const page of sdk.paginateRecentRuns({ status: 'failed', limit: 3 })) {
      viaSdk.push(...page.runs.map((r) => r.runId));
    }
    expect(viaSdk).toEqual(ids);
    const timed = await sdk.listRecentRuns({ status: 'timed_out' });
    expect(timed.runs).toEqual([
      expect.objectContaining({ taskId: 'f-c', status: 'timed_out', errorType: 'Sandbox.Timedout' }),
    ]);
    expect(timed.runs[0]).not.toHaveProperty('listPk');

    const text = await cli('runs', 'failures', '--limit', '2');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TASK\s+RUN ID\s+STATUS\s+ATTEMPT\s+FINISHED AT\s+DURATION\s+ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['f-a', 'f-b']);
    expect(lines[1]).toMatch(/2000 ms\s+TypeError: f-a: x+…$/);
    expect(text.stderr).toMatch(/^more: --cursor \S+\n$/);
    const json = await cli('runs', 'failures', '--all', '--output', 'json');
    expect(JSON.parse(json.stdout).runs.map((r: Run) => r.runId)).toEqual(ids);
    const timedText = await cli('runs', 'failures', '--timed-out');
    expect(timedText.stdout).toMatch(/^f-c\s+\S+\s+timed_out\s/m);
  });

  it('refuses a missing or bad status, a bad limit and a bad cursor with a 400 naming the field', async () => {
    for (const [query, path] of [
      ['', 'status'],
      ['?status=succeeded', 'status'],
      ['?status=failed&limit=0', 'limit'],
      ['?status=failed&cursor=forged', 'cursor'],
      ['?status=failed&colour=red', ''],
    ] as const) {
      const answer = await call('GET', `/v1/runs${query}`);
      expect(answer.status, query).toBe(400);
      expect((answer.body as Problem).errors?.[0]?.path, query).toBe(path);
    }
    const page = await call('GET', '/v1/runs?status=failed&limit=1');
    const crossed = await call('GET', `/v1/runs?status=timed_out&cursor=${page.body.cursor}`);
    expect(crossed.status).toBe(400);
    await expect(sdk.listRecentRuns({ status: 'exploded' as never })).rejects.toBeInstanceOf(ValidationError);
  });
});
