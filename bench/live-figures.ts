import { COMMITTED_AHEAD_MS } from '../lib/task/in-flight';
import { compileTaskSchedule, nextRunAfter } from '../lib/task/model';
import type { Task } from '../lib/task/schemas';
import type { CloudCounters, Receipt } from './cloud-protocol';
import type { BenchContext } from './context';
import type { FireBatchRecord, HostedDeployment } from './function-host';
import type { NewWork, SeededTasks } from './live';
import { FUNCTION_GB } from './prices';
import type { Report } from './report';
import { ascending, fmt, latencySummary, median, percentile, sum } from './stats';

export interface Snapshot {
  at: number;
  cpu: NodeJS.CpuUsage;
  delivered: number;
  batches: number;
  ticks: number;
  counters: CloudCounters;
  refused: Map<string, number>;
}

export interface LiveTimeline {
  t0: number;
  steadyStart: Snapshot;
  steadyEnd: Snapshot;
  end: Snapshot;
  newWork: NewWork[];
  /** When each resume-test task's pause and resume took effect (its `updatedAt`). */
  paused: Map<string, number>;
  resumed: Map<string, number>;
  schedulerResumedAt: number;
}

/** Per sub-minute fire in steady state: what the fire worker, SQS and Lambda requests cost. */
export interface FireCost {
  /** Fire worker wall time (billed duration) per fire, ms. */
  wallMsPerFire: number;
  /** The same without the in-process wait for the batch's first second, ms. */
  busyMsPerFire: number;
  sqsRequestsPerFire: number;
  lambdaRequestsPerFire: number;
}

export interface LiveResult {
  fireCost: FireCost;
  cpuMsPerFire: number;
}

const late = (r: Receipt) => r.firedAt - r.scheduledAt;

/** Occurrences of a task in (from, to]. */
function occurrences(task: Task, from: number, to: number): number {
  const compiled = compileTaskSchedule(task);
  let n = 0;
  for (
    let t = nextRunAfter(task, from, 0, compiled);
    t !== null && t <= to;
    t = nextRunAfter(task, t, 0, compiled)
  )
    n++;
  return n;
}

/** The figures of the live scenario, added to the report. */
export function liveFigures(
  ctx: BenchContext,
  main: HostedDeployment,
  seeded: SeededTasks,
  tl: LiveTimeline,
  receipts: Receipt[],
  profiled = false,
): LiveResult {
  const { report } = ctx;
  report.section('1. Lateness (firedAt − scheduledAt: from the occurrence to the invoke)');
  steadyLateness(report, seeded, tl, receipts);
  newWorkLateness(report, tl, receipts);
  const held = receipts.filter(
    (r) => r.taskId.startsWith('held-') && r.source === 'schedule' && r.receivedAt < tl.schedulerResumedAt,
  );
  report.add(
    '1. scheduler paused: tasks created 5 s ahead that fired while paused',
    `${held.length} of 30`,
    '0',
    held.length === 0,
  );
  const duplicates = receipts.length - new Set(receipts.map((r) => r.runId)).size;
  report.add(
    '   duplicate deliveries (same runId), whole live run',
    `${duplicates} of ${fmt(receipts.length)}`,
  );
  refusedWrites(report, main, tl);
  const cpuMsPerFire = steadyCpu(report, tl, profiled);
  resumeFigures(ctx, receipts, tl);
  const steadyFires = tl.steadyEnd.delivered - tl.steadyStart.delivered;
  const batches = main.batches.slice(tl.steadyStart.batches, tl.steadyEnd.batches);
  return { fireCost: steadyFireCost(report, batches, tl, steadyFires), cpuMsPerFire };
}

/** 1. Every occurrence of the steady mix scheduled in the steady window, and whether any is missing. */
function steadyLateness(report: Report, seeded: SeededTasks, tl: LiveTimeline, receipts: Receipt[]): void {
  const from = tl.steadyStart.at;
  const to = tl.steadyEnd.at;
  const steadyIds = new Set(seeded.steady.map((t) => t.id));
  const inWindow = receipts.filter(
    (r) => steadyIds.has(r.taskId) && r.source === 'schedule' && r.scheduledAt > from && r.scheduledAt <= to,
  );
  const expected = sum(seeded.steady.map((t) => occurrences(t, from, to)));
  const distinct = new Set(inWindow.map((r) => `${r.taskId}@${r.scheduledAt}`)).size;
  const steadyLate = ascending(inWindow.map(late));
  report.add(
    '1. steady state, lateness',
    `${latencySummary(steadyLate)}; ${fmt(distinct)} of ${fmt(expected)} occurrences delivered over ${fmt((to - from) / 1000)} s`,
    'p50 ≤ 50 ms, p99 ≤ 1 s',
    percentile(steadyLate, 50) <= 50 && percentile(steadyLate, 99) <= 1000 && distinct === expected,
  );
  report.add(
    '1. steady state, received by the target − scheduledAt',
    latencySummary(inWindow.map((r) => r.receivedAt - r.scheduledAt)),
  );
}

