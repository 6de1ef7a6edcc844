import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import {
  FIRE_COUNTS,
  METRIC,
  METRICS_NAMESPACE,
  ROUTE_DIMENSION,
  RUN_COUNTS,
  SERVICE_DIMENSION,
  TICK_COUNTS,
} from '../lib/observability/metric-names';
import { type MonitoredParts, sundialMetric } from './alarms';

const MINUTE = Duration.minutes(1);
const FIVE = Duration.minutes(5);

const graph = (title: string, left: IMetric[], width = 8) =>
  new GraphWidget({ title, left, width, height: 6 });

/** p50, p99 and max of a metric published one value per item (EMF values arrays). */
const percentiles = (service: string, name: string) =>
  ['p50', 'p99', 'Maximum'].map((stat) =>
    sundialMetric(service, name, stat, FIVE).with({ label: `${name} ${stat}` }),
  );

/** One line per route of the API's own metrics, whatever routes have been called. */
const byRoute = (service: string, name: string, stat: string, label: string) =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${ROUTE_DIMENSION}} MetricName="${name}" ${SERVICE_DIMENSION}="${service}"', '${stat}', 300)`,
    label,
    period: FIVE,
  });

function tickRow(service: string): IWidget[] {
  const sums = (names: string[]) => names.map((n) => sundialMetric(service, n, 'Sum', FIVE));
  return [
    graph('Ticks started by the schedule (per minute)', [
      sundialMetric(service, METRIC.scheduledTicks, 'Sum', MINUTE),
    ]),
    graph('Tick duration (ms)', [
      sundialMetric(service, METRIC.tickDuration, 'Average', FIVE),
      sundialMetric(service, METRIC.tickDuration, 'Maximum', FIVE),
    ]),
    graph('Tick counts (per 5 min)', sums(TICK_COUNTS)),
  ];
}

function fireRow(service: string): IWidget[] {
  const sums = (names: string[]) => names.map((n) => sundialMetric(service, n, 'Sum', FIVE));
  return [
    graph('Fires (per 5 min)', sums(FIRE_COUNTS)),
    graph('Lateness: due time → invocation (ms)', percentiles(service, METRIC.lateness)),
    graph('Run outcomes (per 5 min)', sums(RUN_COUNTS)),
  ];
}

function apiRow(parts: MonitoredParts): IWidget[] {
  const { api, service } = parts;
  return [
    graph('API requests and errors (API Gateway, per 5 min)', [
      api.metricCount({ period: FIVE }),
      api.metricClientError({ period: FIVE }),
      api.metricServerError({ period: FIVE }),
    ]),
    graph('API latency (API Gateway, ms)', [
      api.metricLatency({ statistic: 'p50', period: FIVE }),
      api.metricLatency({ statistic: 'p99', period: FIVE }),
    ]),
    new GraphWidget({
      title: 'API by route: 5xx (left), p99 latency ms (right)',
      left: [byRoute(service, METRIC.apiServerErrors, 'Sum', '5xx')],
      right: [byRoute(service, METRIC.apiLatency, 'p99', 'p99 ms')],
      width: 8,
      height: 6,
    }),
  ];
}

function resourceRow(parts: MonitoredParts): IWidget[] {
  return [
    graph(
      'Function errors and throttles (per 5 min)',
      parts.functions.flatMap((fn) => [
        fn.metricErrors({ period: FIVE, label: `${fn.node.id} errors` }),
        fn.metricThrottles({ period: FIVE, label: `${fn.node.id} throttles` }),
      ]),
    ),
    graph(
      'Function duration p99 (ms)',
      parts.functions.map((fn) =>
        fn.metricDuration({ statistic: 'p99', period: FIVE, label: `${fn.node.id} p99` }),
      ),
    ),
    graph(
      'Dead-letter queues: messages waiting',
      parts.deadLetterQueues.map((q) =>
        q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE, label: q.node.id }),
      ),
    ),
  ];
}

/** Tracked runs: the outcome queue's backlog, how long runs took, and the runs dead-lettered for good. */
function outcomeRow(parts: MonitoredParts): IWidget[] {
  const { outcomeQueue, runDeadLetters } = parts;
  if (!outcomeQueue) return [];
  return [
    new GraphWidget({
      title: 'Outcome queue: messages waiting (left), oldest age s (right)',
      left: [outcomeQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE })],
      right: [outcomeQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE })],
      width: 8,
      height: 6,
    }),
    graph('Run duration of tracked runs (ms)', percentiles(parts.service, METRIC.runDuration)),
    ...(runDeadLetters
      ? [
          graph('Run dead letters: messages waiting', [
            runDeadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE }),
          ]),
        ]
      : []),
  ];
}

/** One dashboard: the alarms' states, then ticks, fires and runs, the API, and the functions and queues. */
export function createDashboard(
  scope: Construct,
  parts: MonitoredParts,
  alarms: readonly Alarm[],
  dashboardName?: string,
): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName, defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# Sundial \`${parts.service}\`\nMetrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`${SERVICE_DIMENSION}=${parts.service}\`. What each alarm means and what to do: docs/operations.md in the Sundial package.`,
      width: 24,
      height: 2,
    }),
  );
  if (alarms.length > 0) {
    dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 24, height: 3 }),
    );
  }
  dashboard.addWidgets(...tickRow(parts.service));
  dashboard.addWidgets(...fireRow(parts.service));
  dashboard.addWidgets(...outcomeRow(parts));
  dashboard.addWidgets(...apiRow(parts));
  dashboard.addWidgets(...resourceRow(parts));
  return dashboard;
}
