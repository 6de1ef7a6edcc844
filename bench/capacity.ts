/**
 * DynamoDB units per fire (`ReturnConsumedCapacity: INDEXES` on every call, bench/capacity-meter.ts):
 * the real tick and fire worker against DynamoDB Local, on a test clock that jumps from message to
 * message (capacity units do not depend on timing), with the fire queue and the target replaced by
 * recorders. Every 10 s runs twenty minutes of ticks and is measured over the last three, once each
 * task's hand-off map holds its 16 minutes of hand-offs (the item size every write pays).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { handleFire } from '../lib/dispatch/fire';
import type { OutgoingMessage } from '../lib/dispatch/fire-message';
import type { FireQueue } from '../lib/dispatch/fire-queue';
import type { Invoker } from '../lib/dispatch/invoker';
import { runTick } from '../lib/dispatch/tick';
import { ensureTable } from '../lib/local/dynamodb-local';
import { DispatchStore } from '../lib/store/dispatch-store';
import type { Task } from '../lib/task/schemas';
import { ManualClock } from '../test/support/clock';
import { CapacityMeter, type OperationCapacity } from './capacity-meter';
import type { BenchContext } from './context';
import { productionDynamoDb, SHARDS } from './environment';
import { BulkLoader } from './loader';
import { meterPartiqlUpdates } from './partiql-units';
import { PRICE } from './prices';
import { fmt } from './stats';
import { benchTask, dailyCronAt } from './tasks';

export interface UnitsPerFire {
  writes: number;
  reads: number;
}

export interface CapacityResult {
  daily: UnitsPerFire;
  everyTenSeconds: UnitsPerFire;
}

/** The fire queue as a list, delivered in order of visibility by `deliverUntil`. */
class RecordingQueue implements FireQueue {
  private messages: { visibleAt: number; message: OutgoingMessage }[] = [];
  private next = 0;
  constructor(private readonly clock: ManualClock) {}

  async send(messages: OutgoingMessage[]): Promise<Set<number>> {
    for (const message of messages)
      this.messages.push({ visibleAt: this.clock.now() + message.delaySeconds * 1000, message });
    return new Set();
  }

  /** Hands every message visible by `until` to `fire`, one batch per message, the clock at its visibility. */
  async deliverUntil(until: number, fire: (event: SQSEvent) => Promise<unknown>): Promise<void> {
    for (;;) {
      this.messages.sort((a, b) => a.visibleAt - b.visibleAt);
      const due = this.messages.filter((m) => m.visibleAt <= until);
      if (due.length === 0) return;
      this.messages = this.messages.filter((m) => m.visibleAt > until);
      for (const { visibleAt, message } of due) {
        if (visibleAt > this.clock.now()) this.clock.set(visibleAt);
        await fire({ Records: [record(`m${this.next++}`, message.body)] } as SQSEvent);
      }
    }
  }
}

const record = (messageId: string, body: string) => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: { ApproximateReceiveCount: '1' },
});

const noInvoke: Invoker = { invoke: async () => undefined };

/** Ticks at each of `ticks` (epoch ms) and fires what they hand off; units metered from `measureFrom`. */
async function simulate(
  ctx: BenchContext,
  tableName: string,
  tasks: Task[],
  ticks: number[],
  measureFrom: number,
): Promise<{ meter: CapacityMeter; fires: number }> {
  await ensureTable(ctx.setupDynamoDb, tableName);
  await new BulkLoader(ctx.setupDynamoDb, { tableName, shards: SHARDS, runTtlDays: 1 }).load(tasks);
  const client = productionDynamoDb();
  const meter = new CapacityMeter();
  meter.attach(client);
  meterPartiqlUpdates(client, meter, DynamoDBDocumentClient.from(ctx.setupDynamoDb), tableName);
  const clock = new ManualClock(ticks[0] as number);
  const store = new DispatchStore(client, { tableName, shards: SHARDS, runTtlDays: 1 }, clock);
  const queue = new RecordingQueue(clock);
  let fires = 0;
  const fire = async (event: SQSEvent) => {
    const { report } = await handleFire({ store, invoker: noInvoke, queue, clock }, event);
    if (clock.now() >= measureFrom) fires += report.delivered;
  };
  for (const [i, at] of ticks.entries()) {
    if (at === measureFrom) meter.reset();
    clock.set(Math.max(at, clock.now()));
    await runTick({ store, queue, clock });
    await queue.deliverUntil(ticks[i + 1] ?? at + 130_000, fire);
  }
  client.destroy();
  return { meter, fires };
}

