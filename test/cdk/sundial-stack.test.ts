import { readFileSync } from 'node:fs';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement, User } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { Sundial } from '../../cdk/sundial';
import { SundialStack } from '../../cdk/sundial-stack';
import { ENV } from '../../lib/config';
import { INDEXES, TABLE } from '../../lib/store/schema';

let template: Template;
let crossAccount: Template;
let app: App;

beforeAll(() => {
  // The context of cdk.json (feature flags included): the template asserted is the one `npm run deploy` makes.
  app = new App({ context: JSON.parse(readFileSync('cdk.json', 'utf8')).context });
  const stack = new SundialStack(app, 'Test', {
    sundial: { targetPrefixes: ['sundial-', 'billing-'], shards: 8 },
  });
  const cross = new SundialStack(app, 'Cross', {
    sundial: {
      targetEnvironments: [
        { account: '111111111111', region: 'eu-west-1' },
        { account: '222222222222', region: '*' },
      ],
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromStack(stack);
  crossAccount = Template.fromStack(cross);
}, 120_000);

const statementsOf = (sid: string, of = template) =>
  Object.values(of.findResources('AWS::IAM::Policy'))
    .flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Sid?: string;
          Action: string | string[];
          Resource: unknown;
        }[],
    )
    .filter((s) => s.Sid === sid);

describe('the Sundial stack', () => {
  it('has one on-demand table with PITR, TTL and the schema module’s keys and indexes', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: INDEXES.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
        }),
      ),
    });
  });

  it('ticks with rate(1 minute), no flexible window, bounded retries and a dead-letter queue', () => {
    const tick = template.findResources('AWS::Lambda::Function', {
      Properties: { Handler: 'tick.handler', Timeout: 60 },
    });
    const [tickId] = Object.keys(tick);
    expect(tickId).toBeDefined();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [tickId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      },
    });
  });

  it('runs its functions on the newest Node.js runtime with the table and prefixes in the environment', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function'));
    // Tick, fire, outcome, API and jobs.
    expect(fns).toHaveLength(5);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Environment.Variables).toMatchObject({
        [ENV.tableName]: { Ref: expect.stringMatching(/Table/) },
        [ENV.shards]: '8',
        [ENV.targetPrefixes]: 'sundial-,billing-',
      });
    }
  });

  it('authorises every API route with AWS_IAM', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.length).toBeGreaterThanOrEqual(2);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('hands occurrences to an encrypted, TLS-only fire queue with a dead-letter queue, consumed by the fire function', () => {
    const queues = template.findResources('AWS::SQS::Queue', {
      Properties: { VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 5 } },
    });
    const [queueId, ...more] = Object.keys(queues).filter((id) => id.includes('FireQueue'));
    expect(more).toHaveLength(0);
    expect(queues[queueId as string]?.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    const [fireId] = Object.keys(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Handler: 'fire.handler', Timeout: 30 },
      }),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: fireId },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables[ENV.fireQueueUrl]).toEqual({ Ref: queueId });
    }
    // Every queue refuses plain HTTP.
    for (const policy of Object.values(template.findResources('AWS::SQS::QueuePolicy'))) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets only the fire function invoke targets, and only functions named with an allowed prefix', () => {
    const [invoke, ...more] = statementsOf('InvokeTargets');
    expect(more).toHaveLength(0);
    const holders = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.PolicyDocument.Statement as { Sid?: string }[]).some((x) => x.Sid === 'InvokeTargets'),
    );
    expect(JSON.stringify(holders.map((p) => p.Properties.Roles))).toMatch(/FireFunction/);
    expect(invoke?.Action).toBe('lambda:InvokeFunction');
    const resources = JSON.stringify(invoke?.Resource);
    for (const suffix of [
      ':function:sundial-*"',
      ':function:sundial-*:*"',
      ':function:billing-*"',
      ':function:billing-*:*"',
    ]) {
      expect(resources).toContain(suffix);
    }
    expect(invoke?.Resource).toHaveLength(4);
    // Nothing else in the stack may invoke arbitrary functions.
    const everyStatement = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    for (const s of everyStatement) expect(s.Resource).not.toBe('*');
  });

  it('names its own account and region as the only target environment, for the API and IAM alike', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(JSON.stringify(fn.Properties.Environment.Variables[ENV.targetEnvironments])).toBe(
        JSON.stringify({ 'Fn::Join': ['', [{ Ref: 'AWS::AccountId' }, '/', { Ref: 'AWS::Region' }]] }),
      );
    }
    const resources = JSON.stringify(statementsOf('InvokeTargets')[0]?.Resource);
    expect(resources).toContain('{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":function:sundial-*"');
  });

  it('adds configured target environments to its own, for the API check and the IAM scope alike', () => {
    for (const fn of Object.values(crossAccount.findResources('AWS::Lambda::Function'))) {
      expect(JSON.stringify(fn.Properties.Environment.Variables[ENV.targetEnvironments])).toBe(
        JSON.stringify({
          'Fn::Join': [
            '',
            [
              { Ref: 'AWS::AccountId' },
              '/',
              { Ref: 'AWS::Region' },
              ',111111111111/eu-west-1,222222222222/*',
            ],
          ],
        }),
      );
    }
    const [invoke] = statementsOf('InvokeTargets', crossAccount);
    const resources = JSON.stringify(invoke?.Resource);
    expect(resources).toContain(':lambda:eu-west-1:111111111111:function:sundial-*"');
    expect(resources).toContain(':lambda:*:222222222222:function:sundial-*:*"');
    expect(invoke?.Resource).toHaveLength(6);
  });

  it('refuses a malformed target environment at synth time', () => {
    const bad = new Stack(new App(), 'Bad');
    expect(
      () => new Sundial(bad, 'S', { targetEnvironments: [{ account: 'me', region: 'eu-west-1' }] }),
    ).toThrow(/targetEnvironments\.0: a 12-digit account/);
  });

  it('grants the tick only the table actions it uses, on the table and the due index', () => {
    const [table] = statementsOf('TickTable');
    expect([...((table?.Action as string[]) ?? [])].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PutItem',
      'dynamodb:Query',
    ]);
    expect(JSON.stringify(table?.Resource)).toContain(`/index/${TABLE.dueIndex.name}`);
    expect(JSON.stringify(table?.Resource)).not.toContain('/index/*');
  });

  it('lets the tick invoke itself (fan-out) and the API start it (run now), by its fixed name only', () => {
    const [tick] = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'tick.handler' } }),
    );
    const name = tick?.Properties.FunctionName as string;
    expect(name).toMatch(/^Test-.+-tick$/);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables[ENV.tickFunctionName]).toBe(name);
    }
    for (const sid of ['FanOut', 'StartTick']) {
      const [statement, ...more] = statementsOf(sid);
      expect(more).toHaveLength(0);
      expect(statement?.Action).toBe('lambda:InvokeFunction');
      expect(JSON.stringify(statement?.Resource)).toContain(`:function:${name}"`);
    }
  });

  it('lets the API read and change the tick schedule and nothing else in EventBridge Scheduler', () => {
    const [scheduler] = statementsOf('TickScheduleState');
    expect(scheduler?.Action).toEqual(['scheduler:GetSchedule', 'scheduler:UpdateSchedule']);
    expect(JSON.stringify(scheduler?.Resource)).toMatch(/TickSchedule.*Arn/);
  });
});

describe('cdk-nag (AWS Solutions rules)', () => {
  it('passes: every finding is fixed or acknowledged one by one with a reason', () => {
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('passes in a stack with an explicit account and region too (ARNs then name the partition)', () => {
    const pinned = new App();
    const stack = new Stack(pinned, 'Pinned', { env: { account: '111111111111', region: 'eu-west-1' } });
    new Sundial(stack, 'Sundial');
    Validations.of(pinned).addPlugins(new AwsSolutionsChecks(pinned));
    expect(() => pinned.synth({ force: true })).not.toThrow();
  });

  it('would fail a stack with an unacknowledged finding (the check is really wired)', () => {
    const bad = new App();
    const stack = new Stack(bad, 'Bad');
    new User(stack, 'U').addToPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    Validations.of(bad).addPlugins(new AwsSolutionsChecks(bad));
    expect(() => bad.synth()).toThrow();
  });
});
