/**
 * `npx tsx bench/operations-cost.ts`: what the construct's operations cost per month at CloudWatch and X-Ray
 * list prices, counted from the things themselves: the metrics the reports publish, the alarms and the
 * dashboard of a synthesized stack, and the bytes of real EMF documents. Also the handlers' weight with and
 * without source maps. Prices are inputs (us-east-1, checked 2026-12), not measurements.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildSync } from 'esbuild';
import { HANDLER_BUNDLE, handlerNames } from '../cdk/handler-bundling';
import { SundialStack } from '../cdk/sundial-stack';
import { openApiDocument } from '../lib/api/app';
import { emptyTickReport } from '../lib/dispatch/tick-report';
import { FIRE_COUNTS, RUN_COUNTS, TICK_COUNTS } from '../lib/observability/metric-names';
import { publishApiRequest, publishFireReport, publishTickReport } from '../lib/observability/reports';

const PRICE = {
  metric: 0.3, // per custom metric per month (first 10,000)
  alarmMetric: 0.1, // per metric an alarm reads, per month (standard resolution)
  dashboard: 3, // per dashboard per month (3 dashboards of up to 50 metrics free per account)
  logsIngestedGb: 0.5,
  logsStoredGbMonth: 0.03,
  traces: 5 / 1e6, // per trace recorded, beyond 100,000 free a month
};
const TICKS_PER_MONTH = 60 * 24 * 30;
const usd = (n: number) => `$${n.toFixed(2)}`;

/** The bytes of what `publish` writes to stdout (the EMF documents CloudWatch Logs ingests). */
function emfBytes(publish: (m: Metrics) => void): number {
  let bytes = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    bytes += Buffer.byteLength(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    const metrics = new Metrics({ namespace: 'Sundial', serviceName: 'Sundial/Sundial' });
    publish(metrics);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  } finally {
    process.stdout.write = write;
  }
  return bytes;
}

function alarmsAndDashboards() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new SundialStack(app, 'Sundial'));
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: { Metrics?: { MetricStat?: unknown }[] };
  }[];
  const alarmMetrics = alarms.reduce(
    (n, a) => n + (a.Properties.Metrics ? a.Properties.Metrics.filter((m) => m.MetricStat).length : 1),
    0,
  );
  const dashboards = Object.keys(template.findResources('AWS::CloudWatch::Dashboard')).length;
  return { alarms: alarms.length, alarmMetrics, dashboards };
}

function handlerWeights() {
  const entryPoints = handlerNames('lambdas').map((n) => `lambdas/${n}.ts`);
  const weigh = (options: object) => {
    const r = buildSync({
      ...HANDLER_BUNDLE,
      ...options,
      entryPoints,
      outdir: '/tmp/sundial-weigh',
      write: false,
    });
    const sum = (ext: string) =>
      r.outputFiles.filter((f) => f.path.endsWith(ext)).reduce((n, f) => n + f.contents.length, 0);
    return `code ${(sum('.mjs') / 1e6).toFixed(2)} MB, maps ${(sum('.map') / 1e6).toFixed(2)} MB`;
  };
  return {
    shipped: weigh({}),
    withMaps: weigh({ sourcemap: true }),
    withMapsNoSources: weigh({ sourcemap: true, sourcesContent: false }),
  };
}

const routes = Object.values(openApiDocument().paths ?? {}).reduce(
  (n, p) => n + Object.keys(p ?? {}).length,
  0,
);
const metrics = {
  tick: TICK_COUNTS.length + 2, // + TickDuration, TickScheduled
  fire: FIRE_COUNTS.length + 1, // + FireLateness
  run: RUN_COUNTS.length + 1, // + RunDuration
};
const tickBytes = emfBytes((m) =>
  publishTickReport(m, emptyTickReport(), { durationMs: 812, scheduled: true }),
);
const fireBytes = (n: number) =>
  emfBytes((m) =>
    publishFireReport(m, {
      delivered: n,
      failed: 0,
      redelivered: 0,
      skipped: 0,
      lateness: Array(n).fill(42),
    }),
  );
const apiBytes = emfBytes((m) =>
  publishApiRequest(m, { route: 'GET /v1/tasks/{id}', status: 200, latencyMs: 23 }),
);
const { alarms, alarmMetrics, dashboards } = alarmsAndDashboards();

const rows: [string, string, number][] = [];
const row = (what: string, count: string, cost: number) => rows.push([what, count, cost]);
row(
  'tick, fire and run metrics',
  `${metrics.tick + metrics.fire + metrics.run} metrics`,
  (metrics.tick + metrics.fire + metrics.run) * PRICE.metric,
);
row(
  'API latency by route',
  `1 per route called (${routes} routes, all called hourly)`,
  routes * PRICE.metric,
);
row('alarms', `${alarms} alarms reading ${alarmMetrics} metrics`, alarmMetrics * PRICE.alarmMetric);
row('dashboard', `${dashboards} (free if the account has fewer than 3)`, dashboards * PRICE.dashboard);
const tickGb = (tickBytes * TICKS_PER_MONTH) / 1e9;
row(
  'tick EMF logs',
  `${tickBytes} B × ${TICKS_PER_MONTH} ticks = ${(tickGb * 1e3).toFixed(1)} MB`,
  tickGb * (PRICE.logsIngestedGb + PRICE.logsStoredGbMonth),
);

console.log('Operations cost per month at list prices (us-east-1)\n');
for (const [what, count, cost] of rows) console.log(`${what.padEnd(28)} ${count.padEnd(52)} ${usd(cost)}`);
console.log(`${'total, at most'.padEnd(81)} ${usd(rows.reduce((n, [, , c]) => n + c, 0))}`);
console.log(
  'CloudWatch bills a metric for the hours it receives data: fire and run metrics of an idle deployment, API\nlatency of routes not called and API error counts of routes without errors cost nothing.\n',
);
const perMillion = (bytes: number) => usd(((bytes * 1e6) / 1e9) * PRICE.logsIngestedGb);
console.log(
  `per million fires, EMF logs: ${perMillion(fireBytes(10) / 10)} in batches of 10 (${fireBytes(10)} B per batch), ${perMillion(fireBytes(100) / 100)} in batches of 100`,
);
console.log(`per million API requests, EMF logs: ${perMillion(apiBytes)} (${apiBytes} B per request)`);
console.log(
  `X-Ray (tracing on): ${TICKS_PER_MONTH} tick traces a month, inside the 100,000 free; beyond that ${usd(PRICE.traces * 1e6)} per million traces (API: 1 a second + 5 % sampled)`,
);
const weights = handlerWeights();
console.log(`\nHandlers as shipped (no source maps): ${weights.shipped}`);
console.log(`with source maps: ${weights.withMaps}; without sourcesContent: ${weights.withMapsNoSources}`);
