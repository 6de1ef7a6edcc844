/**
 * The live scenario of `npm run bench`: one deployment on the real clock for about four minutes, minute
 * ticks from the cloud process (two at once each minute: overlapping ticks), and through the HTTP API the
 * work users bring: tasks created, PATCHed and resumed 5 s before their occurrence (the nudge path), tasks
 * paused for three minutes and resumed (misfire `once` and `skip`), and tasks created while the scheduler
 * is paused. Figures 1, 3 and 5, and the steady-state parts of 2 and 4.
 */
import pLimit from 'p-limit';
import type { Task } from '../lib/task/schemas';
import { type Receipt, SINK } from './cloud-protocol';
import { ConditionCounter } from './condition-counter';
import { type BenchContext, callApi } from './context';
import type { CpuProfiler } from './cpu-profile';
import { deploy, productionDynamoDb, SHARDS } from './environment';
import type { HostedDeployment } from './function-host';
import { type LiveResult, type LiveTimeline, liveFigures, type Snapshot } from './live-figures';
import { BulkLoader } from './loader';
import { sleep, sleepUntil } from './stats';
import { benchTask, dailyCronAt, iso } from './tasks';

/** The steady window: long enough for two minute ticks. */
const STEADY_MS = 120_000;
/** How long the resume tasks stay paused. */
const PAUSED_MS = 180_000;
/** Tasks per kind of new work (create, PATCH, resume), one of each a second. */
const NEW_WORK = 30;
/** New work is done this long before its occurrence. */
const LEAD_MS = 5_000;

export interface SeededTasks {
  steady: Task[];
  once: Task[];
  skip: Task[];
}

/** The steady mix, the resume-test tasks and the tasks new work will change, from T0 on. */
function seed(now: number, t0: number, newWorkAt: number) {
  const steady: Task[] = [];
  for (let i = 0; i < 200; i++)
    steady.push(
      benchTask(`ten-${i}`, now, {
        schedule: { every: { seconds: 10 } },
        startAt: iso(t0 + (i % 10) * 1000),
      }),
    );
  for (let i = 0; i < 20; i++)
    steady.push(benchTask(`sec-${i}`, now, { schedule: { every: { seconds: 1 } }, startAt: iso(t0) }));
  for (let i = 0; i < 30; i++)
    steady.push(benchTask(`cron6-${i}`, now, { schedule: { cron: `${i % 15}/15 * * * * *` } }));
  // Daily crons whose time of day falls in the steady window.
  for (let i = 0; i < 30; i++)
    steady.push(benchTask(`daily-${i}`, now, { schedule: { cron: dailyCronAt(t0 + 16_000 + i * 3_500) } }));
  const tenSeconds = (id: string, i: number, policy: 'once' | 'skip') =>
    benchTask(id, now, {
      schedule: { every: { seconds: 10 } },
      startAt: iso(t0 + (i % 10) * 1000),
      misfire: { graceSeconds: 300, policy },
    });
  const once = Array.from({ length: 20 }, (_, i) => tenSeconds(`once-${i}`, i, 'once'));
  const skip = Array.from({ length: 20 }, (_, i) => tenSeconds(`skip-${i}`, i, 'skip'));
  // PATCHed later to fire 5 s after the PATCH: until then, a daily cron half a day away.
  const patch = Array.from({ length: NEW_WORK }, (_, k) =>
    benchTask(`patch-${k}`, now, { schedule: { cron: dailyCronAt(now + 12 * 3_600_000 + k * 1000) } }),
  );
  // Paused, resumed 5 s before their one occurrence.
  const resume = Array.from({ length: NEW_WORK }, (_, k) =>
    benchTask(`resume-${k}`, now, {
      schedule: { at: iso(resumeAt(newWorkAt, k) + LEAD_MS) },
      enabled: false,
    }),
  );
  return { steady, once, skip, all: [...steady, ...once, ...skip, ...patch, ...resume] };
}

const createAt = (start: number, k: number) => start + k * 1000;
const patchAt = (start: number, k: number) => start + k * 1000 + 330;
const resumeAt = (start: number, k: number) => start + k * 1000 + 660;

