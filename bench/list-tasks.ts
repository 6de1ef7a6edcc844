/**
 * `npm run bench:list`: listing at 1k, 10k and 100k tasks, each task with 10 run records (1,000,000 at
 * 100k), on a disk-backed DynamoDB Local behind the real HTTP API (as `npm start` serves it). Prints p50
 * and p99 of first and deep pages of every kind of listing, the read units a request costs, and the
 * 100k/1k ratio of p99 next to its target (≤ 2×). Figures, not assertions: docs/performance.md quotes them.
 *
 * Usage: npx tsx bench/list-tasks.ts [sizes=1000,10000,100000] [samples=200] [--disk]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { type ServerType, serve } from '@hono/node-server';
import pLimit from 'p-limit';
import { encodeTime } from 'ulid';
import { DEFAULTS } from '../lib/config';
import { ensureTable, localDynamoDbClient, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { createRuntime } from '../lib/runtime';
import { runKey, TABLE } from '../lib/store/schema';
import { TaskStore } from '../lib/store/task-store';
import { buildTask } from '../lib/task/model';
import { applyPatch, pauseTask, resumeTask } from '../lib/task/patch';
import { type Task, TaskInput } from '../lib/task/schemas';
import { parseOrThrow } from '../lib/task/validate';
import { CapacityMeter } from './capacity-meter';
import { BulkLoader } from './loader';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SIZES = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
const SAMPLES = Number(process.argv[3] ?? 200);
/** `--disk`: DynamoDB Local keeps its data in a temporary folder, as `npm start` does (slower to load). */
const DISK = process.argv.includes('--disk');
const RUNS_PER_TASK = 10;
const GROUPS = 2;
const PAGE = 100;
const T0 = Date.parse('2026-12-01T00:00:00Z');

/** Task i: in group g-(i mod 2); half the tasks paused (i = 0, 1, 4, 5, 8, 9, …), half of each group. */
function makeTask(i: number): Task {
  const id = `task-${String(i).padStart(7, '0')}`;
  const input = parseOrThrow(TaskInput, {
    id,
    group: `g-${i % GROUPS}`,
    target: { function: 'sundial-bench' },
    schedule: { every: { minutes: 5 } },
    enabled: Math.floor(i / GROUPS) % 2 !== 0,
    payload: { customer: i, report: 'daily' },
  });
  return buildTask({ ...input, id }, T0);
}

function runItem(task: Task, r: number) {
  const firedAt = T0 + r * 300_000;
  const runId = `${encodeTime(firedAt, 10)}${String(r).padStart(16, '0')}`;
  return {
    ...runKey(task.id, runId),
    runId,
    taskId: task.id,
    group: task.group,
    scheduledAt: new Date(firedAt).toISOString(),
    firedAt: new Date(firedAt + 50).toISOString(),
    attempt: 1,
    source: 'schedule',
    status: 'delivered',
    expiresAt: Math.floor(firedAt / 1000) + 30 * 86_400,
  };
}

async function loadRuns(doc: DynamoDBDocumentClient, tableName: string, tasks: Task[]) {
  const limit = pLimit(8);
  const items = tasks.flatMap((t) => Array.from({ length: RUNS_PER_TASK }, (_, r) => runItem(t, r)));
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await Promise.all(
    batches.map((batch) =>
      limit(async () => {
        let requests: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests && requests.length > 0) {
          const out: BatchWriteCommandOutput = await doc.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }),
          );
          requests = out.UnprocessedItems?.[tableName];
        }
      }),
    ),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

interface Figure {
  p50: number;
  p99: number;
  units: number;
  items: number;
}

