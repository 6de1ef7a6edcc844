import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ulid } from 'ulid';
import { type AppDeps, createApp } from './api/app';
import { SchedulerService } from './api/scheduler-service';
import { TaskService } from './api/task-service';
import { type Clock, systemClock } from './clock';
import type { SundialConfig } from './config';
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
import { DispatchStore } from './store/dispatch-store';
import { pingTable } from './store/store-health';
import { TaskStore } from './store/task-store';

export type { Log } from './log';

export interface RuntimeOptions {
  clock?: Clock;
  log?: Log;
  tick?: Partial<TickOptions>;
  /** Client overrides, for tests; by default clients come from the SDK's own configuration chain. */
  dynamodb?: DynamoDBClient;
  lambda?: LambdaClient;
  scheduler?: SchedulerClient;
  /** Fault points for tests (see TickFaults). */
  faults?: TickFaults;
  /** The name of the function this runtime runs in (the API's), so no task can target it. */
  selfFunctionName?: string;
  /** Each API request's route, status and latency (the API Lambda publishes them as metrics). */
  recordRequest?: AppDeps['recordRequest'];
}

/**
 * Retries: DynamoDB throttling and 5xx are retried by the SDK (standard mode: exponential backoff with
 * full jitter) a few more times than its default; Lambda calls get tight timeouts so a stuck connection
 * costs seconds, not the tick, and the tick adds its own backoff on top (see lib/dispatch/tick.ts).
 */
export const DYNAMODB_CLIENT_CONFIG = { maxAttempts: 6, retryMode: 'standard' } as const;
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
  const store = new TaskStore(dynamodb, config);
  const dispatch = new DispatchStore(dynamodb, config);
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
    invoker: new LambdaInvoker(lambda),
    clock,
    newRunId: () => ulid(clock.now()),
    targetPrefixes: config.targetPrefixes,
    reservedFunctions,
    // Fan-out: the tick hands a shard range to another instance of itself, asynchronously.
    fanOut: tickFunctionName ? (shards) => startTick({ shards }) : undefined,
    faults: options.faults,
    log: options.log,
  };
  const tickOptions = { ...DEFAULT_TICK_OPTIONS, ...options.tick };
  const tasks = new TaskService({
    store,
    clock,
    targetPrefixes: config.targetPrefixes,
    reservedFunctions,
    targetEnvironments: config.targetEnvironments,
    runs: dispatch,
    // Run now: a tick of the task's shard that delivers run-now requests only, so a paused scheduler
    // still fires no scheduled occurrence.
    nudgeTick: tickFunctionName ? (shards) => startTick({ shards, manualOnly: true }) : undefined,
    shards: config.shards,
    log: options.log,
  });
  const jobs = createJobs({ config, dynamodb, lambda, store, clock, log: options.log });
  const scheduler = new SchedulerService({
    client: options.scheduler ?? new SchedulerClient({}),
    scheduleName: config.scheduleName,
    scheduleGroup: config.scheduleGroup,
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
    tick: (request: TickRequest = {}) => runTick(tickDeps, tickOptions, request),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
