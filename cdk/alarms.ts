import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_DIMENSION } from '../lib/observability/metric-names';
import { type AlarmTuning, alarmTuning, DEFAULT_ALARMS, type SundialAlarmProps } from './props';

/** What the alarms and the dashboard watch. */
export interface MonitoredParts {
  /** The value of the `service` dimension of this deployment's metrics. */
  readonly service: string;
  /** Every Sundial function (tick, API, workers): each gets an errors-and-throttles alarm. */
  readonly functions: readonly IFunction[];
  /** Every dead-letter queue: each gets a depth alarm. */
  readonly deadLetterQueues: readonly IQueue[];
  /** Where registered targets' outcomes arrive: its backlog has an alarm. */
  readonly outcomeQueue?: IQueue;
  /** Runs that failed their last attempt: graphed, no alarm (the failed-runs alarm watches the rate). */
  readonly runDeadLetters?: IQueue;
  readonly api: IHttpApi;
}

const DOCS = 'docs/operations.md';

/** A Sundial metric of this deployment. */
export function sundialMetric(service: string, metricName: string, statistic: string, period: Duration) {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service },
    statistic,
    period,
  });
}

/** An alarm at or above the tuning's threshold; `anchor` names its section of docs/operations.md. */
function alarmAbove(
  scope: Construct,
  id: string,
  metric: IMetric,
  t: Required<AlarmTuning>,
  what: string,
  anchor: string,
) {
  return new Alarm(scope, id, {
    metric,
    threshold: t.threshold,
    evaluationPeriods: t.evaluationPeriods,
    datapointsToAlarm: t.datapointsToAlarm,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    // No data means nothing happened: no error, no fire, no message.
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: `${what} What to do: ${DOCS}#${anchor}.`,
  });
}

/** Errors plus throttles of each function: a tick that fails or cannot start fires nothing. */
export function functionErrorAlarms(
  scope: Construct,
  functions: readonly IFunction[],
  t: Required<AlarmTuning>,
) {
  const period = Duration.minutes(t.periodMinutes);
  return functions.map((fn) => {
    const metric = new MathExpression({
      expression: 'FILL(errors, 0) + FILL(throttles, 0)',
      usingMetrics: { errors: fn.metricErrors({ period }), throttles: fn.metricThrottles({ period }) },
      label: 'errors + throttles',
      period,
    });
    const what = `${fn.node.id}: errors or throttles in ${t.datapointsToAlarm} of the last ${t.evaluationPeriods} periods of ${t.periodMinutes} min.`;
    return alarmAbove(scope, `${fn.node.id}Errors`, metric, t, what, 'function-errors');
  });
}

/** One alarm per dead-letter queue: a message there is an occurrence or a tick that was given up. */
export function deadLetterAlarms(scope: Construct, queues: readonly IQueue[], t: Required<AlarmTuning>) {
  return queues.map((queue) => {
    const metric = queue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(t.periodMinutes),
    });
    const what = `${queue.node.id}: ${t.threshold} or more messages waiting.`;
    return alarmAbove(scope, `${queue.node.id}Depth`, metric, t, what, 'dead-letters');
  });
}

/** No tick started by the schedule for `minutes` in a row: the schedule is paused, deleted or failing. */
export function noTickAlarm(scope: Construct, service: string, minutes: number) {
  return new Alarm(scope, 'NoTick', {
    metric: sundialMetric(service, METRIC.scheduledTicks, 'Sum', Duration.minutes(1)),
    threshold: 1,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    // Here silence is the failure.
    treatMissingData: TreatMissingData.BREACHING,
    alarmDescription: `No scheduled tick for ${minutes} min: nothing fires. What to do: ${DOCS}#no-tick.`,
  });
}

/** p99 of lateness: occurrences fire late (overload, throttling, a slow table). */
export function latenessAlarm(scope: Construct, service: string, t: Required<AlarmTuning>) {
  const metric = sundialMetric(service, METRIC.lateness, 'p99', Duration.minutes(t.periodMinutes));
  return alarmAbove(
    scope,
    'Lateness',
    metric,
    t,
    `p99 lateness of fires at or above ${t.threshold} ms.`,
    'lateness',
  );
}

