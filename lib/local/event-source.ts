import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Clock } from '../clock';
import { LOCAL_SENDER_ID, type LocalQueue, type Receipt } from './queue';
import type { MessageAttributes } from './queue-message';

/**
 * A Lambda handler for SQS events with ReportBatchItemFailures on: it resolves with an SQSBatchResponse,
 * or with nothing when every record succeeded. The result is checked at run time, as Lambda checks it.
 */
export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined> | Promise<unknown>;

/** What became of one batch. */
export interface BatchOutcome {
  /** Message ids deleted from the queue. */
  succeeded: string[];
  /** Message ids left in the queue, visible again once their visibility timeout ends. */
  failed: string[];
  /** What the handler threw, or why its response failed the whole batch. */
  error?: unknown;
}

/** Running totals since the event source was made. */
export interface EventSourceCounters {
  /** Batches handed to the handler. */
  batches: number;
  /** Records handed to the handler. */
  records: number;
  /** Records whose ApproximateReceiveCount was above 1. */
  redeliveries: number;
  /** Records the handler failed (reported, or in a batch it threw on). */
  failedRecords: number;
  /** Messages this event source's receives moved to the dead-letter queue. */
  deadLettered: number;
}

export interface LocalEventSourceOptions {
  /** The queue to consume (`LocalQueueEndpoint.queue(name)`). */
  queue: LocalQueue;
  handler: SqsHandler;
  clock: Clock;
  /** Records per batch, 1–10 (the mapping's BatchSize; default 10). */
  batchSize?: number;
  /** Batches in flight at once (the mapping's maximum concurrency; default 32). */
  concurrency?: number;
  /** Called after each batch, once its messages are deleted or left for redelivery. */
  onBatch?: (records: SQSRecord[], outcome: BatchOutcome) => void;
}

const lambdaAttributes = (attributes: MessageAttributes): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
        ...(value.BinaryValue !== undefined && { binaryValue: value.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType,
      },
    ]),
  );

/** A received message as Lambda's SQS event source mapping hands it to a function. */
export function lambdaRecord({ message, receiptHandle }: Receipt, queue: LocalQueue): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: LOCAL_SENDER_ID,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
      ...(message.deadLetterSourceArn && { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
    },
    messageAttributes: lambdaAttributes(message.attributes),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfAttributes && { md5OfMessageAttributes: message.md5OfAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.arn.split(':')[3] ?? '',
  };
}

/**
 * The message ids a response reports as failed, by Lambda's rules: nothing, an empty object or a null or
 * empty `batchItemFailures` is full success; anything else that is not a list of identifiers of records
 * in the batch fails the whole batch (thrown here).
 */
function reportedFailures(response: unknown, records: SQSRecord[]): string[] {
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object') throw new Error('the response is not an SQSBatchResponse');
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) throw new Error('batchItemFailures is not a list');
  const ids = new Set(records.map((r) => r.messageId));
  return failures.map((failure: { itemIdentifier?: unknown } | null) => {
    const id = failure?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id))
      throw new Error(`batchItemFailures names ${JSON.stringify(id)}, which is not in the batch`);
    return id;
  });
}

/**
 * The local stand-in for Lambda's SQS event source mapping (ReportBatchItemFailures on): it receives
 * visible messages in batches of up to `batchSize`, with up to `concurrency` batches in flight, calls the
 * handler, deletes the records that succeeded, and leaves failed ones (every record of a batch whose
 * handler threw) in the queue: visible again after their visibility timeout with a receive count one
 * higher, and moved to the dead-letter queue by the queue's redrive policy.
 *
 * Two ways to run it. Real time: `start()` sets one timer for the moment the next message becomes
 * visible (re-set when a send or visibility change makes one visible sooner; no polling), and `stop()`
 * waits for batches in flight. Manual, for tests with a test clock: `deliverVisible()` and `advanceTo()`.
 *
 * @example
 * const source = new LocalEventSource({ queue: endpoint.queue('fire'), handler: fire, clock });
 * source.start();
 * // …
 * await source.stop();
 */
export class LocalEventSource {
  readonly counters: EventSourceCounters = {
    batches: 0,
    records: 0,
    redeliveries: 0,
    failedRecords: 0,
    deadLettered: 0,
  };
  private readonly queue: LocalQueue;
  private readonly handler: SqsHandler;
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly onBatch: LocalEventSourceOptions['onBatch'];
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;

