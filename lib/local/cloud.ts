import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type ServerType, serve } from '@hono/node-server';
import { sameOriginOnly } from '../api/same-origin';
import { type Clock, systemClock } from '../clock';
import { DEFAULTS, type SundialConfig } from '../config';
import { loadConsoleAssets } from '../console/assets';
import { CONSOLE_PATH, withConsole } from '../console/serve';
import type { FireOptions, FireReport } from '../dispatch/fire';
import { emptyTickReport, parseTickRequest, type TickOptions, type TickReport } from '../dispatch/tick';
import type { Log } from '../log';
import { createRuntime, type Runtime } from '../runtime';
import type { TargetEnvironment } from '../task/targets';
import {
  type DynamoDbLocal,
  ensureTable,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDbLocal,
} from './dynamodb-local';
import { LocalEventSource } from './event-source';
import type { FunctionSpec } from './functions';
import { invocationRecord } from './invocation-record';
import { IsolatedFunction } from './isolated-function';
import { DEFAULT_TIMEOUT_MS, type LocalHandler, LocalLambdaEndpoint } from './lambda-endpoint';
import { LocalQueueEndpoint } from './queue-endpoint';
import { LocalSchedulerEndpoint } from './scheduler-endpoint';

/** The name the local clock invokes; in AWS, EventBridge Scheduler invokes the deployed tick function. */
export const LOCAL_TICK_FUNCTION = 'sundial-local-tick';
/** The local fire queue and its dead-letter queue (in AWS: the construct's FireQueue and FireDeadLetters). */
export const LOCAL_FIRE_QUEUE = 'sundial-local-fire';
export const LOCAL_FIRE_DEAD_LETTERS = 'sundial-local-fire-dlq';
/**
 * The local outcome queue (in AWS: the construct's OutcomeQueue, fed by registered targets' destinations)
 * and the run dead-letter queue (RunDeadLetters: the event and error of a run's last failed attempt).
 */
export const LOCAL_OUTCOME_QUEUE = 'sundial-local-outcomes';
export const LOCAL_OUTCOME_DEAD_LETTERS = 'sundial-local-outcomes-dlq';
export const LOCAL_RUN_DEAD_LETTERS = 'sundial-local-run-dlq';
/** The job function (group jobs, reindex) on the local Lambda endpoint, as the construct deploys one. */
export const LOCAL_JOB_FUNCTION = 'sundial-local-jobs';
/** The local answer to the tick's EventBridge Scheduler schedule (GET/POST /v1/scheduler act on it). */
export const LOCAL_TICK_SCHEDULE = 'sundial-tick';

export interface LocalCloudOptions {
  /** HTTP API port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Lambda endpoint port on 127.0.0.1; 0 picks a free one. */
  lambdaPort?: number;
  /** Where DynamoDB Local keeps its data; absent means in memory. */
  dataDir?: string;
  /** Use a DynamoDB (Local) that is already running instead of starting one. */
  dynamodbEndpoint?: string;
  tableName?: string;
  shards?: number;
  targetPrefixes?: string[];
  /** Where target ARNs may point; by default the local account and region (000000000000, us-east-1). */
  targetEnvironments?: TargetEnvironment[];
  /**
   * Target functions: in-process handlers or modules on disk. Their outcomes come back through the outcome
   * queue, as those of targets registered with the construct's `addTarget` do in AWS.
   */
  functions?: (FunctionSpec | { name: string; handler: LocalHandler; timeoutMs?: number })[];
  /** False: the targets' outcomes are not reported (their runs stay `delivered`, as unregistered targets in AWS). */
  trackOutcomes?: boolean;
  /** Seconds between automatic ticks; 0 disables the local clock (tests tick by hand). */
  tickSeconds?: number;
  clock?: Clock;
  log?: Log;
  /** Tick settings (look-ahead, fan-out threshold…), for tests and the bench. */
  tick?: Partial<TickOptions>;
  /** Fire worker settings, for tests and the bench. */
  fire?: Partial<FireOptions>;
  /** Where the built console is (default: where `npm run build:console` writes it). */
  consoleAssetsDir?: string;
  /** Each local-clock tick's report and duration (npm start prints its figures); default: a log line. */
  onTickReport?: (report: TickReport, durationMs: number) => void;
  /** Each fire worker batch's report (npm start counts them into its tick line). */
  onFireReport?: (report: FireReport) => void;
}

