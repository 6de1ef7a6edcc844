import { readFileSync } from 'node:fs';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sundial } from '../../cdk/sundial';
import { ENV } from '../../lib/config';
import { TABLE } from '../../lib/store/schema';

let app: App;
let stack: Stack;
let template: Template;

/** A user's function, as a target would be declared beside the Sundial. */
const target = (scope: Stack, id: string, props: { functionName?: string; timeout?: Duration } = {}) => {
  const fn = new LambdaFunction(scope, id, {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({ ok: true });'),
    ...props,
  });
  // The user's own function: its findings are the user's to acknowledge, not the construct's.
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'A test target: logs only.',
  });
  return fn;
};

beforeAll(() => {
  app = new App({ context: JSON.parse(readFileSync('cdk.json', 'utf8')).context });
  stack = new Stack(app, 'Outcomes');
  const sundial = new Sundial(stack, 'Sundial');
  // Registered after the construct made its functions: the lazy list still has them.
  sundial.addTarget(
    target(stack, 'Report', { functionName: 'sundial-report', timeout: Duration.minutes(5) }),
  );
  sundial.addTarget(target(stack, 'Quick'), { maxEventAge: Duration.minutes(15) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(stack);
}, 120_000);

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };
const idOf = (type: string, part: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(part));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
const functionId = (handler: string) => {
  const ids = Object.keys(
    template.findResources('AWS::Lambda::Function', { Properties: { Handler: handler } }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
/** Every statement of the policies attached to a function's role. */
function statementsOfFunction(fnId: string): Statement[] {
  const fn = template.findResources('AWS::Lambda::Function')[fnId];
  expect(fn).toBeDefined();
  const [roleId] = (fn as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role[
    'Fn::GetAtt'
  ];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** The actions granted on resources whose JSON mentions `part`. */
const actionsOn = (statements: Statement[], part: string) =>
  statements
    .filter((s) => JSON.stringify(s.Resource).includes(part))
    .flatMap(actionsOf)
    .sort();

describe('the outcome queue and its dead-letter queue', () => {
  it('is encrypted, TLS-only, visible 6 × the outcome function timeout, dead-lettered after 5 receives', () => {
    const outcomeQueue = idOf('AWS::SQS::Queue', 'OutcomeQueue');
    const deadLetters = idOf('AWS::SQS::Queue', 'OutcomeDeadLetters');
    const outcomeFn = template.findResources('AWS::Lambda::Function')[functionId('outcome.handler')];
    const timeout = outcomeFn?.Properties.Timeout as number;
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: Match.anyValue(),
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] }, maxReceiveCount: 5 },
    });
    const queue = template.findResources('AWS::SQS::Queue')[outcomeQueue];
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue?.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({
      'Fn::GetAtt': [deadLetters, 'Arn'],
    });
    expect(template.findResources('AWS::SQS::Queue')[deadLetters]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    for (const id of [outcomeQueue, deadLetters]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('the outcome function', () => {
  it('runs lambdas/outcome.ts like the other functions, fed by the outcome queue with partial batch responses', () => {
    const outcome = functionId('outcome.handler');
    const fire = template.findResources('AWS::Lambda::Function')[functionId('fire.handler')];
    const fn = template.findResources('AWS::Lambda::Function')[outcome];
    for (const key of ['Runtime', 'Architectures', 'MemorySize', 'Timeout']) {
      expect(fn?.Properties[key], key).toEqual(fire?.Properties[key]);
    }
    expect(fn?.Properties.LoggingConfig).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'OutcomeQueue'), 'Arn'] },
      FunctionName: { Ref: outcome },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('has the common environment, the fire queue, the run dead-letter queue and the tracked targets', () => {
    const vars =
      template.findResources('AWS::Lambda::Function')[functionId('outcome.handler')]?.Properties.Environment
        .Variables;
    expect(vars).toMatchObject({
      [ENV.tableName]: { Ref: expect.stringMatching(/Table/) },
      [ENV.shards]: '16',
      [ENV.targetPrefixes]: 'sundial-',
      [ENV.serviceName]: 'Outcomes/Sundial',
      [ENV.fireQueueUrl]: { Ref: idOf('AWS::SQS::Queue', 'FireQueue') },
      [ENV.runDeadLetterQueueUrl]: { Ref: idOf('AWS::SQS::Queue', 'RunDeadLetters') },
    });
    expect(vars[ENV.trackedTargets]).toBeDefined();
  });

  it('has a least-privilege role: the table actions it uses, on the table only; the queues it uses', () => {
    const statements = statementsOfFunction(functionId('outcome.handler'));
    const all = statements.flatMap(actionsOf);
    for (const action of all) expect(action).not.toMatch(/\*|Scan|DeleteItem|BatchWriteItem|PartiQL/);
    for (const s of statements) expect(s.Resource).not.toBe('*');
    const table = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(table).toHaveLength(1);
    expect(table[0]?.Resource).toEqual({ 'Fn::GetAtt': [idOf('AWS::DynamoDB::Table', 'Table'), 'Arn'] });
    expect(actionsOf(table[0] as Statement).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    const send = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
    expect(actionsOn(statements, idOf('AWS::SQS::Queue', 'FireQueue'))).toEqual(send);
    expect(actionsOn(statements, idOf('AWS::SQS::Queue', 'RunDeadLetters'))).toEqual(send);
    expect(actionsOn(statements, idOf('AWS::SQS::Queue', 'OutcomeQueue'))).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
    ]);
    expect(all.filter((a) => a.startsWith('lambda:'))).toEqual([]);
  });
});

describe('the run dead-letter queue', () => {
  it('is encrypted, TLS-only, keeps 14 days; the outcome, fire and tick functions may send to it', () => {
    const id = idOf('AWS::SQS::Queue', 'RunDeadLetters');
    expect(template.findResources('AWS::SQS::Queue')[id]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    for (const handler of ['outcome.handler', 'fire.handler', 'tick.handler']) {
      expect(actionsOn(statementsOfFunction(functionId(handler)), id), handler).toContain('sqs:SendMessage');
      const vars =
        template.findResources('AWS::Lambda::Function')[functionId(handler)]?.Properties.Environment
          .Variables;
      expect(vars[ENV.runDeadLetterQueueUrl], handler).toEqual({ Ref: id });
    }
  });
});

describe('the sweeper and the fire worker’s overlap slots', () => {
  it('lets the tick Query the list index and UpdateItem runs (plus what it had: Get, Put, Delete)', () => {
    const statements = statementsOfFunction(functionId('tick.handler'));
    const listIndex = `/index/${TABLE.listIndex.name}`;
    expect(actionsOn(statements, listIndex)).toEqual(['dynamodb:Query']);
    const onTable = statements.filter((s) => JSON.stringify(s.Resource).includes('Table')).flatMap(actionsOf);
    for (const action of [
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:DeleteItem',
    ]) {
      expect(onTable).toContain(action);
    }
    expect(onTable).not.toContain('dynamodb:Scan');
  });

  it('lets the fire worker write tracking items (a conditional PutItem)', () => {
    const [fireTable] = statementsOfFunction(functionId('fire.handler')).filter((s) => s.Sid === 'FireTable');
    expect(actionsOf(fireTable as Statement)).toContain('dynamodb:PutItem');
    expect(actionsOf(fireTable as Statement)).not.toContain('dynamodb:Scan');
  });
});

describe('sundial.addTarget', () => {
  const reportId = () => idOf('AWS::Lambda::Function', 'Report');
  const quickId = () => idOf('AWS::Lambda::Function', 'Quick');

  it('turns Lambda’s own retries off and sends success and failure records to the outcome queue', () => {
    const outcomeQueueArn = { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'OutcomeQueue'), 'Arn'] };
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2);
    for (const [id, age] of [
      [reportId(), 300],
      [quickId(), 900],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: id },
        Qualifier: '$LATEST',
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: age,
        DestinationConfig: {
          OnSuccess: { Destination: outcomeQueueArn },
          OnFailure: { Destination: outcomeQueueArn },
        },
      });
    }
  });

  it('lets the target send to the outcome queue (its destinations use its own role)', () => {
    const outcomeQueue = idOf('AWS::SQS::Queue', 'OutcomeQueue');
    for (const id of [reportId(), quickId()]) {
      expect(actionsOn(statementsOfFunction(id), outcomeQueue)).toContain('sqs:SendMessage');
    }
  });

  it('lets the fire function invoke the target (besides the prefix policy, which stays)', () => {
    const statements = statementsOfFunction(functionId('fire.handler'));
    for (const id of [reportId(), quickId()]) {
      const invoke = statements.filter(
        (s) =>
          actionsOf(s).includes('lambda:InvokeFunction') && JSON.stringify(s.Resource).includes(`"${id}"`),
      );
      expect(invoke.length).toBeGreaterThan(0);
    }
    expect(statements.filter((s) => s.Sid === 'InvokeTargets')).toHaveLength(1);
  });

  it('lists each target with its timeout plus max event age in SUNDIAL_TRACKED_TARGETS, for every Sundial function', () => {
    // 'sundial-report': 300 s timeout + 300 s default age; the other: Lambda's 3 s default + 900 s.
    const expected = {
      'Fn::Join': ['', [{ Ref: reportId() }, '=600,', { Ref: quickId() }, '=903']],
    };
    for (const handler of ['tick.handler', 'fire.handler', 'outcome.handler', 'api.handler']) {
      const vars =
        template.findResources('AWS::Lambda::Function')[functionId(handler)]?.Properties.Environment
          .Variables;
      expect(vars[ENV.trackedTargets], handler).toEqual(expected);
    }
  });

  it('takes an explicit timeout for a function whose timeout the construct cannot see', () => {
    const s = new Stack(new App(), 'Explicit');
    const sundial = new Sundial(s, 'Sundial');
    sundial.addTarget(target(s, 'T', { functionName: 'sundial-t' }), { timeout: Duration.minutes(2) });
    const [fn] = Object.values(
      Template.fromStack(s).findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'fire.handler' },
      }),
    );
    expect(JSON.stringify(fn?.Properties.Environment.Variables[ENV.trackedTargets])).toMatch(/"=420"/);
  });

  it('leaves the variable empty when no target is registered', () => {
    const s = new Stack(new App(), 'None');
    new Sundial(s, 'Sundial');
    const [fn] = Object.values(
      Template.fromStack(s).findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'fire.handler' },
      }),
    );
    expect(fn?.Properties.Environment.Variables[ENV.trackedTargets]).toBe('');
  });

  it('refuses a function of another stack, and the same function twice', () => {
    const a = new App();
    const s = new Stack(a, 'Here');
    const sundial = new Sundial(s, 'Sundial');
    const elsewhere = target(new Stack(a, 'There'), 'Elsewhere');
    expect(() => sundial.addTarget(elsewhere)).toThrow(/must be in the Sundial's own stack/);
    const fn = target(s, 'Twice');
    sundial.addTarget(fn);
    expect(() => sundial.addTarget(fn)).toThrow(/already registered/);
  });

  it('warns when the target’s name has no allowed prefix (the API would refuse tasks on it)', () => {
    const s = new Stack(new App(), 'Prefix');
    const sundial = new Sundial(s, 'Sundial', { targetPrefixes: ['billing-'] });
    sundial.addTarget(target(s, 'Odd', { functionName: 'reports-daily' }));
    Annotations.fromStack(s).hasWarning(
      '*',
      Match.stringLikeRegexp('reports-daily has none of the target prefixes'),
    );
  });
});

describe('alarms and the dashboard of tracked runs', () => {
  const alarm = (part: string) => {
    const found = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) =>
      id.includes(part),
    );
    expect(found.map(([id]) => id)).toHaveLength(1);
    return found[0]?.[1].Properties;
  };

  it('has an errors alarm for the outcome function, a depth alarm for its dead letters, a backlog alarm', () => {
    expect(JSON.stringify(alarm('OutcomeFunctionErrors')?.Metrics)).toContain(functionId('outcome.handler'));
    expect(alarm('OutcomeDeadLettersDepth')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'OutcomeDeadLetters'), 'QueueName'] },
        },
      ],
      Threshold: 1,
    });
    expect(alarm('OutcomeBacklog')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [idOf('AWS::SQS::Queue', 'OutcomeQueue'), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 300,
      Threshold: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmDescription: expect.stringContaining('docs/operations.md#outcome-backlog'),
    });
  });

  it('graphs the outcome queue, run durations and the run dead letters', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('RunDuration');
    expect(body).toContain(idOf('AWS::SQS::Queue', 'RunDeadLetters'));
  });
});

describe('cdk-nag', () => {
  it('passes with registered targets: each finding of the construct acknowledged with a reason', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });
});
