import {
  Annotations,
  ArnFormat,
  CustomResource,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, ENV } from '../lib/config';
import { INDEXES, TABLE } from '../lib/store/schema';
import { lambdaHandler } from './handler-code';
import { SundialOperations } from './operations';
import {
  anyQualifierOf,
  createOutcomeQueues,
  OUTCOME_FUNCTION_TIMEOUT,
  reportOutcomes,
  type TrackedTargetOptions,
  TrackedTargets,
} from './outcomes';
import { type SundialOperationsProps, validateSundialProps } from './props';

export interface SundialProps extends SundialOperationsProps {
  /** Target Lambda names must start with one of these; the tick may invoke nothing else. Default `sundial-`. */
  readonly targetPrefixes?: string[];
  /** Partitions of the due index. Default 16. */
  readonly shards?: number;
  /** Days a run record is kept. Default 30. */
  readonly runTtlDays?: number;
  /** What happens to the table when the stack is deleted. Default RETAIN: tasks outlive a mistaken destroy. */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * More accounts and regions whose functions may be targets, given as ARNs (`*` matches any). The stack's
   * own account and region are always one; by default the only one. The API refuses ARNs elsewhere and the
   * tick's IAM policy agrees.
   */
  readonly targetEnvironments?: { account: string; region: string }[];
}

/** What the API and the job function do to tasks: read, write (conditionally, in transactions), query, scan. */
const TASK_MANAGEMENT_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];

const attributeType = (type: 'S' | 'N') => (type === 'S' ? AttributeType.STRING : AttributeType.NUMBER);
const key = (k: { name: string; type: 'S' | 'N' }) => ({ name: k.name, type: attributeType(k.type) });

/**
 * Sundial in one construct: the task table, the per-minute tick and the management API.
 *
 * @example
 * const sundial = new Sundial(this, 'Sundial', { targetPrefixes: ['billing-', 'sundial-'] });
 * new CfnOutput(this, 'ApiUrl', { value: sundial.api.apiEndpoint });
 */
export class Sundial extends Construct {
  readonly table: Table;
  readonly tickFunction: LambdaFunction;
  /** Delivers each occurrence at its second: fed by `fireQueue`. */
  readonly fireFunction: LambdaFunction;
  /** Occurrences handed off by the tick (and run-now requests), each delayed to its second. */
  readonly fireQueue: Queue;
  /** Fire messages that failed five times. */
  readonly fireDeadLetters: Queue;
  readonly apiFunction: LambdaFunction;
  /** Runs group jobs and the reindex in the background (lib/jobs/). */
  readonly jobFunction: LambdaFunction;
  readonly tickSchedule: Schedule;
  readonly api: HttpApi;
  readonly deadLetterQueue: Queue;
  /** Alarms, dashboard, log level and tracing (docs/operations.md). */
  readonly operations: SundialOperations;
  /** Where registered targets' invocation records arrive (their Lambda destinations, success and failure). */
  readonly outcomeQueue: Queue;
  /** Outcome messages that failed five times. */
  readonly outcomeDeadLetters: Queue;
  /** Settles tracked runs from `outcomeQueue`: records outcomes, schedules retries, frees overlap slots. */
  readonly outcomeFunction: LambdaFunction;
  /** Runs that failed their last attempt: each message is the delivery event and the error. */
  readonly runDeadLetters: Queue;
  private readonly trackedTargets = new TrackedTargets();
  private readonly targetPrefixes: string[];