export async function runLive(ctx: BenchContext, profiler?: CpuProfiler): Promise<LiveResult> {
  ctx.report.section('Live: steady mix, new work, overlapping ticks, resume, paused scheduler (real clock)');
  const counter = new ConditionCounter();
  const tableName = 'bench-main';
  const main = await deploy(ctx.cloud, ctx.host, ctx.endpoints, 'main', {
    tableName,
    dynamodb: counter.attach(productionDynamoDb()),
  });
  const now = Date.now();
  const t0 = Math.ceil((now + 8_000) / 1000) * 1000;
  const pauseAt = t0 + 3_000;
  const steadyFrom = t0 + 6_000;
  const newWorkAt = steadyFrom + STEADY_MS + 2_000;
  const seeded = seed(now, t0, newWorkAt);
  await new BulkLoader(ctx.setupDynamoDb, { tableName, shards: SHARDS, runTtlDays: 1 }).load(seeded.all);
  console.log(
    `  ${seeded.all.length} tasks loaded; T0 in ${((t0 - Date.now()) / 1000).toFixed(1)} s, about ${Math.round((newWorkAt + 90_000 - t0) / 60_000 + 0.5)} minutes from there`,
  );
  // The first tick (EventBridge would start it within the minute), then two at each minute's start.
  await sleepUntil(t0 - 3_000);
  await ctx.cloud.call.tickNow({ name: 'main' });
  await ctx.cloud.call.startClock({ name: 'main', ticks: 2 });

  const api: Api = (method, path, body) => callApi(main.runtime, method, path, body);
  await sleepUntil(pauseAt);
  const resumeTests = [...seeded.once, ...seeded.skip];
  const paused = await eachTask(api, resumeTests, 'pause');
  console.log(
    `  paused ${paused.size} every-10-s tasks (misfire once / skip) for ${PAUSED_MS / 60_000} minutes`,
  );

  await sleepUntil(steadyFrom);
  await profiler?.start();
  const steadyStart = await snapshot(ctx, main, counter);
  console.log(`  steady state for ${STEADY_MS / 1000} s (no API calls)…`);
  await sleepUntil(steadyFrom + STEADY_MS);
  const steadyEnd = await snapshot(ctx, main, counter);
  await profiler?.stop();

  console.log(
    `  new work: ${NEW_WORK} creates, PATCHes and resumes, each ${LEAD_MS / 1000} s before its occurrence…`,
  );
  const newWork = await doNewWork(api, newWorkAt);
  await sleepUntil(createAt(newWorkAt, NEW_WORK) + LEAD_MS + 3_000);

  await sleepUntil(Math.max(...paused.values()) + PAUSED_MS);
  const resumed = await eachTask(api, resumeTests, 'resume');
  console.log('  resumed them; watching for 15 s…');
  await sleep(15_000);

  const schedulerResumedAt = await createWhileSchedulerPaused(api);
  await ctx.cloud.call.stopClock({ name: 'main' });
  await sleep(3_000);
  const end = await snapshot(ctx, main, counter);
  const receipts: Receipt[] = await ctx.cloud.call.receipts({ from: 0 });
  const timeline: LiveTimeline = {
    t0,
    steadyStart,
    steadyEnd,
    end,
    newWork,
    paused,
    resumed,
    schedulerResumedAt,
  };
  const result = liveFigures(ctx, main, seeded, timeline, receipts, profiler !== undefined);
  profiler?.summarise(result.cpuMsPerFire, ctx.report, 'steady state');
  return result;
}

type Api = (method: string, path: string, body?: unknown) => Promise<unknown>;

/**
 * Pauses or resumes each task through the API, four at a time. Answers, per task, the instant the change
 * took effect (the task's `updatedAt`, the API's clock): occurrences between a pause (+COMMITTED_AHEAD_MS, already
 * committed) and the resume are the paused-over ones.
 */
async function eachTask(api: Api, tasks: Task[], verb: 'pause' | 'resume'): Promise<Map<string, number>> {
  const limit = pLimit(4);
  const at = new Map<string, number>();
  await Promise.all(
    tasks.map((t) =>
      limit(async () => {
        const task = (await api('POST', `/v1/tasks/${t.id}/${verb}`)) as Task;
        at.set(t.id, Date.parse(task.updatedAt));
      }),
    ),
  );
  return at;
}

/**
 * Pauses the scheduler through the API, creates tasks due 5 s later, and resumes it 5 s after the last of
 * them was due. Answers when it resumed: nothing of those tasks should have fired before.
 */
async function createWhileSchedulerPaused(api: Api): Promise<number> {
  console.log('  scheduler paused through the API; 30 tasks created 5 s ahead…');
  await api('POST', '/v1/scheduler/pause');
  const limit = pLimit(4);
  const held = await Promise.all(
    Array.from({ length: NEW_WORK }, (_, k) =>
      limit(async () => {
        const occurrence = Date.now() + LEAD_MS;
        await api('POST', '/v1/tasks', {
          id: `held-${k}`,
          target: { function: SINK },
          schedule: { at: iso(occurrence) },
        });
        return occurrence;
      }),
    ),
  );
  await sleepUntil(Math.max(...held) + 5_000);
  const resumedAt = Date.now();
  await api('POST', '/v1/scheduler/resume');
  return resumedAt;
}

export interface NewWork {
  op: 'create' | 'patch' | 'resume';
  id: string;
  occurrence: number;
  /** When the request was sent: the occurrence minus this is the lead actually given. */
  sentAt: number;
  error?: string;
}

/** One create, one PATCH and one resume a second, each 5 s before the occurrence it makes. */
async function doNewWork(api: Api, start: number): Promise<NewWork[]> {
  const one = async (
    op: NewWork['op'],
    id: string,
    at: number,
    request: (occurrence: number) => Promise<unknown>,
    fixed?: number,
  ) => {
    await sleepUntil(at);
    const sentAt = Date.now();
    const occurrence = fixed ?? sentAt + LEAD_MS;
    const work: NewWork = { op, id, occurrence, sentAt };
    await request(occurrence).catch((error) => {
      work.error = String(error);
    });
    return work;
  };
  const all: Promise<NewWork>[] = [];
  for (let k = 0; k < NEW_WORK; k++) {
    all.push(
      one('create', `new-${k}`, createAt(start, k), (occurrence) =>
        api('POST', '/v1/tasks', {
          id: `new-${k}`,
          target: { function: SINK },
          schedule: { at: iso(occurrence) },
        }),
      ),
      one('patch', `patch-${k}`, patchAt(start, k), (occurrence) =>
        api('PATCH', `/v1/tasks/patch-${k}`, { schedule: { at: iso(occurrence) } }),
      ),
      one(
        'resume',
        `resume-${k}`,
        resumeAt(start, k),
        () => api('POST', `/v1/tasks/resume-${k}/resume`),
        resumeAt(start, k) + LEAD_MS,
      ),
    );
  }
  return Promise.all(all);
}

async function snapshot(
  ctx: BenchContext,
  main: HostedDeployment,
  counter: ConditionCounter,
): Promise<Snapshot> {
  const counters = await ctx.cloud.call.counters({});
  return {
    at: Date.now(),
    cpu: process.cpuUsage(),
    delivered: main.delivered,
    batches: main.batches.length,
    ticks: main.ticks.length,
    counters,
    refused: counter.snapshot(),
  };
}
