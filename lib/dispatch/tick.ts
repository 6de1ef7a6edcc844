import pLimit from 'p-limit';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { DispatchStore, RunClaim } from '../store/dispatch-store';
import type { DueTask, Lease } from '../store/items';
import { toIso } from '../task/model';
import { fireTimeOf, planDue } from '../task/plan';
import type { DeliveryEvent, Run } from '../task/schemas';
import { assertTargetAllowed } from '../task/targets';
import { DeliveryFailedError, type Invoker, isPermanent } from './invoker';
import { scheduledRunId } from './run-id';

/** Named instants where a test can make the tick die (throw) or stall; never set in production. */
export interface TickFaults {
  /** After an occurrence's claim was written and before its target is invoked. */
  afterClaim?(lease: Lease, taskId: string): void | Promise<void>;
}

/** A half-open range of due-index shards, [from, to). */
export interface ShardRange {
  from: number;
  to: number;
}

export interface TickDeps {
  store: DispatchStore;
  invoker: Invoker;
  clock: Clock;
  newRunId: () => string;
  /** The allow-list; a target outside it is a permanent failure (it cannot have been created so). */
  targetPrefixes?: readonly string[];
  /** Starts another tick, asynchronously, on a range of shards (fan-out); absent: never fan out. */
  fanOut?: (range: ShardRange) => Promise<void>;
  /** Sundial's own functions, never invoked as targets. */
  reservedFunctions?: readonly string[];
  faults?: TickFaults;
  /** For retry jitter; Math.random by default. */
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface TickOptions {
  /** How long a claim protects an occurrence before another tick may re-deliver it. */
  leaseMs: number;
  /** Deliveries (claim, invoke, record) in flight at once. */
  concurrency: number;
  /** Occurrences due up to now + this are claimed and fired at their second: one tick period + margin. */
  lookAheadMs: number;
  /** An occurrence fired this long after the tick read its task re-reads it first (pause, PATCH). */
  recheckAfterMs: number;
  /** Invocation attempts on transient errors, on top of the SDK's own retries. */
  invokeAttempts: number;
  /** Full-jitter exponential backoff between those attempts. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** More due items than this in one tick: the tick fans out to one tick per overloaded shard. */
  maxDuePerTick: number;
}

export const DEFAULT_TICK_OPTIONS: TickOptions = {
  leaseMs: 2 * 60_000,
  concurrency: 64,
  lookAheadMs: 62_000,
  recheckAfterMs: 2_000,
  invokeAttempts: 4,
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  maxDuePerTick: 4_000,
};

/** What a tick is asked to do: everything (the EventBridge tick), or a shard range (fan-out). */
export const TickRequest = z.object({
  shards: z
    .object({ from: z.number().int().min(0), to: z.number().int().min(1) })
    .refine((r) => r.from < r.to, 'from must be below to')
    .optional(),
  /** Deliver run-now requests only (the API's tick for a run-now), no scheduled occurrence. */
  manualOnly: z.boolean().optional(),
});
export type TickRequest = z.infer<typeof TickRequest>;

/** Reads the tick's event: EventBridge's (anything without `shards`) or a fan-out request. */
export function parseTickRequest(event: unknown): TickRequest {
  const parsed = TickRequest.safeParse(event ?? {});
  return parsed.success ? parsed.data : {};
}

export interface TickReport {
  /** Occurrences this tick claimed (first delivery or take-over). */
  claimed: number;
  delivered: number;
  failed: number;
  /** Occurrences another tick claimed first, or that were delivered already. */
  lost: number;
  /** Claims of a tick that let its lease expire, delivered again with the same runId. */
  redelivered: number;
  /** Occurrences not fired because the task changed (paused, updated, deleted) before their second. */
  cancelled: number;
  /** Ticks started on other shards because this one had more due than it can fire in time. */
  fannedOut: number;
  /** Active tasks found not advancing (nextRunAt at or before lastRunAt): always a bug, logged as an error. */
  stalled: number;
}

export const emptyTickReport = (): TickReport => ({
  claimed: 0,
  delivered: 0,
  failed: 0,
  lost: 0,
  redelivered: 0,
  cancelled: 0,
  fannedOut: 0,
  stalled: 0,
});

interface Occurrence {
  runId: string;
  scheduledAt: number;
  fireAt: number;
  source: Run['source'];
}

/** One due task's work in this tick: its occurrences, in order, and what came of them. */
interface TaskWork {
  due: DueTask;
  occurrences: Occurrence[];
  plan?: ReturnType<typeof planDue>;
  manualDone: number;
  /** The last scheduled occurrence settled (delivered, failed, or found acknowledged). */
  lastSettled?: number;
  /** The first scheduled occurrence another tick still held: the acknowledgement never moves past it. */
  firstHeld?: Occurrence;
  /** Scheduled occurrences this tick delivered (or failed for good): what it adds to runCount. */
  fired: number;
  lastError?: string;
  stopped: boolean;
  /** Backing off before another invocation attempt. */
  retrying: boolean;
  chain: Promise<void>;
}

/**
 * One pass of the scheduler: query the due index (every shard of the range in parallel, every page),
 * plan each due task's occurrences up to now + look-ahead, and fire each at its second: claim it (its
 * run record), invoke its target, acknowledge the task. One failing task never stops the others.
 * An overloaded tick hands whole shards to other ticks (`deps.fanOut`).
 */
export async function runTick(
  deps: TickDeps,
  overrides: Partial<TickOptions> = {},
  request: TickRequest = {},
): Promise<TickReport> {
  const options: TickOptions = { ...DEFAULT_TICK_OPTIONS, ...overrides };
  const report = emptyTickReport();
  const started = deps.clock.now();
  const horizon = started + options.lookAheadMs;
  const found = await collectDue(deps, options, request, horizon, report);
  const dueTasks = request.manualOnly ? found.filter((due) => due.manualRuns.length > 0) : found;
  for (const due of dueTasks) if (isStalled(due)) reportStalled(deps, due, report);
  const limit = pLimit(options.concurrency);
  const works = dueTasks.map((due) => planWork(due, started, horizon, request.manualOnly));
  // Fire in time order across all tasks; each task's occurrences stay sequential (see recovery).
  const timeline = works
    .flatMap((work) => work.occurrences.map((occurrence) => ({ work, occurrence })))
    .sort((a, b) => a.occurrence.fireAt - b.occurrence.fireAt);
  for (const { work, occurrence } of timeline) {
    if (occurrence.fireAt > deps.clock.now()) await deps.clock.sleepUntil(occurrence.fireAt);
    // Wait for a task still busy with its previous occurrence, unless it is backing off a retry.
    const wait = !work.retrying;
    let start = () => {};
    const taken = new Promise<void>((resolve) => {
      start = resolve;
    });
    work.chain = work.chain.then(() =>
      limit(() => {
        // fireOne reads the clock before its first await: once it has started, the loop may move on.
        const fired = work.stopped
          ? Promise.resolve()
          : fireOne(deps, options, work, occurrence, started, horizon, report);
        start();
        return fired;
      }),
    );
    work.chain.catch(() => start());
    // Wait until the occurrence has taken its slot and its time (back-pressure, and a manual clock in
    // tests must not run ahead of it); a task backing off a retry never holds up the others.
    if (wait) await taken;
  }
  await Promise.all(
    works.map((work) =>
      work.chain
        .then(() => limit(() => acknowledge(deps, work)))
        .catch((error) => {
          report.failed++;
          deps.log?.('error', 'task processing failed', { taskId: work.due.task.id, error: String(error) });
        }),
    ),
  );
  return report;
}

/**
 * Every acknowledgement moves nextRunAt past the occurrences it settles, so an active task whose
 * nextRunAt is not after its lastRunAt has stopped advancing: its acknowledgements keep failing.
 */
function isStalled({ task }: DueTask): boolean {
  if (task.state !== 'active' || task.nextRunAt === null || task.lastRunAt === null) return false;
  return Date.parse(task.nextRunAt) <= Date.parse(task.lastRunAt);
}

function reportStalled(deps: TickDeps, { task }: DueTask, report: TickReport) {
  report.stalled++;
  deps.log?.('error', 'task stopped advancing: nextRunAt is not after lastRunAt', {
    taskId: task.id,
    nextRunAt: task.nextRunAt,
    lastRunAt: task.lastRunAt,
  });
}

/** The due tasks of this tick's shards; an overloaded root tick hands shards it cannot serve to others. */
async function collectDue(
  deps: TickDeps,
  options: TickOptions,
  request: TickRequest,
  horizon: number,
  report: TickReport,
): Promise<DueTask[]> {
  const range = request.shards ?? { from: 0, to: deps.store.shards };
  const shards = Array.from({ length: Math.max(0, range.to - range.from) }, (_, i) => range.from + i);
  const isRoot = !request.shards;
  const perShard = isRoot && deps.fanOut ? Math.max(1, Math.ceil(options.maxDuePerTick / shards.length)) : 0;
  const pages = await Promise.all(
    shards.map(async (shard) => {
      const items: DueTask[] = [];
      let more = false;
      for await (const due of deps.store.queryDue(shard, horizon)) {
        // Only the root stops early, to see whether it needs help; a worker serves its whole range.
        if (perShard && items.length >= perShard) {
          more = true;
          break;
        }
        items.push(due);
      }
      return { shard, items, more };
    }),
  );
  const overloaded = pages.filter((p) => p.more);
  if (overloaded.length === 0 || !deps.fanOut) return pages.flatMap((p) => p.items);
  // Every overloaded shard but the first goes to a tick of its own; this tick serves the first in full.
  const [mine, ...others] = overloaded;
  const kept: number[] = [];
  await Promise.all(
    others.map(async (p) => {
      try {
        await deps.fanOut?.({ from: p.shard, to: p.shard + 1 });
        report.fannedOut++;
      } catch (error) {
        // Throttled or refused: this tick serves the shard itself rather than leave it unserved.
        deps.log?.('warn', 'fan-out failed; serving the shard here', {
          shard: p.shard,
          error: String(error),
        });
        kept.push(p.shard);
      }
    }),
  );
  const own = pages.filter((p) => !p.more).flatMap((p) => p.items);
  for (const shard of [...(mine ? [mine.shard] : []), ...kept]) {
    for await (const due of deps.store.queryDue(shard, horizon)) own.push(due);
  }
  deps.log?.('info', 'tick fanned out', { shards: others.map((p) => p.shard) });
  return own;
}

/** The occurrences a due task fires in this tick: pending manual runs first, then the schedule's. */
function planWork(due: DueTask, now: number, horizon: number, manualOnly = false): TaskWork {
  const { task } = due;
  const occurrences: Occurrence[] = due.manualRuns.map((m) => ({
    runId: m.runId,
    scheduledAt: m.requestedAt,
    fireAt: m.requestedAt,
    source: 'manual',
  }));
  let plan: TaskWork['plan'];
  if (!manualOnly && task.state === 'active' && task.nextRunAt !== null) {
    plan = planDue(task, Date.parse(task.nextRunAt), now, horizon);
    for (const fire of plan.fire) {
      occurrences.push({
        runId: scheduledRunId(task.id, task.createdAt, fire.scheduledAt),
        scheduledAt: fire.scheduledAt,
        fireAt: fire.fireAt,
        source: 'schedule',
      });
    }
  }
  return {
    due,
    occurrences,
    plan,
    manualDone: 0,
    fired: 0,
    stopped: false,
    retrying: false,
    chain: Promise.resolve(),
  };
}

/** Claims, invokes and records one occurrence; updates what the task's acknowledgement will say. */
async function fireOne(
  deps: TickDeps,
  options: TickOptions,
  work: TaskWork,
  planned: Occurrence,
  started: number,
  horizon: number,
  report: TickReport,
): Promise<void> {
  let occurrence = planned;
  const { task } = work.due;
  const now = deps.clock.now();
  if (occurrence.fireAt - started > options.recheckAfterMs && !(await unchanged(deps, work, occurrence))) {
    // Paused, changed or deleted while this tick waited for the occurrence's second: the user wins.
    work.stopped = true;
    report.cancelled += work.occurrences.length - work.occurrences.indexOf(occurrence);
    return;
  }
  const lease: Lease = {
    runId: occurrence.runId,
    scheduledAt: occurrence.scheduledAt,
    source: occurrence.source,
    attempt: 1,
    until: now + options.leaseMs,
  };
  const run: Run = {
    taskId: task.id,
    runId: occurrence.runId,
    scheduledAt: toIso(occurrence.scheduledAt),
    firedAt: toIso(now),
    attempt: 1,
    source: occurrence.source,
    status: 'claimed',
  };
  const claim = await deps.store.claimRun({ run, lease });
  if (!claim.won) {
    const outcome = await settleExisting(deps, work, occurrence, claim.existing, lease, now, horizon);
    if (outcome === 'held') {
      // Another live tick delivers it, and acknowledges it; a manual run stays pending until then.
      report.lost++;
      if (occurrence.source === 'manual') work.stopped = true;
      // Later ones still fire at their second, but this tick's acknowledgement stops before this one:
      // should its holder die before invoking it, the next tick plans it again and takes it over.
      else if (!work.firstHeld || occurrence.scheduledAt < work.firstHeld.scheduledAt)
        work.firstHeld = occurrence;
      return;
    }
    if (outcome === 'acknowledged') {
      report.lost++;
      settled(work, occurrence, false);
      return;
    }
    // Taken over: deliver what the dead tick claimed (its newest claim, maybe not this occurrence).
    run.runId = lease.runId;
    run.scheduledAt = toIso(lease.scheduledAt);
    run.attempt = lease.attempt;
    occurrence = { ...occurrence, runId: lease.runId, scheduledAt: lease.scheduledAt };
    report.redelivered++;
  }
  report.claimed++;
  await deps.faults?.afterClaim?.(lease, task.id);
  const event: DeliveryEvent = {
    taskId: task.id,
    group: task.group,
    runId: lease.runId,
    scheduledAt: run.scheduledAt,
    firedAt: run.firedAt,
    attempt: lease.attempt,
    source: lease.source,
    payload: task.payload,
  };
  const error = await deliver(deps, options, work, event, lease);
  if (error === undefined) {
    report.delivered++;
    await deps.store.recordDelivered(task.id, lease.runId);
  } else {
    report.failed++;
    work.lastError = error;
    deps.log?.('warn', 'delivery failed', { taskId: task.id, runId: lease.runId, error });
    await deps.store.recordFailure(task.id, lease.runId, error);
  }
  settled(work, occurrence, true);
}

/** Records that an occurrence needs nothing more from this tick; `fired` when this tick delivered it. */
function settled(work: TaskWork, occurrence: Occurrence, fired: boolean) {
  if (occurrence.source === 'manual') {
    work.manualDone++;
    return;
  }
  work.lastSettled = Math.max(work.lastSettled ?? Number.NEGATIVE_INFINITY, occurrence.scheduledAt);
  if (fired) work.fired++;
}

/**
 * An occurrence whose run record exists: delivered already (`done`), still within a live tick's lease
 * (`held`), or left behind by a tick that died, which this tick takes over (`mine`, lease updated).
 */
async function settleExisting(
  deps: TickDeps,
  work: TaskWork,
  occurrence: Occurrence,
  existing: RunClaim,
  lease: Lease,
  now: number,
  horizon: number,
): Promise<'acknowledged' | 'held' | 'mine'> {
  const { task } = work.due;
  // Settled: its target accepted it (or refused it for good); only a `claimed` record can be undelivered.
  if (existing.run.status !== 'claimed') return 'acknowledged';
  if (existing.lease.until > now) return 'held';
  let target = existing;
  if (occurrence.source === 'schedule') {
    // A tick fires a task's occurrences one after the other, so of those it claimed only the newest
    // can be undelivered: an older one was invoked before the newer was claimed. The newest may be
    // one this tick's plan skipped (missed occurrences are coalesced), so it is looked up.
    const newest = await deps.store.latestRunBetween(task.id, occurrence.scheduledAt, horizon, 'schedule');
    if (newest && newest.lease.scheduledAt > occurrence.scheduledAt && newest.run.status === 'claimed') {
      if (newest.lease.until > now) return 'held';
      if (work.lastSettled !== undefined && newest.lease.scheduledAt <= work.lastSettled) {
        return 'acknowledged';
      }
      target = newest;
    }
  }
  lease.runId = target.lease.runId;
  lease.scheduledAt = target.lease.scheduledAt;
  lease.attempt = target.lease.attempt + 1;
  // Lost the take-over: the other rescuer delivers and counts it.
  return (await deps.store.takeOver(target, lease, now)) ? 'mine' : 'acknowledged';
}

/** Whether the task is still as this tick read it, before firing an occurrence claimed early. */
async function unchanged(deps: TickDeps, work: TaskWork, occurrence: Occurrence): Promise<boolean> {
  const current = await deps.store.readDueTask(work.due.task.id);
  if (!current) return false;
  if (occurrence.source === 'manual') return true;
  return current.task.version === work.due.task.version && current.task.state === 'active';
}

/** Invokes the target, retrying transient errors with backoff; the error text when it failed for good. */
async function deliver(
  deps: TickDeps,
  options: TickOptions,
  work: TaskWork,
  event: DeliveryEvent,
  lease: Lease,
): Promise<string | undefined> {
  const random = deps.random ?? Math.random;
  const { task } = work.due;
  for (let attempt = 1; ; attempt++) {
    try {
      if (deps.targetPrefixes) {
        try {
          assertTargetAllowed(task.target.function, deps.targetPrefixes, deps.reservedFunctions);
        } catch (error) {
          throw new DeliveryFailedError((error as Error).message, true, { cause: error });
        }
      }
      await deps.invoker.invoke(task.target, event);
      return undefined;
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (isPermanent(error) || attempt >= options.invokeAttempts) return text;
      // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), kept inside the lease so
      // no other tick takes the occurrence over while this one still retries it.
      const backoff = random() * Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
      const at = deps.clock.now() + backoff;
      if (at >= lease.until) return text;
      deps.log?.('warn', 'invoke failed, retrying', { taskId: task.id, attempt, error: text });
      work.retrying = true;
      await deps.clock.sleepUntil(at).finally(() => {
        work.retrying = false;
      });
    }
  }
}

/** Acknowledges what this tick settled for one task (see DispatchStore.acknowledge). */
async function acknowledge(deps: TickDeps, work: TaskWork): Promise<void> {
  const { plan } = work;
  const lastSettled = work.lastSettled;
  const { due } = work;
  // dueAt is the fire time (jitter included) of the next occurrence.
  const fireOf = (at: number | null) => (at === null ? null : fireTimeOf(due.task, at));
  const scheduled =
    due.task.state === 'active' && due.task.nextRunAt ? Date.parse(due.task.nextRunAt) : undefined;
  const scheduledFire = scheduled === undefined ? undefined : fireTimeOf(due.task, scheduled);
  const expected = Math.min(due.manualRuns[0]?.requestedAt ?? Infinity, scheduledFire ?? Infinity);
  // A plan that fired nothing but skipped missed occurrences still moves the task on (or completes it).
  const skippedOnly = plan !== undefined && plan.fire.length === 0 && plan.nextRunAt !== (scheduled ?? null);
  // Nothing settled: acknowledge only to repair an item whose dueAt is not what it should be.
  if (
    work.manualDone === 0 &&
    lastSettled === undefined &&
    !skippedOnly &&
    (work.occurrences.length || expected === due.dueAt || !Number.isFinite(expected))
  )
    return;
  let schedule: Parameters<DispatchStore['acknowledge']>[0]['schedule'];
  if (plan && skippedOnly) {
    schedule = { nextRunAt: plan.nextRunAt, nextFireAt: fireOf(plan.nextRunAt), fired: 0 };
  } else if (plan && lastSettled !== undefined) {
    // A take-over may settle an occurrence the plan coalesced away: count what lies at or before it.
    const fired = plan.fire.filter((f) => f.scheduledAt <= lastSettled).length;
    const all = fired === plan.fire.length;
    // Stopped part-way (paused, changed, or held by another tick): resume after the last one settled.
    const next = all ? plan.nextRunAt : (plan.fire[fired]?.scheduledAt ?? plan.nextRunAt);
    const nextFire = all ? fireOf(plan.nextRunAt) : (plan.fire[fired]?.fireAt ?? fireOf(plan.nextRunAt));
    schedule = {
      nextRunAt: next,
      nextFireAt: nextFire,
      fired: work.fired,
      lastRunAt: lastSettled,
    };
  }
  // An occurrence another tick held is settled by now, or its holder may have died: cap at it if unsure.
  const held =
    work.firstHeld && (await deps.store.readRun(due.task.id, work.firstHeld.runId))?.run.status === 'claimed'
      ? work.firstHeld
      : undefined;
  if (schedule && held && (schedule.nextRunAt === null || held.scheduledAt < schedule.nextRunAt)) {
    schedule = { ...schedule, nextRunAt: held.scheduledAt, nextFireAt: held.fireAt };
  }
  await deps.store.acknowledge({
    seen: work.due,
    manualDone: work.manualDone,
    schedule,
    lastError: work.lastError,
  });
}