  constructor(scope: Construct, id: string, props: SundialProps = {}) {
    super(scope, id);
    validateSundialProps(props, this.node.path);
    const targetPrefixes = props.targetPrefixes ?? [...DEFAULTS.targetPrefixes];
    this.targetPrefixes = targetPrefixes;
    const shards = props.shards ?? DEFAULTS.shards;
    const runTtlDays = props.runTtlDays ?? DEFAULTS.runTtlDays;
    const stack = Stack.of(this);
    // A function name resolves in the stack's own account and region, so that one is always a target environment.
    const targetEnvironments = [
      { account: stack.account, region: stack.region },
      ...(props.targetEnvironments ?? []),
    ];

    // Everything about the table comes from lib/store/schema.ts, which the local cloud reads too.
    this.table = new Table(this, 'Table', {
      partitionKey: key(TABLE.partitionKey),
      sortKey: key(TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttlAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType[index.projection],
      });
    }

    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.shards]: String(shards),
      [ENV.targetPrefixes]: targetPrefixes.join(','),
      [ENV.runTtlDays]: String(runTtlDays),
      [ENV.targetEnvironments]: targetEnvironments.map((e) => `${e.account}/${e.region}`).join(','),
      // The AWS SDK is bundled (pinned by our lock file); its Node 20 notice is moot on Node 24.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // A fixed tick name lets the tick's own policy (fan-out) and the API's name it without a reference
    // cycle through the function's ARN. Unique per stack and construct path; Lambda allows 64 characters.
    const tickFunctionName = `${stack.stackName}-${Names.uniqueId(this).slice(-16)}-tick`.slice(-64);
    environment[ENV.tickFunctionName] = tickFunctionName;
    // The job function, named the same way: the API starts jobs on it and it continues its own.
    const jobFunctionName = `${stack.stackName}-${Names.uniqueId(this).slice(-16)}-jobs`.slice(-64);
    environment[ENV.jobFunctionName] = jobFunctionName;
    // `handler` names the file in lambdas/; lambdaHandler finds its bundle (see cdk/handler-code.ts).
    const fn = (name: string, handler: string, timeout: Duration, functionName?: string) =>
      new LambdaFunction(this, name, {
        functionName,
        ...lambdaHandler(handler),
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: 1024,
        timeout,
        environment,
        logGroup: new LogGroup(this, `${name}Logs`, {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });

    // The fire queue: the tick hands each occurrence to it, delayed to a little before its second. Its
    // visibility is 6 × the fire function's timeout, as Lambda's event source mapping asks.
    this.fireDeadLetters = new Queue(this, 'FireDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.fireQueue = new Queue(this, 'FireQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      retentionPeriod: Duration.days(1),
      deadLetterQueue: { queue: this.fireDeadLetters, maxReceiveCount: 5 },
    });
    environment[ENV.fireQueueUrl] = this.fireQueue.queueUrl;
    // Tracked runs: the outcome queue (fed by registered targets), the run dead-letter queue, and the list of
    // registered targets, made at synth so that `addTarget` after construction counts.
    const outcomes = createOutcomeQueues(this);
    this.outcomeQueue = outcomes.outcomeQueue;
    this.outcomeDeadLetters = outcomes.outcomeDeadLetters;
    this.runDeadLetters = outcomes.runDeadLetters;
    environment[ENV.runDeadLetterQueueUrl] = this.runDeadLetters.queueUrl;
    environment[ENV.trackedTargets] = this.trackedTargets.value;

    // The tick: it reads what is due, hands it off and ends (milliseconds to seconds, never a sleep). A
    // stale tick is useless once the next one has run, so retries stop within the minute.
    this.tickFunction = fn('TickFunction', 'tick', Duration.minutes(1), tickFunctionName);
    const tickArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: tickFunctionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.deadLetterQueue = new Queue(this, 'TickDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const scheduleRole = new Role(this, 'TickScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler invokes the Sundial tick',
    });
    this.tickSchedule = new Schedule(this, 'TickSchedule', {
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      description: 'Sundial tick: fires due tasks',
      target: new LambdaInvoke(this.tickFunction, {
        role: scheduleRole,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });

    const indexArns = INDEXES.map(({ name }) => `${this.table.tableArn}/index/${name}`);
    this.tickFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'TickTable',
        // Query the due index; BatchGetItem for a nudge; the hand-offs are PartiQL UPDATEs (25 a call,
        // BatchExecuteStatement); Put/Delete the lease; GetItem the scheduler's state.
        actions: [
          'dynamodb:Query',
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PartiQLUpdate',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
        ],
        resources: [this.table.tableArn, `${this.table.tableArn}/index/${TABLE.dueIndex.name}`],
      }),
    );
    this.fireQueue.grantSendMessages(this.tickFunction);
    // The sweeper (in the scheduled tick) finds tracking items with an overdue run on the list index, closes
    // those runs as timed out (run record and task summary: UpdateItem) and dead-letters final failures.
    this.tickFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'SweepIndex',
        actions: ['dynamodb:Query'],
        resources: [`${this.table.tableArn}/index/${TABLE.listIndex.name}`],
      }),
    );
    this.tickFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'SweepRuns',
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
    this.runDeadLetters.grantSendMessages(this.tickFunction);

    // The fire worker: batches of up to 10 messages, each up to 250 occurrences of one second.
    this.fireFunction = fn('FireFunction', 'fire', Duration.seconds(30));
    this.fireFunction.addEventSource(
      new SqsEventSource(this.fireQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    this.fireFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'FireTable',
        // Read the tasks (and the scheduler's state), write the runs, record errors, give fires back; for
        // tracked targets, take overlap slots (a conditional PutItem of the task's tracking item).
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:GetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
        ],
        resources: [this.table.tableArn],
      }),
    );
    // Entries whose hand-off is not recorded yet are sent again a little later.
    this.fireQueue.grantSendMessages(this.fireFunction);
    // A delivery Lambda refuses settles the attempt at once, and after the last one dead-letters the run.
    this.runDeadLetters.grantSendMessages(this.fireFunction);
    // The allow-list, enforced by IAM: the fire worker can invoke only functions whose names carry a
    // prefix, in the target environments.
    const targetArns = targetEnvironments.flatMap(({ account, region }) =>
      targetPrefixes.flatMap((prefix) => {
        const arn = stack.formatArn({
          service: 'lambda',
          resource: 'function',
          resourceName: `${prefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          account,
          region,
        });
        return [arn, `${arn}:*`];
      }),
    );
    this.fireFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeTargets',
        actions: ['lambda:InvokeFunction'],
        resources: targetArns,
      }),
    );
    // Fan-out: an overloaded tick hands shard ranges to more instances of itself.
    this.tickFunction.addToRolePolicy(
      new PolicyStatement({ sid: 'FanOut', actions: ['lambda:InvokeFunction'], resources: [tickArn] }),
    );

    // The API.
    this.apiFunction = fn('ApiFunction', 'api', Duration.seconds(29));
    this.apiFunction.addEnvironment(ENV.scheduleName, this.tickSchedule.scheduleName);
    this.apiFunction.addEnvironment(ENV.scheduleGroup, DEFAULTS.scheduleGroup);
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'ApiTable',
        actions: TASK_MANAGEMENT_ACTIONS,
        resources: [this.table.tableArn, ...indexArns],
      }),
    );
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'TickScheduleState',
        actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        resources: [this.tickSchedule.scheduleArn],
      }),
    );
    // Run now goes straight to the fire queue; a write that makes a task due before the next tick
    // starts a tick for it (a nudge).
    this.fireQueue.grantSendMessages(this.apiFunction);
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({ sid: 'StartTick', actions: ['lambda:InvokeFunction'], resources: [tickArn] }),
    );
    // UpdateSchedule re-submits the whole target, whose role the caller must be allowed to pass.
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({
        sid: 'PassTickScheduleRole',
        actions: ['iam:PassRole'],
        resources: [scheduleRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );

    this.outcomeFunction = fn('OutcomeFunction', 'outcome', OUTCOME_FUNCTION_TIMEOUT);
    this.addOutcomes();

    this.jobFunction = fn('JobFunction', 'jobs', Duration.minutes(15), jobFunctionName);
    this.addJobs(jobFunctionName, indexArns);

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'Api', {
      description: 'Sundial management API (IAM-authorised)',
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 100, burstLimit: 200 },
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    this.api.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration });
    this.api.addRoutes({ path: '/', methods: [HttpMethod.ANY], integration });

    // Every function and every dead-letter queue of the construct belongs in these lists.
    this.operations = new SundialOperations(
      this,
      'Operations',
      {
        functions: [
          this.tickFunction,
          this.fireFunction,
          this.outcomeFunction,
          this.apiFunction,
          this.jobFunction,
        ],
        deadLetterQueues: [this.deadLetterQueue, this.fireDeadLetters, this.outcomeDeadLetters],
        outcomeQueue: this.outcomeQueue,
        runDeadLetters: this.runDeadLetters,
        api: this.api,
      },
      props,
    );
    this.acknowledgeNagFindings(targetPrefixes, targetEnvironments, scheduleRole);
  }

  /**
   * Registers a target whose runs Sundial follows to their end: their outcome (`succeeded`, `failed`,
   * `timed_out`), retries as the task's `retry` says, and overlap control as its `overlap` says. It grants the
   * fire function invoke on `fn`, points `fn`'s asynchronous invocation destinations (success and failure)
   * at the outcome queue with Lambda's own retries off (Sundial owns retries), and lists `fn` in
   * SUNDIAL_TRACKED_TARGETS with how long after a fire its outcome must have come (its timeout plus
   * `maxEventAge`), after which (plus a minute) the run is closed as `timed_out`.
   *
   * A function that is not registered this way still fires (if its name has an allowed prefix), but its
   * runs stay `delivered`: Sundial never learns their outcome, retries nothing and takes no overlap slot.
   *
   * `fn` must be a function of this Sundial's stack (a function of another stack would make the two stacks
   * depend on each other), without its own asynchronous invocation settings (they are replaced here, and
   * CDK allows one set). Tasks name it unqualified: the destinations are set on the function itself, so the
   * outcome of an invocation of one of its versions or aliases never comes and that run ends `timed_out`.
   * Its name must carry one of `targetPrefixes` for the API to accept tasks on it. Every registered target
   * adds about 70 bytes to the functions' environment (4 KB in all).
   *
   * @example
   * const report = new lambda.Function(stack, 'Report', { functionName: 'sundial-report', timeout: Duration.minutes(5), … });
   * sundial.addTarget(report);                                          // outcome due 10 min after a fire
   * sundial.addTarget(other, { maxEventAge: Duration.minutes(15) });    // a target that may be throttled longer
   */
  addTarget(fn: LambdaFunction, options: TrackedTargetOptions = {}): void {
    const where = `Sundial (${this.node.path}): addTarget(${fn.node.path})`;
    if (Stack.of(fn) !== Stack.of(this)) {
      throw new Error(`${where}: the function must be in the Sundial's own stack`);
    }
    if (this.trackedTargets.has(fn)) throw new Error(`${where}: already registered`);
    const seconds = reportOutcomes(fn, this.outcomeQueue, options);
    this.trackedTargets.add(fn, seconds);
    // In addition to the prefix-based policy, which the API's own check mirrors.
    fn.grantInvoke(this.fireFunction);
    Validations.of(this.fireFunction).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${anyQualifierOf(fn)}]`,
      reason:
        'Granted by addTarget: the fire worker may invoke any version or alias of this registered target only.',
    });
    // The name given to the function, if any (its `functionName` is a token either way).
    const name = (fn.node.defaultChild as CfnFunction).functionName;
    if (
      name !== undefined &&
      !Token.isUnresolved(name) &&
      !this.targetPrefixes.some((p) => name.startsWith(p))
    ) {
      Annotations.of(fn).addWarningV2(
        'sundial:targetPrefix',
        `${name} has none of the target prefixes (${this.targetPrefixes.join(', ')}): the API refuses tasks on it`,
      );
    }
  }

  /**
   * The outcome function: fed by the outcome queue (batches of 10, partial batch responses), it reads the
   * task and its tracking, writes the run record, the tracking item and the task summary, sends retries to
   * the fire queue and final failures to the run dead-letter queue. No Query, Scan or DeleteItem.
   */
  private addOutcomes() {
    const outcome = this.outcomeFunction;
    outcome.addEventSource(
      new SqsEventSource(this.outcomeQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    outcome.addToRolePolicy(
      new PolicyStatement({
        sid: 'OutcomeTable',
        // BatchGetItem: the task (the store reads tasks in batches); GetItem + conditional PutItem: its
        // tracking item; UpdateItem: the run record (conditional on the attempt) and the task summary.
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
      }),
    );
    this.fireQueue.grantSendMessages(outcome);
    this.runDeadLetters.grantSendMessages(outcome);
  }

  /**
   * Group jobs and the reindex (lib/jobs/): the job function's table access, who may start it, and the
   * reindex that a deploy starts once, so a table of an earlier version gets its list index filled.
   */
  private addJobs(jobFunctionName: string, indexArns: string[]) {
    const job = this.jobFunction;
    job.addToRolePolicy(
      new PolicyStatement({
        sid: 'JobTable',
        actions: TASK_MANAGEMENT_ACTIONS,
        resources: [this.table.tableArn, ...indexArns],
      }),
    );
    const jobArn = Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: jobFunctionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A job that runs out of time hands itself to a new invocation; the API starts jobs.
    job.addToRolePolicy(
      new PolicyStatement({ sid: 'ContinueJob', actions: ['lambda:InvokeFunction'], resources: [jobArn] }),
    );
    this.apiFunction.addToRolePolicy(
      new PolicyStatement({ sid: 'StartJob', actions: ['lambda:InvokeFunction'], resources: [jobArn] }),
    );
    // The reindex: the job function answers this resource's deploy events itself (lib/jobs/deploy-hook.ts).
    // Named after the index it fills, so a version with another index reindexes once more.
    const reindex = new CustomResource(this, 'Reindex', {
      serviceToken: job.functionArn,
      resourceType: 'Custom::SundialReindex',
      properties: { Index: TABLE.listIndex.name },
    });
    // After the new code is in place, so no writer of the previous version runs behind the reindex.
    reindex.node.addDependency(
      this.tickFunction,
      this.fireFunction,
      this.outcomeFunction,
      this.apiFunction,
      job,
    );
  }

  /** Each acknowledged cdk-nag finding, one by one, with the reason it is acceptable. */
  private acknowledgeNagFindings(
    targetPrefixes: string[],
    targetEnvironments: { account: string; region: string }[],
    scheduleRole: Role,
  ) {
    for (const f of [
      this.tickFunction,
      this.fireFunction,
      this.outcomeFunction,
      this.apiFunction,
      this.jobFunction,
    ]) {
      Validations.of(f).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The managed basic execution role grants only CloudWatch Logs writes to the function log group.',
      });
    }
    // cdk-nag names a deploy-time value by its pseudo parameter.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const ids = targetEnvironments.flatMap(({ account, region }) => {
      const partition = shown(Stack.of(this).partition, 'Partition');
      const arn = `arn:${partition}:lambda:${shown(region, 'Region')}:${shown(account, 'AccountId')}:function`;
      return targetPrefixes.flatMap((prefix) => [`${arn}:${prefix}*`, `${arn}:${prefix}*:*`]);
    });
    for (const id of ids) {
      Validations.of(this.fireFunction).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${id}]`,
        reason:
          'The fire worker invokes user functions by name; the wildcard is the configured name prefix (the allow-list).',
      });
    }
    const tickLogicalId = Stack.of(this).getLogicalId(this.tickFunction.node.defaultChild as CfnFunction);
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tickLogicalId}.Arn>:*]`,
      reason:
        'Granted by LambdaInvoke: the schedule may invoke any version or alias of the tick function only.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the tick schedule.',
    });
    Validations.of(this.fireDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the fire queue.',
    });
    Validations.of(this.outcomeDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the outcome queue.',
    });
    Validations.of(this.runDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter destination: runs that failed their last attempt, kept for their owners.',
    });
  }
}
