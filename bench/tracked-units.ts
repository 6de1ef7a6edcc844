/**
 * `npm run bench:tracked`: DynamoDB units per fire of tracked runs (issue 10) against untracked ones, side
 * by side in one local cloud on a test clock, phases alike (same schedule, same payload, same ticks),
 * repeated, with `ReturnConsumedCapacity: INDEXES` on every call (bench/capacity-meter.ts). Capacity does
 * not depend on timing, so a manual clock makes the figures exact and the run fast.
 */
import { startLocalCloud } from '../lib/local/cloud';
import type { DeliveryEvent } from '../lib/task/schemas';
import { ManualClock } from '../test/support/clock';
import { CapacityMeter } from './capacity-meter';
import { fmt, medianRange } from './stats';

const TASKS = 50;
const REPEATS = 3;
const PAYLOADS = { '200 B': 200, '10 KB': 10_240 } as const;

const clock = new ManualClock(Date.parse('2026-12-01T10:00:30Z'));
const ok = async (event: unknown) => ({ ok: true, runId: (event as DeliveryEvent).runId });
const cloud = await startLocalCloud({ clock, functions: [{ name: 'sundial-bench-tracked', handler: ok }] });
// Registered on the endpoint only: invoked like any target, but its outcomes never come back (untracked).
cloud.lambda.register('sundial-bench-plain', ok);
const meter = new CapacityMeter();
meter.attach(cloud.dynamodbLocal?.client ?? (undefined as never));

interface Phase {
  writes: number;
  reads: number;
  fires: number;
  byOperation: string;
}

/** Creates TASKS every-10-s tasks on `target`, then measures one minute of ticks, fires and outcomes. */
async function phase(target: string, bytes: number, n: number): Promise<Phase> {
  const payload = { pad: 'x'.repeat(bytes) };
  const ids = Array.from({ length: TASKS }, (_, i) => `${target}-${bytes}-${n}-${i}`);
  await cloud.runtime.tasks.createTasks({
    tasks: ids.map((id) => ({
      id,
      target: { function: target },
      payload,
      schedule: { every: { seconds: 10 } },
    })),
  } as never);
  await cloud.settle();
  await nextMinute();
  await cloud.advanceTo(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
  meter.reset();
  cloud.fired.splice(0);
  // The measured minute: its tick, the fires due in it, their outcomes.
  await cloud.tick();
  await cloud.advanceTo(clock.now() + 59_999);
  const fires = cloud.fired.splice(0).reduce((s, r) => s + r.lateness.length, 0);
  const per = (n: number) => fmt(n / Math.max(1, fires), 2);
  const byOperation = [...meter.byOperation]
    .map(
      ([op, c]) =>
        `${op.replace('Command', '')} ${per(c.units + c.conditionFailures)} (${per(c.calls)} calls)`,
    )
    .join(', ');
  const measured = { writes: writeUnits(), reads: meter.billedReads(), fires, byOperation };
  await cloud.runtime.tasks.deleteTasks({ ids });
  await cloud.settle();
  return measured;
}

/** Moves the clock to the next minute's start, delivering every fire and outcome on the way, and ticks. */
async function nextMinute() {
  await cloud.advanceTo(Math.ceil((clock.now() + 1) / 60_000) * 60_000);
  await cloud.tick();
}

const READS = ['QueryCommand', 'GetItemCommand', 'BatchGetItemCommand', 'ScanCommand'];
const writeUnits = () => meter.units((op) => !READS.includes(op));

console.log(
  `Tracked and untracked runs, ${TASKS} every-10-s tasks, one measured minute per phase. Hand-offs`,
  '(BatchExecuteStatement) are the same for both and not counted: DynamoDB Local reports no units for PartiQL.\n',
);
for (const [label, bytes] of Object.entries(PAYLOADS)) {
  const results: Record<string, Phase[]> = { untracked: [], tracked: [] };
  for (let n = 0; n < REPEATS; n++) {
    results.untracked?.push(await phase('sundial-bench-plain', bytes, n));
    results.tracked?.push(await phase('sundial-bench-tracked', bytes, n));
  }
  for (const [kind, list] of Object.entries(results)) {
    const wu = list.map((p) => p.writes / p.fires);
    const ru = list.map((p) => p.reads / p.fires);
    console.log(
      `payload ${label}, ${kind}: ${medianRange(wu, 2)} WU per fire; ${medianRange(ru, 2)} RU per fire; fires ${list.map((p) => p.fires).join('/')}`,
    );
    console.log(`  units per fire by operation (last run): ${list.at(-1)?.byOperation}`);
  }
}
await cloud.stop();
