/**
 * The cloud of `npm run bench`, in a process of its own so that none of its CPU is counted as Sundial's:
 * DynamoDB Local (Java), the local Lambda, SQS and EventBridge Scheduler endpoints, the SQS event source
 * mappings that feed the fire worker, the per-minute schedule that starts the tick, and the target
 * function, which records what it receives. Sundial's own functions (tick, fire worker) run in the parent
 * process (bench/function-host.ts): this process invokes them over HTTP, as Lambda's runtime API hands an
 * invocation to a function. Driven by the parent over IPC (bench/cloud.ts).
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../lib/clock';
import { DEFAULTS } from '../lib/config';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { LocalEventSource } from '../lib/local/event-source';
import { LocalLambdaEndpoint } from '../lib/local/lambda-endpoint';
import { LocalQueueEndpoint } from '../lib/local/queue-endpoint';
import { LocalSchedulerEndpoint } from '../lib/local/scheduler-endpoint';
import type { DeliveryEvent } from '../lib/task/schemas';
import { BENCH_CREDENTIALS_ID, type CloudApi, type Receipt, SINK } from './cloud-protocol';

const SCHEDULE_NAME = 'sundial-tick';

interface Started {
  ddb: DynamoDbLocal;
  queue: LocalQueueEndpoint;
  lambda: LocalLambdaEndpoint;
  scheduler: LocalSchedulerEndpoint;
  hostUrl: string;
  sources: Map<string, LocalEventSource>;
  clocks: Map<string, NodeJS.Timeout>;
  receipts: Receipt[];
  tickFunctions: Map<string, string>;
}

let cloud: Started | undefined;

function started(): Started {
  if (!cloud) throw new Error('the bench cloud is not started');
  return cloud;
}

/** Invokes one of Sundial's functions in the parent, as Lambda's runtime would. */
async function invokeHosted(path: string, event: unknown): Promise<unknown> {
  const response = await fetch(`${started().hostUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The minute ticks of one deployment: `ticks` invocations at once at each minute, while the schedule is enabled. */
function startClock(name: string, ticks: number): void {
  const c = started();
  const fire = () => {
    c.clocks.set(name, setTimeout(fire, 60_000 - (Date.now() % 60_000)));
    if (!c.scheduler.enabled) return;
    for (let i = 0; i < ticks; i++)
      invokeHosted(`/tick/${name}`, { source: 'aws.scheduler' }).catch((error) =>
        console.error('bench cloud: tick failed', String(error)),
      );
  };
  c.clocks.set(name, setTimeout(fire, 60_000 - (Date.now() % 60_000)));
}

const api: CloudApi = {
  async init({ hostUrl }) {
    const ddb = await startDynamoDbLocal();
    const queue = new LocalQueueEndpoint({ clock: systemClock });
    await queue.start();
    const lambda = new LocalLambdaEndpoint();
    const lambdaUrl = await lambda.listen(0);
    const scheduler = new LocalSchedulerEndpoint(SCHEDULE_NAME, DEFAULTS.scheduleGroup, 'bench-main-tick');
    const schedulerUrl = await scheduler.listen(0);
    // One set of credentials for the three endpoints, so that the parent builds its clients exactly as
    // the Lambda functions do (from the environment) instead of each with its own.
    const credentials = {
      accessKeyId: BENCH_CREDENTIALS_ID,
      secretAccessKey: randomBytes(24).toString('hex'),
    };
    for (const endpoint of [queue, lambda, scheduler]) Object.assign(endpoint.credentials, credentials);
    const receipts: Receipt[] = [];
    lambda.register(SINK, (event) => {
      const e = event as DeliveryEvent;
      receipts.push({
        taskId: e.taskId,
        scheduledAt: Date.parse(e.scheduledAt),
        firedAt: Date.parse(e.firedAt),
        receivedAt: Date.now(),
        source: e.source,
        attempt: e.attempt,
        runId: e.runId,
      });
      return null;
    });
    cloud = {
      ddb,
      queue,
      lambda,
      scheduler,
      hostUrl,
      sources: new Map(),
      clocks: new Map(),
      receipts,
      tickFunctions: new Map(),
    };
    return {
      dynamodbEndpoint: ddb.endpoint,
      lambdaUrl,
      queueUrl: queue.url,
      schedulerUrl,
      credentials,
      scheduleName: SCHEDULE_NAME,
    };
  },

  async deploy({ name, tableName }) {
    const c = started();
    await ensureTable(c.ddb.client, tableName);
    const queueName = `bench-${name}-fire`;
    const queueUrl = c.queue.createQueue(queueName, {
      visibilityTimeoutSeconds: 180,
      deadLetter: { name: `${queueName}-dlq`, maxReceiveCount: 5 },
    });
    // Lambda's SQS event source mapping: batches of up to 10 messages to the fire worker.
    const source = new LocalEventSource({
      queue: c.queue.queue(queueName),
      clock: systemClock,
      batchSize: 10,
      handler: (event) => invokeHosted(`/fire/${name}`, event),
    });
    source.start();
    c.sources.set(name, source);
    const tickFunction = `bench-${name}-tick`;
    c.lambda.register(tickFunction, (event) => invokeHosted(`/tick/${name}`, event));
    c.tickFunctions.set(name, tickFunction);
    return { queueUrl, tickFunction };
  },

  async startClock({ name, ticks }) {
    startClock(name, ticks);
  },

  async stopClock({ name }) {
    clearTimeout(started().clocks.get(name));
    started().clocks.delete(name);
  },

  async tickNow({ name }) {
    return invokeHosted(`/tick/${name}`, { source: 'aws.scheduler' });
  },

  async receipts({ from }) {
    return started().receipts.slice(from);
  },

  async counters() {
    const c = started();
    return {
      queueCalls: Object.fromEntries(c.queue.calls),
      lambdaCalls: Object.fromEntries(c.lambda.calls),
      sources: Object.fromEntries([...c.sources].map(([name, s]) => [name, { ...s.counters }])),
      schedulerEnabled: c.scheduler.enabled,
    };
  },

  async stop() {
    const c = started();
    for (const timer of c.clocks.values()) clearTimeout(timer);
    await Promise.all([...c.sources.values()].map((s) => s.stop()));
    await c.lambda.close();
    await c.scheduler.close();
    await c.queue.stop();
    await c.ddb.stop();
  },
};

process.on('message', async (message: { id: number; method: keyof CloudApi; params: never }) => {
  try {
    const result = await (api[message.method] as (params: unknown) => Promise<unknown>)(message.params);
    process.send?.({ id: message.id, result });
  } catch (error) {
    process.send?.({
      id: message.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  if (message.method === 'stop') process.disconnect();
});