export interface LocalCloud {
  apiUrl: string;
  /** The console, served by the same server as the API. */
  consoleUrl: string;
  lambdaUrl: string;
  dynamodbEndpoint: string;
  /** What the HTTP server serves (the API behind local mode's same-origin guard), callable in-process. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The DynamoDB Local this cloud started (none when given `dynamodbEndpoint`). */
  dynamodbLocal?: DynamoDbLocal;
  config: SundialConfig;
  runtime: Runtime;
  lambda: LocalLambdaEndpoint;
  scheduler: LocalSchedulerEndpoint;
  /** The local SQS endpoint holding the fire queue, and the event source feeding the fire worker. */
  queue: LocalQueueEndpoint;
  events: LocalEventSource;
  /** The event source feeding the outcome handler from the outcome queue. */
  outcomeEvents: LocalEventSource;
  /** What every fire worker invocation did, in order. */
  fired: FireReport[];
  /**
   * With a test's manual clock: runs nudges and fire batches until nothing more is visible now (with the
   * real clock the event source runs by itself).
   */
  settle(): Promise<void>;
  /** With a manual clock: moves it message by message up to `at`, delivering each as it becomes visible. */
  advanceTo(at: number): Promise<void>;
  /**
   * Invokes the tick function through the Lambda endpoint, as the local clock does; while the tick
   * schedule is DISABLED it fires nothing (EventBridge Scheduler would not invoke it).
   */
  tick(): Promise<TickReport>;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local, the Lambda endpoint, the HTTP API and the local clock. */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    let dynamodb: DynamoDbLocal | undefined;
    const tableName = options.tableName ?? 'sundial-local';
    if (!options.dynamodbEndpoint) {
      dynamodb = await startDynamoDbLocal({
        dataDir: options.dataDir,
        // A DynamoDB Local that dies is started again; an in-memory one then needs its table again.
        supervise: {
          onRestart: async () => {
            if (dynamodb) await ensureTable(dynamodb.client, tableName);
          },
          log: options.log,
        },
      });
      stops.push(dynamodb.stop);
    }
    const dynamodbEndpoint = options.dynamodbEndpoint ?? (dynamodb as DynamoDbLocal).endpoint;
    const dynamodbClient = dynamodb?.client ?? localDynamoDbClient(dynamodbEndpoint);
    const config: SundialConfig = {
      tableName,
      shards: options.shards ?? DEFAULTS.shards,
      targetPrefixes: options.targetPrefixes ?? [...DEFAULTS.targetPrefixes],
      runTtlDays: DEFAULTS.runTtlDays,
      scheduleName: LOCAL_TICK_SCHEDULE,
      scheduleGroup: DEFAULTS.scheduleGroup,
      // Fan-out invokes the tick function through the local Lambda endpoint, as in AWS.
      tickFunctionName: LOCAL_TICK_FUNCTION,
      targetEnvironments: options.targetEnvironments ?? [{ account: LOCAL_ACCOUNT, region: LOCAL_REGION }],
      jobFunctionName: LOCAL_JOB_FUNCTION,
      // Every local target reports its outcomes, within its timeout (no event waits in a Lambda queue here).
      trackedTargets: new Map(
        options.trackOutcomes === false
          ? []
          : (options.functions ?? []).map((fn) => [fn.name, fn.timeoutMs ?? DEFAULT_TIMEOUT_MS]),
      ),
    };
    const addedIndexes = await ensureTable(dynamodbClient, config.tableName);

