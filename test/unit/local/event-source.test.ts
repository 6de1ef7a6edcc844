import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../lib/clock';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local';
import { type BatchOutcome, LocalEventSource, type SqsHandler } from '../../../lib/local/event-source';
import { type CreateQueueOptions, LocalQueueEndpoint } from '../../../lib/local/queue-endpoint';
import { ManualClock } from '../../support/clock';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const clock = new ManualClock(T0);
const endpoint = new LocalQueueEndpoint({ clock });
let sqs: SQSClient;
let queues = 0;

beforeAll(async () => {
  await endpoint.start();
  sqs = new SQSClient({ endpoint: endpoint.url, region: LOCAL_REGION, credentials: endpoint.credentials });
});
afterAll(async () => {
  sqs.destroy();
  await endpoint.stop();
});

/** A queue of its own per test; answers its URL and the queue itself. */
function fresh(options: CreateQueueOptions = {}) {
  const name = `es${++queues}`;
  const url = endpoint.createQueue(name, { visibilityTimeoutSeconds: 30, ...options });
  return { url, queue: endpoint.queue(name) };
}

/** A promise and the function that resolves it: a latch to hold a handler until the test lets it go. */
function latch() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const sendBodies = async (QueueUrl: string, bodies: string[], DelaySeconds?: number) => {
  for (let i = 0; i < bodies.length; i += 10)
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: bodies
          .slice(i, i + 10)
          .map((body, j) => ({ Id: `m${i + j}`, MessageBody: body, DelaySeconds })),
      }),
    );
};