/** Failed deliveries and failed or timed-out runs, in percent of the deliveries attempted. */
export function failedRunsAlarm(scope: Construct, service: string, t: Required<AlarmTuning>) {
  const period = Duration.minutes(t.periodMinutes);
  const sum = (name: string) => sundialMetric(service, name, 'Sum', period);
  const failed = 'FILL(ff, 0) + FILL(rf, 0) + FILL(rt, 0)';
  const attempts = '(FILL(fd, 0) + FILL(ff, 0))';
  const metric = new MathExpression({
    // No delivery in the period: no rate (0), rather than a division by zero.
    expression: `IF(${attempts} > 0, 100 * (${failed}) / ${attempts}, 0)`,
    usingMetrics: {
      fd: sum(METRIC.fireDelivered),
      ff: sum(METRIC.fireFailed),
      rf: sum(METRIC.runFailed),
      rt: sum(METRIC.runTimedOut),
    },
    label: 'failed runs %',
    period,
  });
  return alarmAbove(
    scope,
    'FailedRuns',
    metric,
    t,
    `Failed runs at or above ${t.threshold} % of deliveries.`,
    'failed-runs',
  );
}

/** 5xx answers of the HTTP API, as API Gateway counts them (Lambda timeouts and crashes included). */
export function apiServerErrorsAlarm(scope: Construct, api: IHttpApi, t: Required<AlarmTuning>) {
  const metric = api.metricServerError({ statistic: 'Sum', period: Duration.minutes(t.periodMinutes) });
  return alarmAbove(
    scope,
    'ApiServerErrors',
    metric,
    t,
    `${t.threshold} or more API 5xx answers.`,
    'api-5xx',
  );
}

/**
 * The oldest outcome waiting, in seconds: the outcome function fails or falls behind, so retries wait and,
 * past a run's deadline, the sweeper closes runs as timed out that may well have succeeded.
 */
export function outcomeBacklogAlarm(scope: Construct, queue: IQueue, t: Required<AlarmTuning>) {
  const metric = queue.metricApproximateAgeOfOldestMessage({
    statistic: 'Maximum',
    period: Duration.minutes(t.periodMinutes),
  });
  const what = `Outcomes of tracked runs waiting ${t.threshold} s or more.`;
  return alarmAbove(scope, 'OutcomeBacklog', metric, t, what, 'outcome-backlog');
}

/** Every alarm the props leave on, each with its defaults overridden by the props. */
export function createAlarms(scope: Construct, parts: MonitoredParts, props: SundialAlarmProps | false = {}) {
  const alarms: Alarm[] = [];
  const tuning = (name: Parameters<typeof alarmTuning>[1]) => alarmTuning(props, name);
  const errors = tuning('functionErrors');
  if (errors) alarms.push(...functionErrorAlarms(scope, parts.functions, errors));
  const noTick = props === false ? false : props.noTick;
  if (noTick !== false)
    alarms.push(noTickAlarm(scope, parts.service, noTick?.minutes ?? DEFAULT_ALARMS.noTick.minutes));
  const deadLetters = tuning('deadLetters');
  if (deadLetters) alarms.push(...deadLetterAlarms(scope, parts.deadLetterQueues, deadLetters));
  const lateness = tuning('lateness');
  if (lateness) alarms.push(latenessAlarm(scope, parts.service, lateness));
  const failedRuns = tuning('failedRuns');
  if (failedRuns) alarms.push(failedRunsAlarm(scope, parts.service, failedRuns));
  const api = tuning('apiServerErrors');
  if (api) alarms.push(apiServerErrorsAlarm(scope, parts.api, api));
  const backlog = tuning('outcomeBacklog');
  if (backlog && parts.outcomeQueue) alarms.push(outcomeBacklogAlarm(scope, parts.outcomeQueue, backlog));
  return alarms;
}