    const clock = options.clock ?? systemClock;
    const queue = new LocalQueueEndpoint({ clock });
    await queue.start();
    stops.push(() => queue.stop());
    config.fireQueueUrl = queue.createQueue(LOCAL_FIRE_QUEUE, {
      visibilityTimeoutSeconds: 180,
      deadLetter: { name: LOCAL_FIRE_DEAD_LETTERS, maxReceiveCount: 5 },
    });
    queue.createQueue(LOCAL_OUTCOME_QUEUE, {
      visibilityTimeoutSeconds: 60,
      deadLetter: { name: LOCAL_OUTCOME_DEAD_LETTERS, maxReceiveCount: 5 },
    });
    const outcomeQueue = queue.queue(LOCAL_OUTCOME_QUEUE);
    config.runDeadLetterQueueUrl = queue.createQueue(LOCAL_RUN_DEAD_LETTERS);
    const sqsClient = new SQSClient({
      endpoint: queue.url,
      region: LOCAL_REGION,
      credentials: queue.credentials,
    });
    stops.push(async () => sqsClient.destroy());

    const lambda = new LocalLambdaEndpoint();
    const lambdaUrl = await lambda.listen(options.lambdaPort ?? 0).catch((error) => {
      throw listenError(error, 'Lambda endpoint', '--lambda-port');
    });
    stops.push(() => lambda.close());
    // Local mode is only an endpoint override: the same SDK clients, pointed at local endpoints.
    const lambdaClient = new LambdaClient({
      endpoint: lambdaUrl,
      region: LOCAL_REGION,
      credentials: lambda.credentials,
    });
    const scheduler = new LocalSchedulerEndpoint(
      config.scheduleName as string,
      config.scheduleGroup,
      LOCAL_TICK_FUNCTION,
    );
    const schedulerUrl = await scheduler.listen(0);
    stops.push(() => scheduler.close());
    const schedulerClient = new SchedulerClient({
      endpoint: schedulerUrl,
      region: LOCAL_REGION,
      credentials: scheduler.credentials,
    });
    stops.push(async () => schedulerClient.destroy());
    const runtime = createRuntime(config, {
      clock: options.clock,
      log: options.log,
      dynamodb: dynamodbClient,
      lambda: lambdaClient,
      scheduler: schedulerClient,
      sqs: sqsClient,
      tick: options.tick,
      fire: options.fire,
    });
    lambda.register(LOCAL_TICK_FUNCTION, (event) => runtime.tick(parseTickRequest(event)));
    // Lambda's asynchronous invocation destinations, locally: a tracked target's outcome goes to the outcome queue.
    const logFailure = lambda.onAsyncOutcome;
    lambda.onAsyncOutcome = (name, event, outcome) => {
      if (!config.trackedTargets?.has(name)) return logFailure(name, event, outcome);
      const record = invocationRecord(name, event, outcome, clock.now());
      outcomeQueue.send({ body: JSON.stringify(record), attributes: {} });
    };
    const outcomeEvents = new LocalEventSource({
      queue: outcomeQueue,
      clock,
      batchSize: 10,
      handler: async (event) => (await runtime.outcome(event as never)).response,
    });
    // Lambda's SQS event source mapping, in-process: batches of 10 from the fire queue to the fire worker.
    const fired: FireReport[] = [];
    const events = new LocalEventSource({
      queue: queue.queue(LOCAL_FIRE_QUEUE),
      clock,
      batchSize: 10,
      handler: async (event) => {
        try {
          const { response, report } = await runtime.fire(event as never);
          fired.push(report);
          options.onFireReport?.(report);
          return response;
        } catch (error) {
          // As Lambda would: the batch comes back after the queue's visibility timeout.
          options.log?.('error', 'fire worker failed', { error: String(error) });
          throw error;
        }
      },
    });
    if (!options.clock) {
      events.start();
      stops.push(() => events.stop());
      outcomeEvents.start();
      stops.push(() => outcomeEvents.stop());
    }
    lambda.register(LOCAL_JOB_FUNCTION, (event, context) => runtime.jobs.run(event, context));
    // A data folder from an earlier version just got its new index: fill it, as a deploy does.
    if (addedIndexes.length > 0) await runtime.jobs.startJob({ reindex: true });
    // User targets run isolated (worker threads), so one that blocks or hangs cannot stall the API.
    await Promise.all(
      (options.functions ?? []).map(async (fn) => {
        if ('handler' in fn) return lambda.register(fn.name, fn.handler, fn.timeoutMs);
        const isolated = new IsolatedFunction(fn);
        lambda.registerFunction(fn.name, isolated, fn.timeoutMs);
        await isolated.start();
      }),
    );