/** 1. The first delivery of each task created, PATCHed or resumed 5 s ahead (a missing one counts as late). */
function newWorkLateness(report: Report, tl: LiveTimeline, receipts: Receipt[]): void {
  const first = new Map<string, Receipt>();
  for (const r of receipts) if (r.source === 'schedule' && !first.has(r.taskId)) first.set(r.taskId, r);
  const allNew: number[] = [];
  for (const op of ['create', 'patch', 'resume'] as const) {
    const work = tl.newWork.filter((w) => w.op === op);
    const errors = work.filter((w) => w.error);
    const delivered = work.flatMap((w) => {
      const r = first.get(w.id);
      return r && !w.error ? [r.firedAt - w.occurrence] : [];
    });
    const missing = work.length - errors.length - delivered.length;
    allNew.push(...delivered, ...Array(missing).fill(Number.POSITIVE_INFINITY));
    const lead = median(work.map((w) => w.occurrence - w.sentAt));
    report.add(
      `1. new work: ${op} ${fmt(lead / 1000, 1)} s before the occurrence`,
      `${latencySummary(delivered)}${missing ? `; ${missing} NOT delivered` : ''}${errors.length ? `; ${errors.length} requests failed: ${errors[0]?.error}` : ''}`,
      'p99 ≤ 1 s',
      missing === 0 && errors.length === 0 && percentile(ascending(delivered), 99) <= 1000,
    );
  }
  const sortedNew = ascending(allNew);
  report.add('1. new work, all', latencySummary(sortedNew), 'p99 ≤ 1 s', percentile(sortedNew, 99) <= 1000);
}

/** 3. Refused conditional writes per fire over the whole live run (overlapping ticks, nudges). */
function refusedWrites(report: Report, main: HostedDeployment, tl: LiveTimeline): void {
  report.section('3. Refused conditional writes (two ticks each minute, nudges while tasks are created)');
  const ticks = main.ticks;
  const handOffs = sum(ticks.map((t) => t.report.refused));
  const fires = main.delivered;
  const scheduled = ticks.filter((t) => t.kind === 'scheduled');
  const overlapped = sum(ticks.map((t) => t.report.overlapped));
  // Every refused write the client saw: hand-offs, leases of overlapping ticks, user writes a hand-off beat.
  const refused = [...tl.end.refused];
  const all = sum(refused.map(([, n]) => n));
  const byOp = refused.map(([op, n]) => `${op} ${n}`).join(', ') || 'none';
  report.add(
    '3. refused conditional writes per fire',
    `${fmt(all / fires, 4)}: ${all} refused (${byOp}) for ${fmt(fires)} fires; hand-offs refused (TickReport.refused) ${handOffs}; ${scheduled.length} scheduled ticks (two a minute), ${overlapped} of them found the lease held; ${ticks.length - scheduled.length} nudges`,
    '≤ 0.01',
    all / fires <= 0.01,
  );
  const failedOrUnsent = sum(ticks.map((t) => t.report.errors + t.report.unsent));
  if (failedOrUnsent) report.add('3. hand-off writes failed or messages unsent', String(failedOrUnsent));
  const tickMs = scheduled.filter((t) => !t.report.overlapped).map((t) => t.ms);
  report.add(
    '   scheduled tick duration (the one of each minute that held the lease)',
    `median ${fmt(median(tickMs))} ms over ${tickMs.length} ticks`,
  );
}

/** 4. Node CPU per fire in steady state (tick + fire worker; the cloud runs in another process). */
function steadyCpu(report: Report, tl: LiveTimeline, profiled: boolean): number {
  const seconds = (tl.steadyEnd.at - tl.steadyStart.at) / 1000;
  const fires = tl.steadyEnd.delivered - tl.steadyStart.delivered;
  const cpuMs = cpuMsBetween(tl.steadyStart.cpu, tl.steadyEnd.cpu);
  report.section('4. Node CPU of the Sundial process');
  // The profiler's sampling thread counts in process.cpuUsage(): a profiled figure is not the bench's.
  report.add(
    `4. CPU per fire, steady state${profiled ? ', under the profiler' : ''}`,
    `${fmt(cpuMs / fires, 2)} ms (${fmt(cpuMs)} ms CPU for ${fmt(fires)} fires in ${fmt(seconds)} s, ${fmt(fires / seconds, 1)} fires/s)`,
    profiled ? '' : '≤ 2 ms',
    profiled ? undefined : cpuMs / fires <= 2,
    true,
  );
  return cpuMs / fires;
}

