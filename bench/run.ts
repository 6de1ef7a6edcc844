/**
 * `npm run bench`: the dispatcher's figures (issue 9), next to their targets, in one run of about six
 * minutes on the real clock. The cloud (DynamoDB Local, the local Lambda, SQS and Scheduler endpoints, the
 * event source mappings, the minute schedule, the target) runs in a child process; Sundial's tick, fire
 * worker and API run in this one, so `process.cpuUsage()` here is Sundial's CPU alone.
 * Figures, not assertions: docs/performance.md records them.
 *
 *   npm run bench                     every scenario
 *   npm run bench -- --only=live,tick which ones (live, tick, capacity, throughput, tracked)
 *   npm run bench -- --profile        the throughput scenario only, its dispatch phases under V8's CPU profiler
 *   npm run bench -- --profile=steady the live scenario only, its steady window under the profiler
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { runCapacity } from './capacity';
import { BenchCloud } from './cloud';
import type { BenchContext } from './context';
import { CpuProfiler } from './cpu-profile';
import { productionDynamoDb, SHARDS, useBenchCloud } from './environment';
import { FunctionHost } from './function-host';
import { runLive } from './live';
import { Report } from './report';
import { costOfSecondPrecision } from './second-precision';
import { runThroughput } from './throughput';
import { runTickCost } from './tick-cost';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SCENARIOS = ['live', 'tick', 'capacity', 'throughput', 'tracked'] as const;
type Scenario = (typeof SCENARIOS)[number];

function selected(): Set<Scenario> {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (!only) return new Set(SCENARIOS);
  const names = only.split(',');
  const unknown = names.filter((n) => !SCENARIOS.includes(n as Scenario));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(', ')}; choose among ${SCENARIOS.join(', ')}`);
  return new Set(names as Scenario[]);
}

async function main() {
  const started = performance.now();
  const scenarios = selected();
  const report = new Report();
  const cloud = new BenchCloud();
  const host = new FunctionHost();
  try {
    console.log('Starting the bench cloud (DynamoDB Local and the local endpoints) in a child process…');
    const endpoints = await cloud.call.init({ hostUrl: await host.start() });
    useBenchCloud(endpoints);
    const ctx: BenchContext = { cloud, host, endpoints, setupDynamoDb: productionDynamoDb(), report };
    const profile = process.argv.find((a) => a.startsWith('--profile'));
    if (profile) {
      // Profiling slows what it measures: a profiled run gives the profile only.
      if (profile === '--profile=steady') await runLive(ctx, new CpuProfiler());
      else await runThroughput(ctx, true);
      return;
    }
    const live = scenarios.has('live') ? await runLive(ctx) : undefined;
    const tick = scenarios.has('tick') ? await runTickCost(ctx) : undefined;
    const capacity = scenarios.has('capacity') ? await runCapacity(ctx) : undefined;
    if (live && tick && capacity) costOfSecondPrecision(report, live, tick, capacity);
    if (scenarios.has('throughput')) await runThroughput(ctx, false);
  } finally {
    await cloud.stop();
    await host.stop();
  }
  report.print(
    `Sundial dispatch benchmark (${new Date().toISOString().slice(0, 10)}, DynamoDB Local and local endpoints in a child process, ${SHARDS} shards)`,
    (performance.now() - started) / 1000,
  );
  // Tracked runs (issue 10): units per fire, tracked and untracked side by side, in a cloud of their own.
  if (scenarios.has('tracked') && !process.argv.some((a) => a.startsWith('--profile'))) {
    execFileSync(process.execPath, ['--import', 'tsx', 'bench/tracked-units.ts'], { stdio: 'inherit' });
  }
}

await main();
