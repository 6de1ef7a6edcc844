import { Names, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lib/config';
import { createAlarms, type MonitoredParts } from './alarms';
import { createDashboard } from './dashboard';
import type { SundialOperationsProps } from './props';

/** The parts of a Sundial that operations watch. */
export interface OperatedParts {
  /** Every Sundial function: each logs, measures and traces the same way and has an errors alarm. */
  readonly functions: readonly LambdaFunction[];
  /** Every dead-letter queue: each has a depth alarm. */
  readonly deadLetterQueues: readonly IQueue[];
  /** Where registered targets' outcomes arrive (a backlog alarm). */
  readonly outcomeQueue?: IQueue;
  /** Runs that failed their last attempt (graphed). */
  readonly runDeadLetters?: IQueue;
  readonly api: IHttpApi;
}

/**
 * The `service` of a Sundial's logs and metrics: its stack and path, one value per deployment (two Sundials
 * in one account and region never share it), readable in a dashboard or a log query.
 */
export function serviceNameOf(sundial: Construct): string {
  const stack = Stack.of(sundial);
  if (Token.isUnresolved(stack.stackName)) return Names.uniqueId(sundial);
  return `${stack.stackName}/${sundial.node.path.slice(stack.node.path.length + 1)}`;
}

/**
 * Operations for one Sundial: the functions' log level, service name and tracing; the alarms and where
 * they go; the dashboard. See docs/operations.md.
 */
export class SundialOperations extends Construct {
  /** The `service` dimension of this deployment's metrics (and the `service` of its log lines). */
  readonly service: string;
  readonly alarms: Alarm[];
  readonly dashboard?: Dashboard;

  constructor(scope: Construct, id: string, parts: OperatedParts, props: SundialOperationsProps = {}) {
    super(scope, id);
    this.service = serviceNameOf(scope);
    for (const fn of parts.functions) this.configure(fn, props);
    const monitored: MonitoredParts = { ...parts, service: this.service };
    this.alarms = createAlarms(this, monitored, props.alarms);
    const actions = [
      ...(props.alarmTopic ? [new SnsAction(props.alarmTopic)] : []),
      ...(props.alarmActions ?? []),
    ];
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(...actions);
      alarm.addOkAction(...actions);
    }
    if (props.dashboard !== false) {
      const name = typeof props.dashboard === 'object' ? props.dashboard.dashboardName : undefined;
      this.dashboard = createDashboard(this, monitored, this.alarms, name);
    }
  }

  /** Log level, service name and tracing, read by Powertools in the function (lib/observability/lambda.ts). */
  private configure(fn: LambdaFunction, props: SundialOperationsProps) {
    fn.addEnvironment(ENV.serviceName, this.service);
    fn.addEnvironment(ENV.logLevel, props.logLevel ?? 'INFO');
    fn.addEnvironment(ENV.tracing, String(props.tracing ?? false));
    if (!props.tracing) return;
    // What `tracing: Tracing.ACTIVE` does, applied to functions made elsewhere in the construct.
    (fn.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'XRayTraces',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      }),
    );
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
    });
  }
}