describe('LocalEventSource', () => {
  it('hands the handler batches shaped as Lambda shapes SQS records, and deletes what succeeded', async () => {
    const { url, queue } = fresh();
    const sentAt = clock.now();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"taskId":"t1"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'fire' } },
      }),
    );
    await sendBodies(
      url,
      Array.from({ length: 11 }, (_, i) => `b${i}`),
    );
    const events: SQSEvent[] = [];
    const source = new LocalEventSource({
      queue,
      clock,
      handler: async (event) => {
        events.push(event);
      },
    });
    clock.advance(5);
    expect(await source.deliverVisible()).toBe(12);
    expect(events.map((e) => e.Records.length)).toEqual([10, 2]);
    const first = events[0]?.Records[0] as SQSRecord;
    expect(first).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.any(String),
      body: '{"taskId":"t1"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(sentAt),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: String(sentAt + 5),
      },
      messageAttributes: {
        kind: { stringValue: 'fire', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfBody: createHash('md5').update('{"taskId":"t1"}').digest('hex'),
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${LOCAL_REGION}:000000000000:${queue.name}`,
      awsRegion: LOCAL_REGION,
    });
    expect(events[0]?.Records[1]).not.toHaveProperty('md5OfMessageAttributes');
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
    expect(source.counters).toEqual({
      batches: 2,
      records: 12,
      redeliveries: 0,
      failedRecords: 0,
      deadLettered: 0,
    });
  });

  it('redelivers only the reported failures, after the visibility timeout, with receive count 2', async () => {
    const { url, queue } = fresh({ visibilityTimeoutSeconds: 30 });
    await sendBodies(url, ['ok-1', 'retry', 'ok-2']);
    const seen: string[][] = [];
    const outcomes: BatchOutcome[] = [];
    const handler: SqsHandler = async ({ Records }) => {
      seen.push(Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      const retry = Records.filter((r) => r.body === 'retry' && r.attributes.ApproximateReceiveCount === '1');
      return { batchItemFailures: retry.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const source = new LocalEventSource({
      queue,
      clock,
      handler,
      onBatch: (_, outcome) => outcomes.push(outcome),
    });
    await source.deliverVisible();
    expect(outcomes[0]?.succeeded).toHaveLength(2);
    expect(outcomes[0]?.failed).toHaveLength(1);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 1, delayed: 0 });
    clock.advance(29_999);
    expect(await source.deliverVisible()).toBe(0);
    clock.advance(1);
    expect(await source.deliverVisible()).toBe(1);
    expect(seen).toEqual([['ok-1#1', 'retry#1', 'ok-2#1'], ['retry#2']]);
    expect(source.counters).toMatchObject({ batches: 2, redeliveries: 1, failedRecords: 1 });
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('fails the whole batch when the handler throws or names a record not in the batch', async () => {
    const { url, queue } = fresh({ visibilityTimeoutSeconds: 10 });
    await sendBodies(url, ['a', 'b']);
    const responses: (() => Promise<SQSBatchResponse>)[] = [
      async () => {
        throw new Error('boom');
      },
      async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }),
      async () => ({ batchItemFailures: [] }),
    ];
    const outcomes: BatchOutcome[] = [];
    const source = new LocalEventSource({
      queue,
      clock,
      handler: () => (responses.shift() as () => Promise<SQSBatchResponse>)(),
      onBatch: (_, outcome) => outcomes.push(outcome),
    });
    const delivered = await source.advanceTo(clock.now() + 20_000);
    expect(delivered).toBe(6);
    expect(outcomes.map((o) => [o.succeeded.length, o.failed.length, String(o.error ?? '')])).toEqual([
      [0, 2, 'Error: boom'],
      [0, 2, expect.stringContaining('not-in-batch')],
      [2, 0, ''],
    ]);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });

  it('delivers each delayed message at its second when stepped by advanceTo', async () => {
    const { url, queue } = fresh();
    const start = clock.now();
    for (const delay of [10, 1, 5])
      await sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: String(delay), DelaySeconds: delay }),
      );
    const at: Record<string, number> = {};
    const source = new LocalEventSource({
      queue,
      clock,
      handler: async ({ Records }) => {
        for (const r of Records) at[r.body] = clock.now() - start;
      },
    });
    expect(await source.advanceTo(start + 60_000)).toBe(3);
    expect(at).toEqual({ '1': 1_000, '5': 5_000, '10': 10_000 });
    expect(clock.now()).toBe(start + 60_000);
  });

  it('delivers at once what a handler makes visible at the same instant (ChangeMessageVisibility 0)', async () => {
    const { url, queue } = fresh({ visibilityTimeoutSeconds: 300 });
    await sendBodies(url, ['again']);
    const counts: string[] = [];
    const source = new LocalEventSource({
      queue,
      clock,
      handler: async ({ Records }) => {
        const [record] = Records as [SQSRecord];
        counts.push(record.attributes.ApproximateReceiveCount);
        if (record.attributes.ApproximateReceiveCount !== '1') return;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: 0,
          }),
        );
        return { batchItemFailures: [{ itemIdentifier: record.messageId }] };
      },
    });
    expect(await source.deliverVisible()).toBe(2);
    expect(counts).toEqual(['1', '2']);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives', async () => {
    const { url, queue } = fresh({
      visibilityTimeoutSeconds: 10,
      deadLetter: { name: `es-dlq${queues + 1}`, maxReceiveCount: 3 },
    });
    await sendBodies(url, ['poison']);
    const source = new LocalEventSource({
      queue,
      clock,
      handler: async () => {
        throw new Error('always');
      },
    });
    expect(await source.advanceTo(clock.now() + 60_000)).toBe(3);
    expect(source.counters).toMatchObject({ batches: 3, redeliveries: 2, failedRecords: 3, deadLettered: 1 });
    const dlq = endpoint.queue(`es-dlq${queues}`);
    const [dead] = dlq.receive(10);
    expect(dead?.message.body).toBe('poison');
    expect(dead?.message.deadLetterSourceArn).toBe(queue.arn);
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    const { url, queue } = fresh();
    await sendBodies(
      url,
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
    const gate = latch();
    let running = 0;
    let most = 0;
    let started = 0;
    const threeStarted = latch();
    const source = new LocalEventSource({
      queue,
      clock,
      concurrency: 3,
      handler: async () => {
        running++;
        started++;
        most = Math.max(most, running);
        if (started === 3) threeStarted.open();
        await gate.opened;
        running--;
      },
    });
    const done = source.deliverVisible();
    await threeStarted.opened;
    expect(running).toBe(3);
    expect(queue.counts()).toMatchObject({ visible: 70, notVisible: 30 });
    gate.open();
    expect(await done).toBe(100);
    expect(most).toBe(3);
    expect(source.counters.batches).toBe(10);
  });

  it('stop() waits for the batches in flight', async () => {
    const { url, queue } = fresh();
    const gate = latch();
    const entered = latch();
    let finished = false;
    const source = new LocalEventSource({
      queue,
      clock,
      handler: async () => {
        entered.open();
        await gate.opened;
        finished = true;
      },
    });
    source.start();
    await sendBodies(url, ['slow']);
    await entered.opened;
    let stopped = false;
    const stopping = source.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    gate.open();
    await stopping;
    expect(finished).toBe(true);
    expect(queue.counts()).toEqual({ visible: 0, notVisible: 0, delayed: 0 });
  });
});

describe('LocalEventSource in real time', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleeps on one timer until the next message becomes visible, re-armed by a sooner send', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
    const local = new LocalQueueEndpoint({ clock: systemClock });
    await local.start();
    local.createQueue('rt', { visibilityTimeoutSeconds: 30 });
    const queue = local.queue('rt');
    const delivered: { body: string; at: number }[] = [];
    const source = new LocalEventSource({
      queue,
      clock: systemClock,
      handler: async ({ Records }) => {
        for (const r of Records) delivered.push({ body: r.body, at: Date.now() - T0 });
      },
    });
    queue.send({ body: 'in 60 s', attributes: {}, delaySeconds: 60 });
    source.start();
    expect(vi.getTimerCount()).toBe(1);
    queue.send({ body: 'in 5 s', attributes: {}, delaySeconds: 5 });
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toEqual([{ body: 'in 5 s', at: 5_000 }]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(55_000);
    expect(delivered.map((d) => d.at)).toEqual([5_000, 60_000]);
    await source.stop();
    expect(vi.getTimerCount()).toBe(0);
    await local.stop();
  });
});