const cpuMsBetween = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) =>
  (b.user + b.system - a.user - a.system) / 1000;

/** 5. Paused-over occurrences fired after a resume, per task, under `once` and `skip`. */
function resumeFigures(ctx: BenchContext, receipts: Receipt[], tl: LiveTimeline): void {
  ctx.report.section('5. Resume after a three-minute pause (every-10-s tasks)');
  for (const policy of ['once', 'skip'] as const) {
    const ids = [...tl.resumed.keys()].filter((id) => id.startsWith(`${policy}-`));
    const pausedOver = ids.map((id) => {
      const pausedAt = (tl.paused.get(id) as number) + COMMITTED_AHEAD_MS;
      const resumedAt = tl.resumed.get(id) as number;
      return receipts.filter(
        (r) =>
          r.taskId === id && r.source === 'schedule' && r.scheduledAt > pausedAt && r.scheduledAt < resumedAt,
      ).length;
    });
    const after = ids.filter((id) =>
      receipts.some((r) => r.taskId === id && r.scheduledAt >= (tl.resumed.get(id) as number)),
    ).length;
    const most = Math.max(...pausedOver);
    const exactlyOne = pausedOver.filter((n) => n === 1).length;
    ctx.report.add(
      `5. misfire ${policy}: paused-over occurrences fired per task`,
      `max ${most}, total ${sum(pausedOver)} over ${ids.length} tasks${policy === 'once' ? ` (${exactlyOne} fired exactly one)` : ''}; ${after} of ${ids.length} fired on schedule after resuming`,
      policy === 'once' ? '≤ 1 each' : '0',
      policy === 'once' ? most <= 1 : most === 0,
    );
  }
}

/** Billed time of the fire worker and requests per fire over the steady window. */
function steadyFireCost(
  report: Report,
  batches: FireBatchRecord[],
  tl: LiveTimeline,
  fires: number,
): FireCost {
  const wall = sum(batches.map((b) => b.endedAt - b.startedAt));
  const busy = sum(batches.map((b) => b.endedAt - Math.max(b.startedAt, Math.min(b.endedAt, b.firstFireAt))));
  const delivered = sum(batches.map((b) => b.report.delivered));
  const calls = (s: Snapshot, action: string) => s.counters.queueCalls[action] ?? 0;
  const sends =
    calls(tl.steadyEnd, 'SendMessageBatch') -
    calls(tl.steadyStart, 'SendMessageBatch') +
    calls(tl.steadyEnd, 'SendMessage') -
    calls(tl.steadyStart, 'SendMessage');
  const receives =
    (tl.steadyEnd.counters.sources.main?.batches ?? 0) - (tl.steadyStart.counters.sources.main?.batches ?? 0);
  const tickCalls = tl.steadyEnd.ticks - tl.steadyStart.ticks;
  const cost: FireCost = {
    wallMsPerFire: wall / delivered,
    busyMsPerFire: busy / delivered,
    // The event source mapping: one ReceiveMessage and one DeleteMessageBatch per batch.
    sqsRequestsPerFire: (sends + 2 * receives) / fires,
    // The fire worker's invocations, the ticks', and the target's own invocation.
    lambdaRequestsPerFire: (batches.length + tickCalls) / fires + 1,
  };
  // Why a fire can be late: its message sent long after the tick built it, or the batch arriving late.
  report.add(
    '1. steady state: send lag of fire messages (queue receipt − built) and batch arrival before its first fire',
    `send lag ${latencySummary(batches.flatMap((b) => b.sendLagMs))}; arrival ${latencySummary(batches.map((b) => b.firstFireAt - b.startedAt))} before the first fire time`,
  );
  const perBatch = batches.map((b) => b.report.delivered);
  const wallPerBatch = batches.map((b) => b.endedAt - b.startedAt);
  console.log(
    `  fire worker in steady state: ${batches.length} invocations, median ${fmt(median(perBatch))} fires and ${fmt(median(wallPerBatch))} ms wall each; ` +
      `${fmt(cost.wallMsPerFire, 1)} ms wall / ${fmt(cost.busyMsPerFire, 1)} ms busy per fire (${FUNCTION_GB} GB); ` +
      `SQS ${sends} sends + ${receives} receives + ${receives} deletes; ${tickCalls} tick invocations`,
  );
  return cost;
}