const indexUnits = (op: OperationCapacity | undefined) =>
  Object.values(op?.indexes ?? {}).reduce((s, v) => s + v, 0);

const READS = ['QueryCommand', 'GetItemCommand', 'BatchGetItemCommand'];
const KNOWN = [
  ...READS,
  'BatchExecuteStatementCommand',
  'BatchWriteItemCommand',
  'PutItemCommand',
  'DeleteItemCommand',
];

/** `x WU = task a (table b + index c) + runs d + lease e` per fire. */
function describe(meter: CapacityMeter, fires: number): { text: string; units: UnitsPerFire } {
  // The middleware sees the low-level command names (lib-dynamodb's UpdateCommand is an UpdateItemCommand).
  // Hand-offs are PartiQL UPDATEs, 25 a call (their units: see bench/partiql-units.ts).
  const update = meter.byOperation.get('BatchExecuteStatementCommand');
  const batchWrite = meter.byOperation.get('BatchWriteItemCommand');
  const task = (update?.units ?? 0) + (update?.conditionFailures ?? 0);
  const runs = batchWrite?.units ?? 0;
  const lease = meter.units((op) => op === 'PutItemCommand' || op === 'DeleteItemCommand');
  const writes = meter.units((op) => !READS.includes(op));
  const reads = meter.billedReads() + (meter.byOperation.get('BatchGetItemCommand')?.units ?? 0);
  const unknown = [...meter.byOperation.keys()].filter((op) => !KNOWN.includes(op));
  if (unknown.length) console.log(`  (also metered: ${unknown.join(', ')})`);
  const refused = [...meter.byOperation.values()].reduce((s, o) => s + o.conditionFailures, 0);
  const per = (n: number) => fmt(n / fires, 2);
  return {
    units: { writes: writes / fires, reads: reads / fires },
    text:
      `${per(writes)} WU = hand-off ${per(task)} (by item size, see bench/partiql-units.ts: table ${per(update?.table ?? 0)} + due index ${per(indexUnits(update))}) + run record ${per(runs)} + lease ${per(lease)}; ` +
      `${per(reads)} RU (fire worker's consistent reads of the task and the scheduler mark, due-index queries); ${refused} refused; over ${fmt(fires)} fires`,
  };
}

export async function runCapacity(ctx: BenchContext): Promise<CapacityResult> {
  const { report } = ctx;
  report.section('2. DynamoDB units per fire (capacity meter)');
  const start = Date.parse('2026-12-01T09:00:00Z');
  const daily = await simulate(
    ctx,
    'bench-capacity-daily',
    Array.from({ length: 500 }, (_, i) =>
      benchTask(`daily-${i}`, start - 3_600_000, {
        schedule: { cron: dailyCronAt(start + 30_000 + i * 100) },
      }),
    ),
    [start],
    start,
  );
  const dailyText = describe(daily.meter, daily.fires);
  report.add('2. DynamoDB units per fire, daily cron (500 tasks)', dailyText.text, '', undefined, true);
  const minutes = 20;
  const ticks = Array.from({ length: minutes }, (_, k) => start + k * 60_000);
  const tenSeconds = await simulate(
    ctx,
    'bench-capacity-ten',
    Array.from({ length: 100 }, (_, i) =>
      benchTask(`ten-${i}`, start - 60_000, {
        schedule: { every: { seconds: 10 } },
        startAt: new Date(start + (i % 10) * 1000).toISOString(),
      }),
    ),
    ticks,
    ticks[minutes - 3] as number,
  );
  const tenText = describe(tenSeconds.meter, tenSeconds.fires);
  report.add(
    '2. DynamoDB units per fire, every 10 s (100 tasks, minutes 17–20)',
    tenText.text,
    '',
    undefined,
    true,
  );
  for (const [label, u] of [
    ['daily cron', dailyText.units],
    ['every 10 s', tenText.units],
  ] as const) {
    const dollars = 1e6 * (u.writes * PRICE.writeUnit + u.reads * PRICE.readUnit);
    report.add(`2. DynamoDB per million fires, ${label}`, `$${fmt(dollars, 2)}`);
  }
  return { daily: dailyText.units, everyTenSeconds: tenText.units };
}
