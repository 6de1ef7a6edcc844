import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ulid } from 'ulid';
import { createApp } from './api/app';
import { SchedulerService } from './api/scheduler-service';
import { TaskService } from './api/task-service';
import { type Clock, systemClock } from './clock';
import type { SundialConfig } from './config';
import { LambdaInvoker } from './dispatch/invoker';
import { DEFAULT_TICK_OPTIONS, runTick, type TickDeps, type TickOptions } from './dispatch/tick';
import { DispatchStore } from './store/dispatch-store';
import { TaskStore } from './store/task-store';

export type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface RuntimeOptions {
  clock?: Clock;
  log?: Log;
  tick?: Partial<TickOptions>;
  /** Client overrides, for tests; by default clients come from the SDK's own configuration chain. */
  dynamodb?: DynamoDBClient;
  lambda?: LambdaClient;
  scheduler?: SchedulerClient;
}

/**
 * The composition root shared by the Lambda handlers and the local cloud. Endpoints are never chosen
 * here: the SDK reads `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_LAMBDA`, so local mode is only an
 * environment override.
 */
export function createRuntime(config: SundialConfig, options: RuntimeOptions = {}) {
  const clock = options.clock ?? systemClock;
  const dynamodb = options.dynamodb ?? new DynamoDBClient({});
  const store = new TaskStore(dynamodb, config);
  const dispatch = new DispatchStore(dynamodb, config);
  const invoker = new LambdaInvoker(options.lambda ?? new LambdaClient({}));
  const tickDeps: TickDeps = {
    store: dispatch,
    invoker,
    clock,
    newRunId: () => ulid(clock.now()),
    log: options.log,
  };
  const tickOptions = { ...DEFAULT_TICK_OPTIONS, ...options.tick };
  const tasks = new TaskService({
    store,
    clock,
    targetPrefixes: config.targetPrefixes,
    invoker,
    runs: dispatch,
    newRunId: tickDeps.newRunId,
  });
  const scheduler = new SchedulerService({
    client: options.scheduler ?? new SchedulerClient({}),
    scheduleName: config.scheduleName,
    scheduleGroup: config.scheduleGroup,
  });
  return {
    store,
    tasks,
    app: createApp({ tasks, scheduler, log: options.log }),
    tick: () => runTick(tickDeps, tickOptions),
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
