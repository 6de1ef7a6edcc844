import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '../../lib/clock';
import { type FireDeps, type FireReport, handleFire } from '../../lib/dispatch/fire';
import type { OutgoingMessage } from '../../lib/dispatch/fire-message';
import type { FireQueue } from '../../lib/dispatch/fire-queue';
import type { Invoker } from '../../lib/dispatch/invoker';
import { runTick, type TickDeps, type TickOptions, type TickRequest } from '../../lib/dispatch/tick';
import { taskKey } from '../../lib/store/schema';
import { buildTask } from '../../lib/task/model';
import type { DeliveryEvent, Task } from '../../lib/task/schemas';
import { TaskInput } from '../../lib/task/schemas';
import { parseOrThrow } from '../../lib/task/validate';
import { ManualClock } from './clock';
import type { createTestTable } from './dynamodb';

export type TestTable = Awaited<ReturnType<typeof createTestTable>>;

/** A stored task built through the real contract and model, as the API would create it. */
export function makeTask(id: string, now: number, over: Record<string, unknown> = {}): Task {
  const input = parseOrThrow(TaskInput, {
    id,
    target: { function: 'sundial-target' },
    schedule: { every: { minutes: 1 } },
    payload: { id },
    ...over,
  });
  return buildTask({ ...input, id }, now);
}

/** Records every event; can be told to fail. */
export class RecordingInvoker implements Invoker {
  readonly events: DeliveryEvent[] = [];
  failWith?: (event: DeliveryEvent) => Error | undefined;
  async invoke(_target: Task['target'], event: DeliveryEvent) {
    const error = this.failWith?.(event);
    if (error) throw error;
    this.events.push(event);
  }
}

/** A ManualClock that lets a test act while the tick waits for an occurrence's second. */
export class HookedClock extends ManualClock {
  onSleep?: (at: number) => Promise<void> | void;
  override async sleepUntil(at: number): Promise<void> {
    await this.onSleep?.(at);
    await super.sleepUntil(at);
  }
}

/** A message in the in-memory fire queue. */
interface Queued {
  id: string;
  body: string;
  visibleAt: number;
  receives: number;
}

/**
 * The fire queue in memory, for integration tests of the dispatcher on DynamoDB Local: per-message delay,
 * redelivery of failed batch items. The end-to-end tests run the real SQS client against the local SQS
 * endpoint instead.
 */
export class MemoryQueue implements FireQueue {
  readonly messages: Queued[] = [];
  /** Bodies ever sent, in order. */
  readonly sent: string[] = [];
  private seq = 0;
  /** Makes a send fail (the whole call) when it returns true. */
  failSend?: (bodies: string[]) => boolean;

  constructor(private readonly clock: Clock) {}

  async send(messages: OutgoingMessage[]): Promise<Set<number>> {
    if (this.failSend?.(messages.map((m) => m.body))) return new Set(messages.map((_, i) => i));
    for (const m of messages) {
      this.sent.push(m.body);
      const visibleAt = this.clock.now() + m.delaySeconds * 1000;
      this.messages.push({ id: `m${++this.seq}`, body: m.body, visibleAt, receives: 0 });
    }
    return new Set();
  }

  /** Takes up to `max` messages visible now, as an SQS event (they stay out until given back). */
  receive(max = 10): { event: SQSEvent; taken: Queued[] } | undefined {
    const now = this.clock.now();
    const taken = this.messages
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.visibleAt - b.visibleAt)
      .slice(0, max);
    if (!taken.length) return undefined;
    for (const m of taken) {
      m.receives++;
      m.visibleAt = Number.POSITIVE_INFINITY;
    }
    const Records = taken.map(
      (m) =>
        ({
          messageId: m.id,
          body: m.body,
          attributes: { ApproximateReceiveCount: String(m.receives) },
        }) as unknown as SQSRecord,
    );
    return { event: { Records }, taken };
  }

  /** Settles a received batch: failed items come back after `visibilityMs`, the others are deleted. */
  settle(taken: Queued[], failed: Set<string>, visibilityMs = 180_000): void {
    for (const m of taken) {
      if (failed.has(m.id)) m.visibleAt = this.clock.now() + visibilityMs;
      else this.messages.splice(this.messages.indexOf(m), 1);
    }
  }

  /** When the next message becomes visible (Infinity: none waits). */
  nextVisibleAt(): number {
    return Math.min(...this.messages.map((m) => m.visibleAt));
  }
}

/** Ticks and fire worker over one table and one in-memory queue, on a manual clock. */
export class TestDispatcher {
  readonly queue: MemoryQueue;
  readonly fires: FireReport[] = [];

  constructor(
    readonly table: TestTable,
    readonly clock: ManualClock,
    readonly invoker: Invoker,
    readonly extra: {
      tick?: Partial<TickDeps>;
      fire?: Partial<FireDeps>;
      tickOptions?: Partial<TickOptions>;
    } = {},
  ) {
    this.queue = new MemoryQueue(clock);
  }

  tick(request: TickRequest = {}) {
    return runTick(
      { store: this.table.dispatch, queue: this.queue, clock: this.clock, ...this.extra.tick },
      this.extra.tickOptions,
      request,
    );
  }

  /** Runs the fire worker on every message visible now, batch by batch, until none is. */
  async deliverVisible(): Promise<number> {
    let batches = 0;
    for (let got = this.queue.receive(); got; got = this.queue.receive()) {
      batches++;
      try {
        const { response, report } = await handleFire(this.fireDeps(), got.event);
        this.fires.push(report);
        this.queue.settle(got.taken, new Set(response.batchItemFailures.map((f) => f.itemIdentifier)));
      } catch {
        // The worker died: Lambda's event source leaves the whole batch to come back after its visibility.
        this.queue.settle(got.taken, new Set(got.taken.map((m) => m.id)));
      }
    }
    return batches;
  }

  /** Moves the clock from message to message up to `at`, delivering each as it becomes visible. */
  async runUntil(at: number): Promise<void> {
    await this.deliverVisible();
    for (let next = this.queue.nextVisibleAt(); next <= at; next = this.queue.nextVisibleAt()) {
      if (next > this.clock.now()) this.clock.set(next);
      await this.deliverVisible();
    }
    if (at > this.clock.now()) this.clock.set(at);
  }

  /** Ticks every minute (on the minute) from now until `at`, delivering in between. */
  async runTicksUntil(at: number, period = 60_000): Promise<void> {
    for (let t = Math.ceil(this.clock.now() / period) * period; t <= at; t += period) {
      await this.runUntil(t);
      await this.tick();
    }
    await this.runUntil(at);
  }

  fireDeps(): FireDeps {
    return {
      store: this.table.dispatch,
      invoker: this.invoker,
      queue: this.queue,
      clock: this.clock,
      random: () => 0.5,
      ...this.extra.fire,
    };
  }
}

/**
 * What the task API does on pause or PATCH (issue 5 owns it): a user write bumps the version, and
 * pause takes the item out of the due index. Written here to race the tick the way the API will.
 */
export async function userWrite(
  table: TestTable,
  taskId: string,
  update: string,
  values: Record<string, unknown>,
) {
  const doc = DynamoDBDocumentClient.from(table.client);
  await doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: taskKey(taskId),
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: `${update} ADD version :one`,
      ExpressionAttributeNames: update.includes('#state') ? { '#state': 'state' } : undefined,
      ExpressionAttributeValues: { ...values, ':one': 1 },
    }),
  );
}
