/**
 * Figure 2: what the tick costs a deployment of 10,000 daily crons. The tick runs in this process on the
 * real clock (as the Lambda would, against the cloud process), idle (nothing due) and with the handful a
 * minute that 10,000 daily crons bring (10,000 / 1,440 ≈ 7); durations become $/month at the
 * construct's 1024 MB arm64. The handful then fires through the fire worker, each alone in its second: the
 * fire worker's cost of a lone fire. Read units of an idle tick are metered on a second client.
 */

import { systemClock } from '../lib/clock';
import type { FireQueue } from '../lib/dispatch/fire-queue';
import { runTick } from '../lib/dispatch/tick';
import { DispatchStore } from '../lib/store/dispatch-store';
import { CapacityMeter } from './capacity-meter';
import type { BenchContext } from './context';
import { deploy, productionDynamoDb, SHARDS } from './environment';
import { BulkLoader } from './loader';
import { FUNCTION_GB, PRICE, TICKS_PER_MONTH } from './prices';
import { fmt, median, medianRange, sleep, sleepUntil, sum } from './stats';
import { benchTask, dailyCronAt } from './tasks';

const DAILY = 10_000;
const HANDFUL = Math.round(DAILY / 1_440);
const IDLE_RUNS = 9;
const HANDFUL_RUNS = 5;

export interface TickCostResult {
  /** Fire worker wall time of a fire alone in its second (ms). */
  loneFireWallMs: number;
  idleTickMs: number;
}

/** $ per month of one tick a minute lasting `ms`, and the arithmetic. */
function monthly(ms: number): { dollars: number; text: string } {
  const compute = TICKS_PER_MONTH * (ms / 1000) * FUNCTION_GB * PRICE.lambdaGbSecondArm;
  const requests = TICKS_PER_MONTH * PRICE.lambdaRequest;
  return {
    dollars: compute + requests,
    text: `${fmt(TICKS_PER_MONTH)} ticks × ${fmt(ms / 1000, 3)} s × ${FUNCTION_GB} GB × $0.0000133334 = $${fmt(compute, 3)} + ${fmt(TICKS_PER_MONTH)} × $0.20/M = $${fmt(requests, 3)}`,
  };
}

