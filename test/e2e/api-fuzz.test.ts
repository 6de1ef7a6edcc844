import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { routes } from '../../lib/api/routes';
import type { LocalCloud } from '../../lib/local/cloud';
import { localDynamoDbClient } from '../../lib/local/dynamodb-local';
import { PROBLEM_TYPES } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

/**
 * Generated requests at every route of the local app, in-process (the app as `npm start` serves it, its
 * same-origin guard included), against DynamoDB Local: no answer is a 5xx, every refusal is a problem
 * document (those about the request's content name a field), and a refused request changes nothing stored.
 * Bounded and seeded: a failure prints the seed and the shrunk request to replay.
 */

const RUNS = 400;
const SEED = 16;
const SEEDED = ['fz-a', 'fz-b'];
const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
let cloud: LocalCloud;
const dynamodb = localDynamoDbClient(inject('dynamodbEndpoint'));

const seedTask = (id: string) => ({
  id,
  group: 'fz',
  target: { function: 'sundial-recorder' },
  schedule: { cron: '0 * * * *' },
  payload: { n: 1 },
  replaceExisting: true,
});

async function send(method: string, path: string, body?: unknown) {
  const request = new Request(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', host: new URL(cloud.apiUrl).host },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return cloud.fetch(request);
}

beforeAll(async () => {
  cloud = await startTestCloud('e2e-api-fuzz', clock, []);
  for (const id of SEEDED) expect((await send('POST', '/v1/tasks', seedTask(id))).status).toBe(201);
});
afterAll(async () => {
  dynamodb.destroy();
  await cloud?.stop();
});

/** Every item of the table, in key order: what "nothing stored changed" compares. */
async function stored() {
  const items: unknown[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: cloud.config.tableName,
        ConsistentRead: true,
        ExclusiveStartKey: ExclusiveStartKey as never,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items.map((item) => JSON.stringify(item)).sort();
}

// ---- generators ----

const printable = (maxLength: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${maxLength}}$`));

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...SEEDED) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '..',
      '%2F',
      '%00',
      '%E0%A4%A',
      '%',
      'a'.repeat(300),
      '__proto__',
      'constructor',
      '',
    ),
  },
);

const ROUTES = Object.values(routes).map((route) => ({
  method: route.method.toUpperCase(),
  path: route.path,
  hasBody: 'request' in route && 'body' in route.request,
}));

const path = fc.oneof(
  // Half the requests go to the routes that take a body: they have the most to validate.
  { weight: 6, arbitrary: fc.constantFrom(...ROUTES.filter((r) => r.hasBody)) },
  { weight: 6, arbitrary: fc.constantFrom(...ROUTES) },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      path: printable(40).map((p) => `/${p.replace(/[?#]/g, '')}`),
      hasBody: fc.boolean(),
    }),
  },
);

const queryValue = fc.oneof(
  printable(30),
  fc.constantFrom(
    '0',
    '1',
    '100',
    '101',
    '-1',
    '1e309',
    'NaN',
    'active',
    'paused',
    'fz',
    'bm9wZQ',
    '%',
    '%zz',
  ),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor', 'group', 'state'), printable(8)), queryValue), {
    maxLength: 4,
  })
  .map((pairs) =>
    pairs
      .map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('%') ? v : encodeURIComponent(v)}`)
      .join('&'),
  );

const LITERALS = [
  '1e309',
  '-1e309',
  '123456789012345678901234567890',
  '1e-400',
  '0.30000000000000000001',
  '9007199254740993',
  '1.5',
  '-0',
];
const schedule = fc.oneof(
  fc.constantFrom(
    { cron: '0 * * * *' },
    { every: { minutes: 5 } },
    { at: '2027-01-01T00:00:00Z' },
    { expression: 'rate(5 minutes)' },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);
const target = fc.oneof(
  fc.constantFrom(
    { function: 'sundial-recorder' },
    { function: 'payroll' },
    { function: 'arn:aws:lambda:eu-west-1:123456789012:function:sundial-x' },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
/** Usually a valid value, sometimes a wrong one. */
const usually = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const taskish = fc
  .record(
    {
      id: usually(fc.stringMatching(/^fz-[a-z0-9]{1,6}$/), segment),
      group: usually(fc.constant('fz'), printable(10)),
      target: usually(fc.constant({ function: 'sundial-recorder' }), target),
      schedule: usually(fc.constantFrom({ cron: '0 * * * *' }, { every: { minutes: 5 } }), schedule),
      payload: fc.jsonValue({ maxDepth: 4 }),
      timezone: usually(
        fc.constantFrom('UTC', 'Europe/Lisbon'),
        fc.constantFrom('Mars/Olympus', '', 'UTC+1'),
      ),
      maxRuns: usually(fc.integer({ min: 1, max: 100 }), fc.oneof(fc.integer(), fc.double())),
      enabled: usually(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      replaceExisting: fc.boolean(),
      colour: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: ['target', 'schedule'] },
  )
  .map(({ colour, ...task }) => (JSON.stringify(task).length % 7 === 0 ? { ...task, colour } : task));
const body = fc.oneof(
  { weight: 10, arbitrary: taskish.map((t) => JSON.stringify(t)) },
  { weight: 2, arbitrary: fc.array(taskish, { maxLength: 3 }).map((tasks) => JSON.stringify({ tasks })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(taskish, fc.constantFrom(...LITERALS))
      .map(([t, literal]) => JSON.stringify({ ...t, payload: { x: '@N' } }).replace('"@N"', literal)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(taskish, fc.integer({ min: 30, max: 20_000 }), fc.boolean())
      .map(([t, depth, arrays]) => {
        const deep = arrays
          ? `${'['.repeat(depth)}${']'.repeat(depth)}`
          : `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
        return JSON.stringify({ ...t, payload: '@D' }).replace('"@D"', deep);
      }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"schedule":', '\u0000', 'x'.repeat(100)) },
  { weight: 1, arbitrary: printable(60) },
);

