import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { type AppDeps, createApp } from './api/app';
import { SchedulerService } from './api/scheduler-service';
import { TaskService } from './api/task-service';
import { type Clock, systemClock } from './clock';
import { ENV, type SundialConfig } from './config';
import { type FireDeps, type FireFaults, type FireOptions, handleFire } from './dispatch/fire';
import { type FireQueue, SqsFireQueue } from './dispatch/fire-queue';
import { LambdaInvoker } from './dispatch/invoker';
import {
  DEFAULT_TICK_OPTIONS,
  runTick,
  type TickDeps,
  type TickFaults,
  type TickOptions,
  type TickRequest,
} from './dispatch/tick';
import { createJobs } from './jobs/create-jobs';
import type { Log } from './log';
import { type RunDeadLetters, SqsRunDeadLetters } from './outcome/dead-letters';
import { handleOutcomes } from './outcome/handle-outcomes';
import type { OutcomeDeps } from './outcome/settle';
import { sweep } from './outcome/sweep';
import { DispatchStore } from './store/dispatch-store';
import { OutcomeStore } from './store/outcome-store';
import { pingTable } from './store/store-health';
import { TaskStore } from './store/task-store';
import { TrackingStore } from './store/tracking-store';

export type { Log } from './log';

export interface RuntimeOptions {
  clock?: Clock;
  log?: Log;
  tick?: Partial<TickOptions>;
  /** Client overrides, for tests; by default clients come from the SDK's own configuration chain. */
  dynamodb?: DynamoDBClient;
  lambda?: LambdaClient;
  scheduler?: SchedulerClient;
  sqs?: SQSClient;
  /** Fire worker settings, for tests and the bench. */
  fire?: Partial<FireOptions>;
  /** Fault points for tests (see TickFaults and FireFaults). */
  faults?: TickFaults & FireFaults;
  /** The name of the function this runtime runs in (the API's), so no task can target it. */
  selfFunctionName?: string;
  /** Each API request's route, status and latency (the API Lambda publishes them as metrics). */
  recordRequest?: AppDeps['recordRequest'];
  /** Where final failures go (local mode's queue); by default the configured run dead-letter queue. */
  deadLetters?: RunDeadLetters;
}

/**
 * Retries: DynamoDB throttling and 5xx are retried by the SDK (standard mode: exponential backoff with
 * full jitter) a few more times than its default; Lambda calls get tight timeouts so a stuck connection
 * costs seconds, not the tick, and the tick adds its own backoff on top (see lib/dispatch/tick.ts).
 */
export const DYNAMODB_CLIENT_CONFIG = { maxAttempts: 6, retryMode: 'standard' } as const;
const SQS_CLIENT_CONFIG = { maxAttempts: 6, retryMode: 'standard' } as const;
const LAMBDA_CLIENT_CONFIG = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
} as const;

/**
 * The composition root shared by the Lambda handlers and the local cloud. Endpoints are never chosen
 * here: the SDK reads `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_LAMBDA`, so local mode is only an
 * environment override.
 */
export function createRuntime(config: SundialConfig, options: RuntimeOptions = {}) {
  const clock = options.clock ?? systemClock;
  const dynamodb = options.dynamodb ?? new DynamoDBClient(DYNAMODB_CLIENT_CONFIG);
  const lambda = options.lambda ?? new LambdaClient(LAMBDA_CLIENT_CONFIG);
  const store = new TaskStore(dynamodb, config, clock);
  const dispatch = new DispatchStore(dynamodb, config, clock);
  const sqs = options.sqs ?? new SQSClient(SQS_CLIENT_CONFIG);
  const queue = fireQueueOf(config, sqs);
  const { tickFunctionName } = config;
  const reservedFunctions = [tickFunctionName, config.jobFunctionName, options.selfFunctionName].filter(
    (n): n is string => !!n,
  );
  const startTick = async (request: TickRequest) => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: tickFunctionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(request)),
      }),
    );
  };
  const tickDeps: TickDeps = {
    store: dispatch,
    queue,
    clock,
    // Fan-out: the tick hands a shard range to another instance of itself, asynchronously.
    fanOut: tickFunctionName ? (shards) => startTick({ shards }) : undefined,
    faults: options.faults,
    log: options.log,
  };
  const tickOptions = { ...DEFAULT_TICK_OPTIONS, ...options.tick };
  const outcomeDeps: OutcomeDeps = {
    store: dispatch,
    tracking: new TrackingStore(dynamodb, config, clock),
    outcomes: new OutcomeStore(dynamodb, config, clock),
    queue,
    deadLetters:
      options.deadLetters ??
      (config.runDeadLetterQueueUrl ? new SqsRunDeadLetters(sqs, config.runDeadLetterQueueUrl) : undefined),
    clock,
    targets: config.trackedTargets ?? new Map(),
    log: options.log,
  };
  const fireDeps: FireDeps = {
    store: dispatch,
    invoker: new LambdaInvoker(lambda),
    queue,
    clock,
    targetPrefixes: config.targetPrefixes,
    reservedFunctions,
    faults: options.faults,
    outcome: outcomeDeps,
    log: options.log,
  };
  const tasks = new TaskService({
    store,
    clock,
    targetPrefixes: config.targetPrefixes,
    reservedFunctions,
    targetEnvironments: config.targetEnvironments,
    fireQueue: queue,
    nudge: tickFunctionName ? startTick : undefined,
    lookAheadMs: tickOptions.lookAheadMs,
    log: options.log,
  });
  const jobs = createJobs({
    config,
    dynamodb,
    lambda,
    store,
    clock,
    log: options.log,
    nudge: tickFunctionName ? startTick : undefined,
  });
  const scheduler = new SchedulerService({
    client: options.scheduler ?? new SchedulerClient({}),
    scheduleName: config.scheduleName,
    scheduleGroup: config.scheduleGroup,
    onChange: (state) => dispatch.markScheduler({ paused: state === 'DISABLED', since: clock.now() }),
  });
  return {
    store,
    dispatch,
    tasks,
    jobs,
    app: createApp({
      tasks,
      groups: jobs.groups,
      scheduler,
      ready: () => pingTable(dynamodb, config.tableName),
      log: options.log,
      recordRequest: options.recordRequest,
    }),
    tick: async (request: TickRequest = {}) => {
      const report = await runTick(tickDeps, tickOptions, request);
      // The scheduled tick also sweeps tracked runs whose outcome is overdue (lib/outcome/sweep.ts).
      if (!request.shards && !request.nudge && outcomeDeps.targets.size > 0) {
        const swept = await sweep(outcomeDeps);
        if (swept.tasks > 0) options.log?.('info', 'sweep', { ...swept });
      }
      return report;
    },
    fire: (event: SQSEvent) => handleFire(fireDeps, event, options.fire),
    outcome: (event: SQSEvent) => handleOutcomes(outcomeDeps, event),
    sweep: () => sweep(outcomeDeps),
  };
}

/** The fire queue of this deployment; without one configured, every send fails and says why. */
function fireQueueOf(config: SundialConfig, client: SQSClient): FireQueue {
  if (config.fireQueueUrl) return new SqsFireQueue(client, config.fireQueueUrl);
  return {
    send: () => Promise.reject(new Error(`${ENV.fireQueueUrl} is not set: nothing can be handed off`)),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