    // Any web page in the user's browser can reach 127.0.0.1: the API and the console answer only their own origin.
    const origins: string[] = [];
    const fetch = sameOriginOnly(
      withConsole(runtime.app.fetch, await loadConsoleAssets(options.consoleAssetsDir)),
      () => origins,
    );
    const server: ServerType = await new Promise((resolve, reject) => {
      const s = serve({ fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, () => resolve(s));
      s.once('error', (error) => reject(listenError(error, 'HTTP API', '--port')));
    });
    stops.push(() => new Promise((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const apiUrl = `http://127.0.0.1:${port}`;
    origins.push(apiUrl, `http://localhost:${port}`);

    // With a test's clock: fire batches, target invocations and outcomes, until none is left at this instant.
    const settle = async () => {
      if (!options.clock) return;
      do await lambda.drain();
      while ((await events.deliverVisible()) + (await outcomeEvents.deliverVisible()) > 0);
    };
    const advanceTo = async (at: number) => {
      await settle();
      for (;;) {
        const next = Math.min(
          ...[fireQueueOf(queue), outcomeQueue].map((q) => q.nextVisibleAt() ?? Number.POSITIVE_INFINITY),
        );
        if (!(next <= at) || next <= clock.now()) break;
        await clock.sleepUntil(next);
        await settle();
      }
      await clock.sleepUntil(at);
      await settle();
    };
    const tick = async (): Promise<TickReport> => {
      if (!scheduler.enabled) return emptyTickReport();
      const out = await lambdaClient.send(new InvokeCommand({ FunctionName: LOCAL_TICK_FUNCTION }));
      const body = JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || 'null');
      if (out.FunctionError) throw new Error(`tick failed: ${body?.errorMessage ?? out.FunctionError}`);
      await settle();
      return body as TickReport;
    };

    stops.push(async () => lambdaClient.destroy());
    if (options.tickSeconds) {
      // Stopped first (stops run last-in first-out), so a tick cut short by the shutdown stays quiet.
      const clock = startLocalClock(tick, options.tickSeconds, options.log, options.onTickReport);
      stops.push(async () => clock.stop());
    }
    const consoleUrl = `${apiUrl}${CONSOLE_PATH}`;
    return {
      apiUrl,
      consoleUrl,
      fetch,
      lambdaUrl,
      dynamodbEndpoint,
      dynamodbLocal: dynamodb,
      config,
      runtime,
      lambda,
      scheduler,
      queue,
      events,
      outcomeEvents,
      fired,
      settle,
      advanceTo,
      tick,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const fireQueueOf = (queue: LocalQueueEndpoint) => queue.queue(LOCAL_FIRE_QUEUE);

function listenError(error: unknown, what: string, flag: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'EADDRINUSE' ? `the ${what} port is already in use: choose another with ${flag}` : String(error);
  return new Error(message, { cause: error });
}

/**
 * Invokes the tick every `seconds`, aligned to the wall clock (every 60 s means at each minute's start,
 * like EventBridge's rate(1 minute)). A tick ends in milliseconds; should one be slow, two may overlap, as
 * in AWS (the second skips the shards the first holds); a third is not started while two still run.
 */
export function startLocalClock(
  tick: () => Promise<TickReport>,
  seconds: number,
  log?: Log,
  onReport?: LocalCloudOptions['onTickReport'],
) {
  const period = seconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running = 0;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(fire, period - (Date.now() % period));
  };
  const fire = async () => {
    schedule();
    if (running >= 2) return;
    running++;
    try {
      const started = Date.now();
      const report = await tick();
      if (onReport) onReport(report, Date.now() - started);
      else if (report.handedOff > 0 || report.errors > 0) log?.('info', 'tick', { ...report });
    } catch (error) {
      // A tick cut short by shutdown (its connection closed) is not an error worth reporting.
      if (!stopped) log?.('error', 'tick failed', { error: String(error) });
    } finally {
      running--;
    }
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
