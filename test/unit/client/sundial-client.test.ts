import { describe, expect, it } from 'vitest';
import {
  SundialApiError,
  SundialClient,
  SundialTimeoutError,
  TaskConflictError,
  TaskNotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../../../lib';
import { PROBLEM_TYPES } from '../../../lib/task/schemas';

const task = {
  id: 't1',
  target: { function: 'sundial-x' },
  payload: {},
  schedule: { cron: '0 * * * *' },
  timezone: 'UTC',
  cronDayMatch: 'or',
  runImmediately: false,
  misfire: { graceSeconds: 300, policy: 'once' },
  enabled: true,
  state: 'active',
  nextRunAt: '2026-12-01T13:00:00.000Z',
  lastRunAt: null,
  runCount: 0,
  createdAt: '2026-12-01T12:00:00.000Z',
  updatedAt: '2026-12-01T12:00:00.000Z',
  version: 1,
};

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

/** A fetch that answers from a script and records what it was asked. */
function scripted(...answers: Answer[]) {
  const requests: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string | URL | Request, init: RequestInit = {}) => {
    requests.push({ url: String(url), init });
    const answer = answers.shift() ?? { status: 500 };
    if (answer instanceof Error) throw answer;
    const problem = answer.status >= 400 && answer.body && (answer.body as { type?: string }).type;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: {
        'content-type': problem ? 'application/problem+json' : 'application/json',
        ...answer.headers,
      },
    });
  };
  const sleeps: number[] = [];
  const client = (options: Record<string, unknown> = {}) =>
    new SundialClient({
      endpoint: 'http://127.0.0.1:3000/',
      fetch: fetch as typeof globalThis.fetch,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
      ...options,
    });
  return { requests, sleeps, client };
}

const problem = (status: number, type: string, extra: Record<string, unknown> = {}) => ({
  status,
  body: { type, title: 't', status, detail: 'd', ...extra },
});

