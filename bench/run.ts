/**
 * `npm run bench`: the dispatcher's five figures on DynamoDB Local and the local Lambda endpoint, in
 * one run of about four minutes. Figures, not assertions: docs/performance.md records and reads them.
 */
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { LambdaInvoker } from '../lib/dispatch/invoker';
import { DEFAULT_TICK_OPTIONS, runTick } from '../lib/dispatch/tick';
import { startLocalCloud } from '../lib/local/cloud';
import {
  ensureTable,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDbLocal,
} from '../lib/local/dynamodb-local';
import { DispatchStore } from '../lib/store/dispatch-store';
import { buildTask } from '../lib/task/model';
import { type DeliveryEvent, type Task, TaskInput } from '../lib/task/schemas';
import { parseOrThrow } from '../lib/task/validate';
import { ManualClock } from '../test/support/clock';
import { CapacityMeter } from './capacity-meter';
import { BulkLoader } from './loader';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * List prices, us-east-1, on-demand, as published on 2026-11-22:
 * DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write request units,
 * $0.125 per million read request units, since the November 2024 price cut);
 * Lambda https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests; $0.0000133334 per GB-s
 * on arm64).
 */
const PRICE = {
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecondArm: 0.0000133334,
};

const SHARDS = 16;
const CONCURRENCY = DEFAULT_TICK_OPTIONS.concurrency;
const SINK = 'sundial-bench-sink';
const rows: [string, string, string][] = [];
const note = (figure: string, value: string, target = '') => {
  rows.push([figure, value, target]);
  console.log(`  ${figure}: ${value}`);
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

function task(id: string, now: number, fields: Record<string, unknown>): Task {
  const input = parseOrThrow(TaskInput, { id, target: { function: SINK }, ...fields });
  return buildTask({ ...input, id }, now);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main() {
  const started = performance.now();
  console.log('Starting DynamoDB Local…');
  const ddb = await startDynamoDbLocal();
  const client = localDynamoDbClient(ddb.endpoint);
  const options = { shards: SHARDS, runTtlDays: 1 };
  let sunk = 0;
  const received: DeliveryEvent[] = [];
  const receivedAt: number[] = [];
  const sink = async (event: unknown) => {
    sunk++;
    if (recordEvents) {
      received.push(event as DeliveryEvent);
      receivedAt.push(Date.now());
    }
  };
  let recordEvents = false;

  try {
    // 1. Raw ceiling: conditional UpdateItem, as many in flight as the dispatcher keeps.
    console.log(`1. raw conditional UpdateItem at concurrency ${CONCURRENCY}`);
    const raw = 'bench-raw';
    await ensureTable(client, raw);
    const doc = DynamoDBDocumentClient.from(client);
    const rawItems = 2_000;
    const rawUpdate = (i: number) =>
      doc.send(
        new UpdateCommand({
          TableName: raw,
          Key: { pk: `RAW#${i % rawItems}`, sk: 'TASK' },
          ConditionExpression: 'attribute_not_exists(pk) OR n >= :zero',
          UpdateExpression: 'SET n = if_not_exists(n, :zero) + :one',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
        }),
      );
    const limitRaw = pLimit(CONCURRENCY);
    await Promise.all(Array.from({ length: rawItems }, (_, i) => limitRaw(() => rawUpdate(i))));
    const rawCount = 5_000;
    let t = performance.now();
    await Promise.all(Array.from({ length: rawCount }, (_, i) => limitRaw(() => rawUpdate(i))));
    const rawRate = rawCount / ((performance.now() - t) / 1000);
    note('1. raw conditional UpdateItem', `${fmt(rawRate)} /s`);

    // 2. Dispatch throughput: 10,000 occurrences due at once, one tick, through the Lambda endpoint.
    console.log('2. dispatch throughput, 10,000 due occurrences');
    const cloud = await startLocalCloud({
      dynamodbEndpoint: ddb.endpoint,
      tableName: 'bench-dispatch',
      shards: SHARDS,
      functions: [{ name: SINK, handler: sink }],
      // One tick does it all: the figure is one dispatcher's, without fan-out.
      tick: { maxDuePerTick: Number.POSITIVE_INFINITY },
    });
    const loader = new BulkLoader(client, { tableName: 'bench-dispatch', ...options });
    const dueCount = 10_000;
    const now = Date.now();
    await loader.load(
      Array.from({ length: dueCount }, (_, i) =>
        task(`due-${i}`, now - 10_000, {
          schedule: { every: { hours: 1 } },
          startAt: new Date(now - 5_000).toISOString(),
        }),
      ),
    );
    t = performance.now();
    const report = await cloud.tick();
    await cloud.lambda.drain();
    const dispatchSeconds = (performance.now() - t) / 1000;
    const dispatchRate = report.delivered / dispatchSeconds;
    note(
      '2. dispatch throughput',
      `${fmt(dispatchRate)} /s (${fmt(report.delivered)} in ${fmt(dispatchSeconds, 1)} s)`,
    );
    note('2. ratio to raw ceiling', fmt(dispatchRate / rawRate, 2), '≥ 0.5');
    await cloud.stop();

    // 4. Capacity units per fire and per idle tick, measured with ReturnConsumedCapacity INDEXES.
    console.log('4. capacity units');
    const metered = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    const meter = new CapacityMeter();
    meter.attach(metered);
    const costCloud = await startLocalCloud({
      dynamodbEndpoint: ddb.endpoint,
      tableName: 'bench-cost',
      shards: SHARDS,
      functions: [{ name: SINK, handler: sink }],
    });
    const lambda = new LambdaClient({
      endpoint: costCloud.lambdaUrl,
      region: LOCAL_REGION,
      credentials: costCloud.lambda.credentials,
    });
    const costStore = new DispatchStore(metered, { tableName: 'bench-cost', ...options });
    const costLoader = new BulkLoader(client, { tableName: 'bench-cost', ...options });
    const clock = new ManualClock(Date.parse('2026-12-01T08:59:00Z'));
    const tick = () =>
      runTick({ store: costStore, invoker: new LambdaInvoker(lambda), clock, newRunId: () => 'unused' });
    const perFire = async (label: string, tasks: Task[], ticks: number[]) => {
      await costLoader.load(tasks);
      meter.reset();
      let fired = 0;
      for (const at of ticks) {
        clock.set(at);
        fired += (await tick()).delivered;
      }
      const put = meter.units((op) => op.startsWith('Put'));
      const update = meter.units((op) => op.startsWith('Update'));
      const failures = [...meter.byOperation.values()].reduce((s, o) => s + o.conditionFailures, 0);
      const reads = meter.billedReads();
      note(
        `4. write units per fire, ${label}`,
        // Every fire here is delivered: one status update per fire is the run record's, the rest the task's.
        `${fmt((put + update) / fired, 2)} (run record ${fmt((put + fired) / fired, 2)}: claim + status; ` +
          `task ${fmt((update - fired) / fired, 2)}; ` +
          `refused writes ${fmt(failures)}; reads ${fmt(reads / fired, 2)} RCU) over ${fmt(fired)} fires`,
        '≤ 3 per claim + history',
      );
      return { writes: (put + update) / fired, reads: reads / fired };
    };
    const daily = await perFire(
      'daily cron',
      Array.from({ length: 500 }, (_, i) =>
        task(`daily-${i}`, clock.now(), { schedule: { cron: '0 9 * * *' } }),
      ),
      [Date.parse('2026-12-01T09:00:00.200Z')],
    );
    const frequent = await perFire(
      'every 10 s',
      Array.from({ length: 100 }, (_, i) =>
        task(`ten-${i}`, Date.parse('2026-12-01T09:00:00Z'), { schedule: { every: { seconds: 10 } } }),
      ),
      [0, 1, 2].map((k) => Date.parse('2026-12-01T09:00:00.500Z') + k * 60_000),
    );
    // Idle: 100,000 tasks none of which is due within the look-ahead.
    console.log('   loading 100,000 idle tasks…');
    const idleLoader = new BulkLoader(client, { tableName: 'bench-idle', ...options });
    await ensureTable(client, 'bench-idle');
    const idleAt = Date.parse('2026-12-01T12:00:00Z');
    const idleTasks = Array.from({ length: 100_000 }, (_, i) =>
      task(`idle-${i}`, idleAt, { schedule: { every: { days: 1 } } }),
    );
    await idleLoader.load(idleTasks, 16);
    const idleStore = new DispatchStore(metered, { tableName: 'bench-idle', ...options });
    meter.reset();
    clock.set(idleAt + 3_600_000);
    await runTick({ store: idleStore, invoker: new LambdaInvoker(lambda), clock, newRunId: () => 'unused' });
    const idleReads = meter.billedReads();
    note(
      '4. read units of an idle tick, 100,000 tasks',
      `${fmt(idleReads, 1)} billed (${fmt(idleReads / SHARDS, 2)} per shard, ${SHARDS} shards; Local reports ${fmt(meter.units(), 1)})`,
      '≤ 1 per shard',
    );
    lambda.destroy();
    await costCloud.stop();

    // 3. Lateness over two minutes of real time, sub-minute schedules included.
    console.log('3. lateness over two minutes (real clock, ticks every 60 s)…');
    const late = await startLocalCloud({
      dynamodbEndpoint: ddb.endpoint,
      tableName: 'bench-lateness',
      shards: SHARDS,
      functions: [{ name: SINK, handler: sink }],
    });
    const lateLoader = new BulkLoader(client, { tableName: 'bench-lateness', ...options });
    const t0 = Math.ceil(Date.now() / 1000) * 1000 + 2_000;
    const endAt = new Date(t0 + 120_000).toISOString();
    const lateTasks: Task[] = [];
    for (let i = 0; i < 60; i++) {
      lateTasks.push(
        task(`every7-${i}`, t0 - 60_000, {
          schedule: { every: { seconds: 7 } },
          startAt: new Date(t0 + 1_000 + ((i * 113) % 7_000)).toISOString(),
          endAt,
        }),
      );
    }
    for (let i = 0; i < 300; i++) {
      lateTasks.push(task(`cron6-${i}`, t0 - 1, { schedule: { cron: `${i % 60} * * * * *` }, endAt }));
    }
    for (let i = 0; i < 100; i++) {
      lateTasks.push(
        task(`minute-${i}`, t0 - 60_000, {
          schedule: { every: { minutes: 1 } },
          startAt: new Date(t0 + ((i * 797) % 60_000)).toISOString(),
          endAt,
        }),
      );
    }
    await lateLoader.load(lateTasks);
    recordEvents = true;
    await new Promise((r) => setTimeout(r, t0 - Date.now()));
    const first = late.tick();
    await new Promise((r) => setTimeout(r, 60_000));
    const second = late.tick();
    await Promise.all([first, second]);
    await late.lambda.drain();
    recordEvents = false;
    await late.stop();
    const lateness = received
      .map((e) => Date.parse(e.firedAt) - Date.parse(e.scheduledAt))
      .sort((a, b) => a - b);
    const endToEnd = received
      .map((e, i) => (receivedAt[i] as number) - Date.parse(e.scheduledAt))
      .sort((a, b) => a - b);
    note(
      '3. lateness firedAt − scheduledAt',
      `p50 ${fmt(percentile(lateness, 50))} ms, p99 ${fmt(percentile(lateness, 99))} ms, max ${fmt(lateness.at(-1) ?? Number.NaN)} ms over ${fmt(lateness.length)} occurrences`,
      'p50 ≤ 100 ms, p99 ≤ 1 s',
    );
    note(
      '3. received − scheduledAt (end to end)',
      `p50 ${fmt(percentile(endToEnd, 50))} ms, p99 ${fmt(percentile(endToEnd, 99))} ms, max ${fmt(endToEnd.at(-1) ?? Number.NaN)} ms`,
    );

    // 5. Cost per million fires at list prices, from the measured units.
    const perMillion = (units: { writes: number; reads: number }) =>
      1e6 * (units.writes * PRICE.writeUnit + units.reads * PRICE.readUnit + PRICE.lambdaRequest);
    note('5. cost per million fires, daily cron', `$${fmt(perMillion(daily), 2)} (DynamoDB + target invoke)`);
    note(
      '5. cost per million fires, every 10 s',
      `$${fmt(perMillion(frequent), 2)} (DynamoDB + target invoke)`,
    );
    note(
      '5. idle tick, per month',
      `$${fmt(idleReads * PRICE.readUnit * 43_200, 4)} reads + $${fmt(43_200 * PRICE.lambdaRequest, 4)} tick invocations`,
    );
    metered.destroy();
  } finally {
    client.destroy();
    await ddb.stop();
  }
  console.log(`\nSundial dispatch benchmark (DynamoDB Local, local Lambda endpoint, ${SHARDS} shards)\n`);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length), 6));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
  console.log(line(['figure', 'measured', 'target']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\n(total ${fmt((performance.now() - started) / 1000)} s, ${sunk} deliveries)`);
}

await main();