/** Mostly `usual`, sometimes absent, now and then something else. */
const mostly = <T, U>(usual: T, others: fc.Arbitrary<U>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(usual) },
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: others },
  );

const headers = fc.record({
  'content-type': fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'application/json; charset=utf-8',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/merge-patch+json',
        'APPLICATION/JSON',
        '',
      ),
    },
    { weight: 1, arbitrary: printable(30) },
  ),
  'if-match': fc.option(
    fc.oneof(fc.constantFrom('"1"', '1', 'W/"2"', '*', 'abc', '"99999999999999999999"'), printable(20)),
    {
      freq: 2,
    },
  ),
  origin: mostly('@self', fc.oneof(fc.constantFrom('https://evil.example', 'null'), printable(30))),
  host: fc.oneof({ weight: 15, arbitrary: fc.constant('@self') }, { weight: 1, arbitrary: printable(30) }),
  'sec-fetch-site': mostly('same-origin', fc.constantFrom('same-site', 'cross-site', 'none')),
  accept: fc.option(printable(30), { freq: 2 }),
});

const requestArb = fc.record({
  route: path,
  query,
  headers,
  body,
  ids: fc.array(segment, { minLength: 2, maxLength: 2 }),
});
type Generated = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function build({ route, query, headers, body, ids }: Generated): Request {
  let i = 0;
  const pathname = route.path.replace(/\{(id|group)\}/g, () => ids[i++] ?? 'x');
  const self = new URL(cloud.apiUrl);
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === null || value === undefined) continue;
    sent[name] = value === '@self' ? (name === 'host' ? self.host : self.origin) : value;
  }
  const withBody = route.hasBody && !['GET', 'HEAD'].includes(route.method);
  return new Request(`${cloud.apiUrl}${pathname}${query ? `?${query}` : ''}`, {
    method: route.method,
    headers: sent,
    body: withBody ? body : undefined,
  });
}

describe('the local API under generated requests', () => {
  it(`answers ${RUNS} generated requests without a 5xx, with field-naming problems, changing nothing it refuses`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb, async (generated) => {
        const request = build(generated);
        const hadBody = request.body !== null;
        const before = await stored();
        const response = await cloud.fetch(request);
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, text).toBeLessThan(500);
        if (response.status < 400) {
          // Run-now starts a tick in the background: let it finish before the next snapshot.
          await cloud.settle();
          if (request.method === 'DELETE')
            for (const id of SEEDED) await send('POST', '/v1/tasks', seedTask(id));
          return;
        }
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(await stored()).toEqual(before);
        if (request.method === 'HEAD') return; // the same answer as GET, without the body
        const problem = JSON.parse(text);
        expect(problem).toMatchObject({
          status: response.status,
          type: expect.any(String),
          title: expect.any(String),
        });
        const aboutTheRequest = [PROBLEM_TYPES.validation, PROBLEM_TYPES.crossSite].includes(problem.type);
        if (aboutTheRequest || (hadBody && response.status === 400)) {
          expect(problem.errors?.length, text).toBeGreaterThan(0);
          for (const e of problem.errors)
            expect(e).toEqual({ path: expect.any(String), message: expect.any(String) });
        }
        expect(await stored()).toEqual(before);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The generators reach past the guard and the validators: some requests succeed, many are refused.
    const count = (test: (status: number) => boolean) =>
      [...statuses].filter(([s]) => test(s)).reduce((sum, [, n]) => sum + n, 0);
    expect(count((s) => s < 300)).toBeGreaterThan(RUNS / 20);
    expect(count((s) => s === 400)).toBeGreaterThan(RUNS / 10);
  }, 600_000);
});