describe('SundialClient', () => {
  it('lists runs by status and failures across tasks, page by page, with the outcome fields typed', async () => {
    const run = {
      taskId: 't1',
      runId: '01KRUN',
      scheduledAt: '2026-12-01T13:00:00.000Z',
      firedAt: '2026-12-01T13:00:00.020Z',
      attempt: 2,
      source: 'schedule',
      status: 'failed',
      finishedAt: '2026-12-01T13:00:01.020Z',
      durationMs: 1000,
      errorType: 'TypeError',
      errorMessage: 'boom',
    };
    const { requests, client } = scripted(
      { status: 200, body: { runs: [run] } },
      { status: 200, body: { runs: [run], cursor: 'c1.next' } },
      { status: 200, body: { runs: [] } },
      { status: 200, body: { runs: [{ ...run, status: 'exploded' }] } },
    );
    const c = client();
    expect((await c.listRuns('t1', { status: 'failed', limit: 5 })).runs).toEqual([run]);
    const pages = [];
    for await (const page of c.paginateRecentRuns({ status: 'timed_out', limit: 1 }))
      pages.push(page.runs.length);
    expect(pages).toEqual([1, 0]);
    expect(requests.map((r) => r.url)).toEqual([
      'http://127.0.0.1:3000/v1/tasks/t1/runs?status=failed&limit=5',
      'http://127.0.0.1:3000/v1/runs?status=timed_out&limit=1',
      'http://127.0.0.1:3000/v1/runs?status=timed_out&limit=1&cursor=c1.next',
    ]);
    await expect(c.listRecentRuns({ status: 'failed' })).rejects.toThrow(/status/);
  });

  it('parses responses with the server schemas and sends JSON bodies unsigned to a local endpoint', async () => {
    const { requests, client } = scripted({ status: 201, body: task });
    const created = await client().createTask({
      id: 't1',
      target: { function: 'sundial-x' },
      schedule: { cron: '0 * * * *' },
    });
    expect(created).toEqual(task);
    const [request] = requests;
    expect(request?.url).toBe('http://127.0.0.1:3000/v1/tasks');
    expect(request?.init.method).toBe('POST');
    const headers = (request?.init.headers ?? {}) as Record<string, string>;
    expect(headers['content-type']).toBe('application/json');
    expect(headers.authorization).toBeUndefined();
  });

  it('rejects a response that breaks the contract', async () => {
    const { client } = scripted({ status: 200, body: { ...task, state: 'sleeping' } });
    await expect(client().getTask('t1')).rejects.toThrow(/state/);
  });

  it('maps problem types to typed errors with status, problem and field list', async () => {
    const errors = [{ path: 'schedule.cron', message: 'bad' }];
    const { client } = scripted(
      problem(400, PROBLEM_TYPES.validation, { errors }),
      problem(404, PROBLEM_TYPES.taskNotFound),
      problem(409, PROBLEM_TYPES.taskConflict),
      problem(412, PROBLEM_TYPES.versionMismatch),
      { status: 403, body: { message: 'Forbidden' } },
    );
    const c = client();
    const validation = await c.getTask('a').catch((e) => e);
    expect(validation).toBeInstanceOf(ValidationError);
    expect(validation).toBeInstanceOf(SundialApiError);
    expect(validation.errors).toEqual(errors);
    expect(await c.getTask('a').catch((e) => e)).toBeInstanceOf(TaskNotFoundError);
    expect(await c.getTask('a').catch((e) => e)).toBeInstanceOf(TaskConflictError);
    expect(await c.getTask('a').catch((e) => e)).toMatchObject({
      status: 412,
      constructor: VersionMismatchError,
    });
    const gateway = await c.getTask('a').catch((e) => e);
    expect(gateway.constructor).toBe(SundialApiError);
    expect(gateway).toMatchObject({ status: 403, problem: { detail: '{"message":"Forbidden"}' } });
  });

  it('retries 429 and 5xx with backoff and jitter, honouring Retry-After', async () => {
    const { requests, sleeps, client } = scripted(
      { status: 429, body: {}, headers: { 'retry-after': '2' } },
      { status: 502, body: {} },
      { status: 200, body: task },
    );
    expect(await client().getTask('t1')).toEqual(task);
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([2000, 200]); // Retry-After, then 0.5 × 100 ms × 2²
  });

  it('gives up after maxAttempts and does not retry a non-idempotent call after a 500', async () => {
    const { requests, client } = scripted({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await expect(client({ maxAttempts: 2 }).getTask('t1')).rejects.toMatchObject({ status: 500 });
    expect(requests).toHaveLength(2);
    await expect(client().runTask('t1')).rejects.toMatchObject({ status: 500 });
    expect(requests).toHaveLength(3);
  });

  it('never retries a 4xx other than 429', async () => {
    const { requests, client } = scripted(problem(404, PROBLEM_TYPES.taskNotFound));
    await expect(client().getTask('t1')).rejects.toBeInstanceOf(TaskNotFoundError);
    expect(requests).toHaveLength(1);
  });

  it('retries network errors of idempotent calls and reports a timeout', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const { requests, client } = scripted(
      new TypeError('fetch failed'),
      { status: 200, body: task },
      timeout,
    );
    expect(await client().getTask('t1')).toEqual(task);
    await expect(client({ maxAttempts: 1 }).getTask('t1')).rejects.toBeInstanceOf(SundialTimeoutError);
    expect(requests).toHaveLength(3);
  });

  it('signs with SigV4 when given credentials, and sends If-Match and query strings', async () => {
    const { requests, client } = scripted({ status: 200, body: task }, { status: 200, body: { tasks: [] } });
    const c = client({
      endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    await c.updateTask('a b', { description: 'x' }, { ifMatch: 3 });
    await c.listTasks({ group: 'reports', limit: 5 });
    const headers = requests[0]?.init.headers as Record<string, string>;
    expect(requests[0]?.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/tasks/a%20b');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=accept;content-type;host;if-match;x-amz-date;x-request-id, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['if-match']).toBe('"3"');
    expect(requests[1]?.url).toMatch(/\/v1\/tasks\?group=reports&limit=5$/);
  });

  it('pages through every page with the paginator', async () => {
    const { requests, client } = scripted(
      { status: 200, body: { tasks: [task], cursor: 'c1' } },
      { status: 200, body: { tasks: [{ ...task, id: 't2' }] } },
    );
    const ids: string[] = [];
    for await (const page of client().paginateTasks({ limit: 1 })) ids.push(...page.tasks.map((t) => t.id));
    expect(ids).toEqual(['t1', 't2']);
    expect(requests[1]?.url).toMatch(/cursor=c1/);
  });
});