  constructor(options: LocalEventSourceOptions) {
    this.queue = options.queue;
    this.handler = options.handler;
    this.clock = options.clock;
    this.batchSize = options.batchSize ?? 10;
    this.concurrency = options.concurrency ?? 32;
    this.onBatch = options.onBatch;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10)
      throw new Error('batchSize must be an integer from 1 to 10');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error('concurrency must be a positive integer');
  }

  /** Delivers in real time: now whatever is visible, later each message as it becomes visible. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.queue.subscribe(() => this.arm());
    this.arm();
  }

  /** Stops delivering and resolves once every batch in flight has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.disarm();
    await this.settle();
  }

  /**
   * Delivers everything visible at `clock.now()`, and whatever the handlers make visible at that same
   * instant (a ChangeMessageVisibility to 0, a send without delay); resolves with the number of records
   * delivered once every batch has finished.
   */
  async deliverVisible(): Promise<number> {
    const before = this.counters.records;
    for (;;) {
      this.pump();
      if (this.inFlight.size === 0) return this.counters.records - before;
      await Promise.race(this.inFlight);
    }
  }

  /**
   * For a test clock whose `sleepUntil` moves it (test/support's ManualClock): steps the clock to each
   * moment a message becomes visible, up to `at`, delivering at each, then to `at`. Answers the records
   * delivered.
   */
  async advanceTo(at: number): Promise<number> {
    let delivered = await this.deliverVisible();
    for (;;) {
      const next = this.queue.nextVisibleAt();
      if (next === undefined || next > at || next <= this.clock.now()) break;
      await this.clock.sleepUntil(next);
      delivered += await this.deliverVisible();
    }
    await this.clock.sleepUntil(at);
    return delivered;
  }

  /** Starts batches while messages are visible and fewer than `concurrency` are in flight. */
  private pump() {
    while (this.inFlight.size < this.concurrency) {
      const moved = this.queue.deadLettered;
      const receipts = this.queue.receive(this.batchSize);
      this.counters.deadLettered += this.queue.deadLettered - moved;
      if (receipts.length === 0) return;
      const batch: Promise<void> = this.deliver(receipts).finally(() => {
        this.inFlight.delete(batch);
        this.arm();
      });
      this.inFlight.add(batch);
    }
  }

  private async deliver(receipts: Receipt[]): Promise<void> {
    const records = receipts.map((receipt) => lambdaRecord(receipt, this.queue));
    this.count(records);
    // The handler runs after the receive that started it returns, as an invocation would.
    await null;
    let outcome: BatchOutcome;
    try {
      const failed = new Set(reportedFailures(await this.handler({ Records: records }), records));
      outcome = {
        succeeded: records.filter((r) => !failed.has(r.messageId)).map((r) => r.messageId),
        failed: [...failed],
      };
    } catch (error) {
      outcome = { succeeded: [], failed: records.map((r) => r.messageId), error };
    }
    const succeeded = new Set(outcome.succeeded);
    for (const record of records)
      if (succeeded.has(record.messageId)) this.queue.delete(record.receiptHandle);
    this.counters.failedRecords += outcome.failed.length;
    this.report(records, outcome);
  }

  private count(records: SQSRecord[]) {
    this.counters.batches++;
    this.counters.records += records.length;
    this.counters.redeliveries += records.filter((r) => r.attributes.ApproximateReceiveCount !== '1').length;
  }

  private report(records: SQSRecord[], outcome: BatchOutcome) {
    try {
      this.onBatch?.(records, outcome);
    } catch (error) {
      console.error('LocalEventSource onBatch hook failed:', error);
    }
  }

  /** In real time: delivers what is visible and sets the timer for the next message to become visible. */
  private arm() {
    if (!this.running) return;
    if (this.inFlight.size >= this.concurrency) return; // the next batch to finish arms again
    const next = this.queue.nextVisibleAt();
    if (next === undefined || next >= this.timerAt) return;
    this.disarm();
    this.timerAt = next;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.pump();
        this.arm();
      },
      Math.max(0, next - this.clock.now()),
    );
  }

  private disarm() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private async settle() {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