/** The queries measured: a path, and how to reach its deep page (a cursor halfway through). */
const QUERIES: { name: string; path: string; deep?: boolean }[] = [
  { name: 'all tasks, first page', path: `/v1/tasks?limit=${PAGE}` },
  { name: 'all tasks, page halfway in', path: `/v1/tasks?limit=${PAGE}`, deep: true },
  { name: 'state=completed (none)', path: `/v1/tasks?state=completed&limit=${PAGE}` },
  { name: 'state=paused, first page', path: `/v1/tasks?state=paused&limit=${PAGE}` },
  { name: 'state=paused, page halfway in', path: `/v1/tasks?state=paused&limit=${PAGE}`, deep: true },
  { name: 'group, first page', path: `/v1/tasks?group=g-1&limit=${PAGE}` },
  { name: 'group, page halfway in', path: `/v1/tasks?group=g-1&limit=${PAGE}`, deep: true },
  { name: 'group+state=paused', path: `/v1/tasks?group=g-1&state=paused&limit=${PAGE}` },
  { name: 'run history, first page', path: '/v1/tasks/task-0000001/runs?limit=5' },
  { name: 'run history, second page', path: '/v1/tasks/task-0000001/runs?limit=5', deep: true },
];

/** One size's table, served by its own API on its own client (so its reads are metered apart). */
interface Deployment {
  size: number;
  meter: CapacityMeter;
  get: (path: string) => Promise<{ cursor?: string; tasks?: unknown[]; runs?: unknown[] }>;
  close: () => Promise<void>;
}

async function deploy(endpoint: string, size: number): Promise<Deployment> {
  const client = localDynamoDbClient(endpoint);
  const tableName = `bench-list-${size}`;
  await ensureTable(client, tableName);
  const options = { tableName, shards: DEFAULTS.shards, runTtlDays: 30 };
  const tasks = Array.from({ length: size }, (_, i) => makeTask(i));
  const started = performance.now();
  await new BulkLoader(client, options).load(tasks);
  await loadRuns(DynamoDBDocumentClient.from(client), tableName, tasks);
  const loadedIn = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`${size} tasks and ${size * RUNS_PER_TASK} run records loaded in ${loadedIn} s`);
  const meter = new CapacityMeter();
  meter.attach(client);
  const runtime = createRuntime(
    { ...options, targetPrefixes: ['sundial-'], scheduleGroup: 'default', targetEnvironments: [] },
    { dynamodb: client },
  );
  let server: ServerType | undefined;
  const url = await new Promise<string>((resolve) => {
    server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { cursor?: string; tasks?: unknown[]; runs?: unknown[] };
  };
  const close = async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    client.destroy();
  };
  return { size, meter, get, close };
}

/**
 * Every query at every size, the sizes' requests interleaved (one each per round, in turn), so that
 * whatever else loads the machine weighs on every size alike.
 */
async function measure(deployments: Deployment[]): Promise<Map<number, Map<string, Figure>>> {
  const results = new Map(deployments.map((d) => [d.size, new Map<string, Figure>()]));
  for (const query of QUERIES) {
    const paths = await Promise.all(
      deployments.map((d) => (query.deep ? deepPath(d.get, query.path) : query.path)),
    );
    for (const [i, d] of deployments.entries()) for (let w = 0; w < 5; w++) await d.get(paths[i] as string);
    for (const d of deployments) d.meter.reset();
    const times = deployments.map(() => [] as number[]);
    const items = deployments.map(() => 0);
    for (let round = 0; round < SAMPLES; round++) {
      for (let k = 0; k < deployments.length; k++) {
        const i = (round + k) % deployments.length;
        const t = performance.now();
        const body = await (deployments[i] as Deployment).get(paths[i] as string);
        times[i]?.push(performance.now() - t);
        items[i] = (body.tasks ?? body.runs ?? []).length;
      }
    }
    for (const [i, d] of deployments.entries()) {
      const sorted = (times[i] ?? []).sort((a, b) => a - b);
      results.get(d.size)?.set(query.name, {
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        units: d.meter.units() / SAMPLES,
        items: items[i] ?? 0,
      });
    }
  }
  return results;
}

/** The listing's path with a cursor halfway through it (walked once, page by page). */
async function deepPath(get: (path: string) => Promise<{ cursor?: string }>, path: string): Promise<string> {
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await get(cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);
    cursor = page.cursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  // Halfway, and never the last page: the page read is a full one.
  const half = cursors[Math.floor((cursors.length - 1) / 2)];
  if (!half) return path;
  return `${path}&cursor=${encodeURIComponent(half)}`;
}