export async function runTickCost(ctx: BenchContext): Promise<TickCostResult> {
  const { report } = ctx;
  const tableName = 'bench-daily';
  const daily = await deploy(ctx.cloud, ctx.host, ctx.endpoints, 'daily', { tableName });
  const loader = new BulkLoader(ctx.setupDynamoDb, { tableName, shards: SHARDS, runTtlDays: 1 });
  const now = Date.now();
  // Times of day spread over the 23 hours that start 15 minutes from now: none due in the window.
  const span = 23 * 3_600_000;
  await loader.load(
    Array.from({ length: DAILY }, (_, i) =>
      benchTask(`daily-${i}`, now, {
        schedule: { cron: dailyCronAt(now + 15 * 60_000 + Math.floor((i * span) / DAILY)) },
      }),
    ),
  );
  console.log(`  ${fmt(DAILY)} daily crons loaded`);

  await daily.tick({}); // warm-up: the first tick of a fresh runtime builds its clients
  const idle: number[] = [];
  for (let i = 0; i < IDLE_RUNS; i++) {
    const t = performance.now();
    const r = await daily.tick({});
    idle.push(performance.now() - t);
    if (r.due !== 0) throw new Error(`idle tick found ${r.due} due`);
  }

  const handful: number[] = [];
  for (let run = 0; run < HANDFUL_RUNS; run++) {
    // Each run at another point of the second: how long a fire waits for its second depends on it.
    await sleepUntil(Math.ceil(Date.now() / 1000) * 1000 + (run * 1000) / HANDFUL_RUNS);
    const at = Date.now();
    await loader.load(
      Array.from({ length: HANDFUL }, (_, i) =>
        benchTask(`handful-${run}-${i}`, at, { schedule: { cron: dailyCronAt(at + 4_000 + i * 1_100) } }),
      ),
    );
    const t = performance.now();
    const r = await daily.tick({});
    handful.push(performance.now() - t);
    if (r.handedOff !== HANDFUL) throw new Error(`tick handed off ${r.handedOff} of ${HANDFUL}`);
  }

  report.section(`2. Tick compute, ${fmt(DAILY)} daily crons (tick in this process, 1024 MB arm64 prices)`);
  const idleMs = median(idle);
  const busyMs = median(handful);
  report.add('2. idle tick (none due)', medianRange(idle, 0, ' ms'));
  report.add(
    `2. tick with ${HANDFUL} due (the minute's share of ${fmt(DAILY)} daily crons)`,
    medianRange(handful, 0, ' ms'),
  );
  const month = monthly(busyMs);
  report.add(
    `2. tick compute per month, every tick with ${HANDFUL} due`,
    `$${fmt(month.dollars, 2)} = ${month.text}`,
    '≤ $1',
    month.dollars <= 1,
  );
  const idleMonth = monthly(idleMs);
  report.add(
    '2. tick compute per month, idle deployment',
    `$${fmt(idleMonth.dollars, 2)} = ${idleMonth.text}`,
    '≤ $1',
    idleMonth.dollars <= 1,
  );

  await idleTickCapacity(ctx, tableName);

  // The handful fire each alone in its second: what a lone fire costs the fire worker.
  const expected = HANDFUL * HANDFUL_RUNS;
  await Promise.race([daily.whenDelivered(expected), sleep(30_000)]);
  const lone = daily.batches.filter((b) => b.report.delivered === 1).map((b) => b.endedAt - b.startedAt);
  // Cost is linear in the wait, and the wait is spread evenly over (0.3 s, 1.3 s]: the mean prices it.
  const loneMs = sum(lone) / lone.length;
  const perMillion = 1e6 * ((loneMs / 1000) * FUNCTION_GB * PRICE.lambdaGbSecondArm + PRICE.lambdaRequest);
  report.add(
    '2. fire worker, a fire alone in its second (daily cron)',
    `mean ${fmt(loneMs)} ms, median ${medianRange(lone, 0, ' ms')} wall per invocation (it waits for the second in-process) → $${fmt(perMillion, 2)} per million such fires in fire-worker duration and requests; ${fmt(DAILY)} daily crons: $${fmt((perMillion * DAILY * 30.4) / 1e6, 2)} a month`,
    '',
    undefined,
    true,
  );
  return { loneFireWallMs: loneMs, idleTickMs: idleMs };
}

/** Read and write units of one idle tick (lease included), metered on a client of its own. */
async function idleTickCapacity(ctx: BenchContext, tableName: string): Promise<void> {
  const meter = new CapacityMeter();
  const client = productionDynamoDb();
  meter.attach(client);
  const store = new DispatchStore(client, { tableName, shards: SHARDS, runTtlDays: 1 });
  const queue: FireQueue = { send: async () => new Set() };
  const r = await runTick({ store, queue, clock: systemClock });
  if (r.due !== 0) throw new Error('the metered idle tick found work');
  const reads = meter.billedReads();
  const writes = meter.units((op) => !op.startsWith('Query'));
  const perMonth = TICKS_PER_MONTH * (reads * PRICE.readUnit + writes * PRICE.writeUnit);
  ctx.report.add(
    '2. DynamoDB units of an idle tick',
    `${fmt(reads, 1)} RU billed = ${fmt(reads / SHARDS, 2)} per shard (${SHARDS} queries; Local reports ${fmt(
      meter.units((op) => op.startsWith('Query')),
      1,
    )}) + ${fmt(writes, 1)} WU (lease taken and released) → $${fmt(perMonth, 3)} a month`,
    '≤ 1 RU per shard',
    reads / SHARDS <= 1,
  );
  client.destroy();
}
