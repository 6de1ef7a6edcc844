/**
 * `npx tsx bench/local-queue.ts`: what the local SQS stand-ins cost the Node process that hosts them (in
 * `npm start` and `npm run bench` that is the process that also runs the tick), per message: sending
 * through the real @aws-sdk/client-sqs in batches of 10 (client and endpoint, SigV4 both ways), and
 * delivering through the LocalEventSource to a handler that does nothing. Figures, not assertions.
 */
import { performance } from 'node:perf_hooks';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import pLimit from 'p-limit';
import { systemClock } from '../lib/clock';
import { LOCAL_REGION } from '../lib/local/dynamodb-local';
import { LocalEventSource } from '../lib/local/event-source';
import { LocalQueueEndpoint } from '../lib/local/queue-endpoint';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MESSAGES = 10_000;
const RUNS = 5;
const SEND_CONCURRENCY = 16;

interface Sample {
  sendCpuUs: number;
  sendPerSecond: number;
  deliverCpuUs: number;
  deliverPerSecond: number;
}

/** CPU (user + system) in µs per message and messages per second of wall time, while `work` runs. */
async function measure(work: () => Promise<void>): Promise<[number, number]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [(used.user + used.system) / MESSAGES, MESSAGES / (wall / 1000)];
}

async function run(index: number): Promise<Sample> {
  const endpoint = new LocalQueueEndpoint({ clock: systemClock });
  await endpoint.start();
  const QueueUrl = endpoint.createQueue(`bench${index}`, { visibilityTimeoutSeconds: 60 });
  const sqs = new SQSClient({
    endpoint: endpoint.url,
    region: LOCAL_REGION,
    credentials: endpoint.credentials,
  });
  const limit = pLimit(SEND_CONCURRENCY);
  const batches = Array.from({ length: MESSAGES / 10 }, (_, b) =>
    Array.from({ length: 10 }, (_, i) => ({
      Id: `m${i}`,
      MessageBody: JSON.stringify({ taskId: `t${b}-${i}` }),
    })),
  );
  const [sendCpuUs, sendPerSecond] = await measure(async () => {
    await Promise.all(
      batches.map((Entries) => limit(() => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries })))),
    );
  });
  let delivered = 0;
  let done = () => {};
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  const source = new LocalEventSource({
    queue: endpoint.queue(`bench${index}`),
    clock: systemClock,
    handler: async ({ Records }) => {
      delivered += Records.length;
      if (delivered === MESSAGES) done();
    },
  });
  const [deliverCpuUs, deliverPerSecond] = await measure(async () => {
    source.start();
    await all;
    await source.stop();
  });
  sqs.destroy();
  await endpoint.stop();
  return { sendCpuUs, sendPerSecond, deliverCpuUs, deliverPerSecond };
}

const summary = (values: number[], unit: string) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median.toFixed(0)} ${unit} (range ${sorted[0]?.toFixed(0)}–${sorted.at(-1)?.toFixed(0)})`;
};

const samples: Sample[] = [];
for (let i = 0; i < RUNS; i++) samples.push(await run(i));
console.log(`local SQS stand-ins, ${MESSAGES} messages per run, ${RUNS} runs:`);
console.log(
  `  SendMessageBatch (10 per call, ${SEND_CONCURRENCY} calls at once), client + endpoint CPU per message: ${summary(
    samples.map((s) => s.sendCpuUs),
    'µs',
  )}; ${summary(
    samples.map((s) => s.sendPerSecond),
    'messages/s',
  )}`,
);
console.log(
  `  LocalEventSource to a no-op handler (batches of 10, 32 in flight), CPU per message: ${summary(
    samples.map((s) => s.deliverCpuUs),
    'µs',
  )}; ${summary(
    samples.map((s) => s.deliverPerSecond),
    'messages/s',
  )}`,
);