/**
 * What the list index adds to each write of a task, from `ReturnConsumedCapacity: INDEXES`: a task's
 * create and delete write its entry, a change of state moves it; a change that keeps the state (PATCH of
 * the payload, every tick acknowledgement) leaves a keys-only index alone.
 */
const READ_OPERATIONS = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand']);

async function indexWriteUnits(): Promise<[string, number, number][]> {
  const db = await startDynamoDbLocal();
  try {
    const tableName = 'bench-list-writes';
    await ensureTable(db.client, tableName);
    const store = new TaskStore(db.client, { tableName, shards: DEFAULTS.shards, runTtlDays: 30 });
    const meter = new CapacityMeter();
    meter.attach(db.client);
    const rows: [string, number, number][] = [];
    const measure = async (name: string, work: () => Promise<unknown>) => {
      meter.reset();
      await work();
      let list = 0;
      let all = 0;
      for (const [operation, op] of meter.byOperation) {
        if (READ_OPERATIONS.has(operation)) continue;
        list += op.indexes[TABLE.listIndex.name] ?? 0;
        all += op.units;
      }
      rows.push([name, list, all]);
    };
    const t = makeTask(3); // active
    const now = () => T0 + 60_000;
    await measure('create', () => store.createTask(t));
    await measure('PATCH the payload', () =>
      store.modifyTask(t.id, (c) => applyPatch(c.task, { payload: { n: 2 } }, now())),
    );
    await measure('pause', () => store.modifyTask(t.id, (c) => pauseTask(c.task, now())));
    await measure('resume', () => store.modifyTask(t.id, (c) => resumeTask(c.task, now())));
    await measure('delete', () => store.deleteTask(t.id));
    return rows;
  } finally {
    await db.stop();
  }
}

const writeUnits = await indexWriteUnits();
const dataDir = DISK ? mkdtempSync(join(tmpdir(), 'sundial-bench-list-')) : undefined;
const db = await startDynamoDbLocal({ dataDir });
const deployments: Deployment[] = [];
let results: Map<number, Map<string, Figure>>;
try {
  for (const size of SIZES) deployments.push(await deploy(db.endpoint, size));
  results = await measure(deployments);
} finally {
  for (const d of deployments) await d.close();
  await db.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

const ms = (n: number | undefined) => (n === undefined ? '-' : n < 10 ? n.toFixed(1) : n.toFixed(0));
const header = [
  'query (limit 100; runs: limit 5)',
  ...SIZES.map((s) => `${s / 1000}k p50 / p99 ms`),
  'units/req',
];
const rows = QUERIES.map(({ name }) => {
  const cells = SIZES.map((s) => {
    const f = results.get(s)?.get(name);
    return `${ms(f?.p50)} / ${ms(f?.p99)}`;
  });
  const units = SIZES.map((s) => (results.get(s)?.get(name)?.units ?? 0).toFixed(1)).join(' / ');
  return [name, ...cells, units];
});
const first = SIZES[0] as number;
const last = SIZES.at(-1) as number;
console.log(
  `\nListing, ${SAMPLES} requests each, through the HTTP API on DynamoDB Local (${DISK ? 'disk' : 'in memory'}), ${RUNS_PER_TASK} run records per task\n`,
);
console.log(`| ${header.join(' | ')} | p99 ${last / 1000}k ÷ ${first / 1000}k (target ≤ 2) |`);
console.log(`|${header.map(() => '---').join('|')}|---|`);
for (const [i, row] of rows.entries()) {
  const name = QUERIES[i]?.name as string;
  const ratio = (results.get(last)?.get(name)?.p99 ?? 0) / (results.get(first)?.get(name)?.p99 ?? 1);
  console.log(`| ${row.join(' | ')} | ${ratio.toFixed(2)} |`);
}

console.log('\nWrite units of one task write: all of them (table and indexes), and the list index share\n');
console.log('| write | list index | all (table and indexes) |\n|---|---|---|');
for (const [name, list, all] of writeUnits) console.log(`| ${name} | ${list} | ${all} |`);
