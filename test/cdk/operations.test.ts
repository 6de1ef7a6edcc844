import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALARMS } from '../../cdk/props';
import { Sundial, type SundialProps } from '../../cdk/sundial';
import { ENV } from '../../lib/config';
import { METRIC, METRICS_NAMESPACE } from '../../lib/observability/metric-names';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:sundial-ops';
let app: App;
const templates: Record<'defaults' | 'tuned' | 'off', Template> = {} as never;

beforeAll(() => {
  app = new App({ context: JSON.parse(readFileSync('cdk.json', 'utf8')).context });
  const stacks: [keyof typeof templates, Stack][] = [];
  const make = (name: keyof typeof templates, props: (stack: Stack) => SundialProps) => {
    const stack = new Stack(app, `Ops${name}`);
    new Sundial(stack, 'Sundial', props(stack));
    stacks.push([name, stack]);
  };
  make('defaults', (stack) => ({ alarmTopic: Topic.fromTopicArn(stack, 'Ops', TOPIC) }));
  make('tuned', () => ({
    tracing: true,
    logLevel: 'DEBUG',
    dashboard: { dashboardName: 'sundial-ops' },
    alarms: {
      noTick: { minutes: 10 },
      lateness: { threshold: 2_000, periodMinutes: 1, evaluationPeriods: 5, datapointsToAlarm: 4 },
      failedRuns: false,
      apiServerErrors: false,
    },
  }));
  make('off', () => ({ alarms: false, dashboard: false }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // The first synthesis runs cdk-nag over every stack: the tree is complete by then.
  for (const [name, stack] of stacks) templates[name] = Template.fromStack(stack);
}, 120_000);

type Resource = { Properties: Record<string, unknown> };
interface MetricQuery {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { Namespace: string; MetricName: string }; Period: number; Stat: string };
}
interface FunctionResource {
  Properties: { Environment: { Variables: Record<string, string> }; TracingConfig?: unknown };
}
interface PolicyResource {
  Properties: { PolicyDocument: { Statement: { Sid?: string }[] } };
}
const alarms = (t: Template) => t.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
/** The one alarm whose logical id contains `part`. */
function alarm(t: Template, part: string): Record<string, unknown> {
  const found = Object.entries(alarms(t)).filter(([id]) => id.includes(part));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return (found[0] as [string, Resource])[1].Properties;
}
const SERVICE = { Name: 'service', Value: 'Opsdefaults/Sundial' };
const actions = { AlarmActions: [TOPIC], OKActions: [TOPIC] };

describe('alarms, with their defaults', () => {
  const d = DEFAULT_ALARMS;

  it('one errors-and-throttles alarm per function, on Lambda’s own metrics', () => {
    for (const fn of ['TickFunction', 'FireFunction', 'OutcomeFunction', 'ApiFunction', 'JobFunction']) {
      const a = alarm(templates.defaults, `${fn}Errors`);
      expect(a).toMatchObject({
        ...actions,
        Threshold: d.functionErrors.threshold,
        EvaluationPeriods: d.functionErrors.evaluationPeriods,
        DatapointsToAlarm: d.functionErrors.datapointsToAlarm,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      const queries = a.Metrics as MetricQuery[];
      expect(queries.find((q) => q.Expression)?.Expression).toBe('FILL(errors, 0) + FILL(throttles, 0)');
      const stats = queries.flatMap((q) => (q.MetricStat ? [q.MetricStat] : []));
      expect(stats.map((s) => [s.Metric.Namespace, s.Metric.MetricName, s.Period, s.Stat])).toEqual([
        ['AWS/Lambda', 'Errors', 60, 'Sum'],
        ['AWS/Lambda', 'Throttles', 60, 'Sum'],
      ]);
    }
  });

  it('no tick: fewer than one scheduled tick a minute for 5 minutes, silence breaching', () => {
    expect(alarm(templates.defaults, 'NoTick')).toMatchObject({
      ...actions,
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC.scheduledTicks,
      Dimensions: [SERVICE],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
      TreatMissingData: 'breaching',
    });
  });

  it('dead letters: one alarm per dead-letter queue, at the first message', () => {
    expect(alarm(templates.defaults, 'TickDeadLettersDepth')).toMatchObject({
      ...actions,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/TickDeadLetters/), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });

  it('lateness: p99 of fire lateness at or above 5 s for 15 minutes', () => {
    expect(alarm(templates.defaults, 'Lateness')).toMatchObject({
      ...actions,
      Namespace: METRICS_NAMESPACE,
      MetricName: METRIC.lateness,
      Dimensions: [SERVICE],
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 5_000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('failed runs: failures in percent of deliveries attempted, at or above 10 % for 15 minutes', () => {
    const a = alarm(templates.defaults, 'FailedRuns');
    expect(a).toMatchObject({ ...actions, Threshold: 10, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    const queries = a.Metrics as MetricQuery[];
    const names = Object.fromEntries(
      queries.filter((q) => q.MetricStat).map((q) => [q.Id, q.MetricStat?.Metric.MetricName]),
    );
    expect(names).toEqual({
      fd: METRIC.fireDelivered,
      ff: METRIC.fireFailed,
      rf: METRIC.runFailed,
      rt: METRIC.runTimedOut,
    });
    for (const q of queries.filter((q) => q.MetricStat)) {
      expect(q.MetricStat).toMatchObject({
        Metric: { Namespace: METRICS_NAMESPACE, Dimensions: [SERVICE] },
        Period: 300,
        Stat: 'Sum',
      });
    }
    expect(queries.find((q) => q.Expression)?.Expression).toMatch(/^IF\(.*> 0, 100 \* .* \/ .*, 0\)$/);
  });

  it('API 5xx: API Gateway’s own count for the HTTP API, from the first one in 5 minutes', () => {
    expect(alarm(templates.defaults, 'ApiServerErrors')).toMatchObject({
      ...actions,
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: expect.stringMatching(/Api/) } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
  });

  it('every alarm of the defaults is one of those, each routed to the topic on ALARM and OK', () => {
    // Errors of the tick, fire, outcome, API and job functions, no tick, the three dead-letter queues (tick,
    // fire, outcome), lateness, failed runs, API 5xx, outcome backlog.
    expect(Object.keys(alarms(templates.defaults))).toHaveLength(13);
    for (const { Properties } of Object.values(alarms(templates.defaults)))
      expect(Properties).toMatchObject(actions);
  });
});

describe('alarm descriptions', () => {
  it('each names its section of docs/operations.md, which exists', () => {
    const headings = new Set(
      [...readFileSync('docs/operations.md', 'utf8').matchAll(/^#{2,4} (.+)$/gm)].map(([, h]) =>
        (h ?? '')
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const { Properties } of Object.values(alarms(templates.defaults))) {
      const [, anchor] = /docs\/operations\.md#([a-z0-9-]+)/.exec(String(Properties.AlarmDescription)) ?? [];
      expect(headings, String(Properties.AlarmDescription)).toContain(anchor);
    }
  });
});

describe('alarm props', () => {
  it('tune an alarm, turn one off, or turn them all off', () => {
    expect(alarm(templates.tuned, 'NoTick')).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10 });
    expect(alarm(templates.tuned, 'Lateness')).toMatchObject({
      Threshold: 2_000,
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 4,
    });
    const ids = Object.keys(alarms(templates.tuned));
    expect(ids.filter((id) => /FailedRuns|ApiServerErrors/.test(id))).toEqual([]);
    expect(ids).toHaveLength(11);
    // Without a topic or actions, alarms only show their state (dashboard, console).
    for (const { Properties } of Object.values(alarms(templates.tuned))) {
      expect(Properties.AlarmActions).toBeUndefined();
    }
    templates.off.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('are checked at synth, naming the prop', () => {
    const make = (alarmsProp: unknown) => () =>
      new Sundial(new Stack(new App(), 'Bad'), 'Sundial', { alarms: alarmsProp } as SundialProps);
    expect(make({ lateness: { periodMinutes: 7 } })).toThrow(/alarms\.lateness\.periodMinutes: 1, 5, 10, 30/);
    expect(make({ lateness: { datapointsToAlarm: 4 } })).toThrow(
      /alarms\.lateness: datapointsToAlarm must be at most evaluationPeriods \(default 3\)/,
    );
    expect(make({ noTick: { minutes: 0 } })).toThrow(/alarms\.noTick\.minutes/);
    expect(make({ latenes: {} })).toThrow(/alarms: .*latenes/);
    expect(
      () =>
        new Sundial(new Stack(new App(), 'Bad'), 'Sundial', { logLevel: 'LOUD' } as unknown as SundialProps),
    ).toThrow(/logLevel: /);
  });
});

describe('the dashboard', () => {
  const body = (t: Template) => {
    const [dashboard] = Object.values(t.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    return JSON.stringify(dashboard?.Properties.DashboardBody);
  };

  it('shows the alarms’ states and graphs every metric the alarms watch', () => {
    templates.defaults.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const text = body(templates.defaults);
    expect(text).toContain('"type\\":\\"alarm\\"');
    for (const id of Object.keys(alarms(templates.defaults))) expect(text).toContain(id);
    for (const name of [
      METRIC.scheduledTicks,
      METRIC.tickDuration,
      METRIC.tickHandedOff,
      METRIC.tickRefused,
      METRIC.fireDelivered,
      METRIC.lateness,
      METRIC.runFailed,
      METRIC.apiServerErrors,
      METRIC.apiLatency,
      'ApproximateNumberOfMessagesVisible',
      '5xx',
    ]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/FireLateness.*p99/);
  });

  it('takes a name, or is left out', () => {
    templates.tuned.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'sundial-ops' });
    templates.off.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});

describe('metric dimensions', () => {
  it('no metric has a per-task dimension: Sundial’s carry the deployment only (and the API route template)', () => {
    let alarmDimensions = 0;
    let dashboardMetrics = 0;
    for (const t of Object.values(templates)) {
      const text = JSON.stringify([alarms(t), t.findResources('AWS::CloudWatch::Dashboard')]);
      for (const [, dims] of text.matchAll(/"Dimensions\\?":(\[[^\]]*\])/g)) {
        alarmDimensions++;
        expect(dims).not.toMatch(/task|group|runId|function\b/i);
      }
      // Dashboard metrics are arrays: [namespace, name, dimension, value, …].
      for (const [, spec] of text.matchAll(/\[\\"Sundial\\",([^\]]*)\]/g)) {
        dashboardMetrics++;
        const names = (spec ?? '').split(',').filter((_, i) => i % 2 === 1);
        expect(
          names.every((n) => n === '\\"service\\"' || n.startsWith('{')),
          spec,
        ).toBe(true);
      }
      expect(text).not.toMatch(/\{Sundial,[^}]*(task|group)/i);
    }
    expect(alarmDimensions).toBeGreaterThan(10);
    expect(dashboardMetrics).toBeGreaterThan(10);
  });
});

describe('logs and traces', () => {
  const functions = (t: Template) =>
    Object.values(t.findResources('AWS::Lambda::Function')) as FunctionResource[];

  it('every function logs at the configured level under the deployment’s service name', () => {
    for (const fn of functions(templates.defaults)) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        [ENV.serviceName]: 'Opsdefaults/Sundial',
        [ENV.logLevel]: 'INFO',
        [ENV.tracing]: 'false',
      });
      expect(fn.Properties.TracingConfig).toBeUndefined();
    }
    for (const fn of functions(templates.tuned)) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        [ENV.logLevel]: 'DEBUG',
        [ENV.tracing]: 'true',
      });
    }
  });

  it('tracing on: active X-Ray tracing and the permission to send traces, on every function', () => {
    const fns = functions(templates.tuned);
    expect(fns.length).toBeGreaterThanOrEqual(2);
    for (const fn of fns) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const xray = (t: Template) =>
      (Object.values(t.findResources('AWS::IAM::Policy')) as PolicyResource[]).flatMap((p) =>
        p.Properties.PolicyDocument.Statement.filter((s) => s.Sid === 'XRayTraces'),
      );
    expect(xray(templates.tuned)).toHaveLength(fns.length);
    expect(xray(templates.defaults)).toHaveLength(0);
  });
});

describe('cdk-nag', () => {
  it('passes with alarms, dashboard and tracing on, and with everything off', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});
