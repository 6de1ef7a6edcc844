import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { invalidValue, messageNotInflight, receiptHandleIsInvalid, staleReceiptHandle } from './queue-errors';
import { MinHeap } from './queue-heap';
import {
  type MessageAttributes,
  type MessageInput,
  md5Hex,
  md5OfAttributes,
  validateMessage,
} from './queue-message';

/** SQS's limits, in seconds. */
export const MAX_DELAY_SECONDS = 900;
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 12 * 60 * 60;
/** The SenderId of every local message: a placeholder IAM user id, as no real principal sends locally. */
export const LOCAL_SENDER_ID = 'AIDASUNDIALLOCAL00000';

/** The attributes of a standard queue this stand-in honours (SQS's defaults unless said). */
export interface QueueSettings {
  /** How long a received message stays invisible (SQS default 30). */
  visibilityTimeoutSeconds: number;
  /** The delay of a message sent without DelaySeconds (SQS default 0). */
  delaySeconds: number;
  /** The largest body plus attributes, in bytes, and the largest batch (262,144 here: SQS's classic limit). */
  maximumMessageSize: number;
  /** How long a message may stay in the queue (SQS default 4 days). */
  messageRetentionSeconds: number;
  /** Where a message goes once received `maxReceiveCount` times without being deleted. */
  redrive?: { target: LocalQueue; maxReceiveCount: number };
}

/** A message as a receive sees it (a snapshot: later receives do not change it). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes: MessageAttributes;
  readonly md5OfAttributes: string | undefined;
  /** Epoch ms when the message was first sent (kept when it moves to a dead-letter queue). */
  readonly sentAt: number;
  readonly firstReceivedAt: number | undefined;
  readonly receiveCount: number;
  /** The queue the message was moved from, for a message in a dead-letter queue. */
  readonly deadLetterSourceArn: string | undefined;
}

/** One received message and the handle that deletes it or changes its visibility, until the next receive. */
export interface Receipt {
  message: QueueMessage;
  receiptHandle: string;
}

interface Stored extends QueueMessage {
  firstReceivedAt: number | undefined;
  receiveCount: number;
  deadLetterSourceArn: string | undefined;
  visibleAt: number;
  /** Bumped whenever visibleAt changes, so older heap entries for the message are skipped. */
  version: number;
  /** The current receipt handle; older ones no longer act on the message. */
  handle: string | undefined;
  receivedAt: number;
}

interface Entry {
  at: number;
  seq: number;
  id: string;
  version: number;
}

const HANDLE_PREFIX = 'sundial-local';

/**
 * One standard SQS queue in memory, with time read from `clock` whenever it matters: a message is delayed
 * until `sentAt + delay`, invisible for the visibility timeout after each receive, visible again after it,
 * and moved to the dead-letter queue when a receive finds it already received `maxReceiveCount` times.
 * Receipt handles change on every receive. Order is by the time a message became visible, then send order.
 */
export class LocalQueue {
  readonly arn: string;
  /** Messages this queue moved to its dead-letter queue. */
  deadLettered = 0;
  private readonly messages = new Map<string, Stored>();
  private readonly heap = new MinHeap<Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly createdAt: number;
  private seq = 0;

  constructor(
    readonly name: string,
    readonly url: string,
    account: string,
    region: string,
    readonly settings: QueueSettings,
    private readonly clock: Clock,
  ) {
    this.arn = `arn:aws:sqs:${region}:${account}:${name}`;
    this.createdAt = clock.now();
  }

  /** Calls `listener` whenever a message may have become visible sooner (a send, a visibility change). */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores a message after SQS's checks (body, attributes, size, DelaySeconds); throws a QueueError. */
  send(input: MessageInput): QueueMessage {
    validateMessage(input, this.settings.maximumMessageSize);
    const delay = input.delaySeconds ?? this.settings.delaySeconds;
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_SECONDS)
      throw invalidValue('DelaySeconds', delay, `DelaySeconds must be >= 0 and <= ${MAX_DELAY_SECONDS}.`);
    const now = this.clock.now();
    const message: Stored = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      attributes: input.attributes,
      md5OfAttributes: md5OfAttributes(input.attributes),
      sentAt: now,
      firstReceivedAt: undefined,
      receiveCount: 0,
      deadLetterSourceArn: undefined,
      visibleAt: now + delay * 1000,
      version: 0,
      handle: undefined,
      receivedAt: 0,
    };
    this.store(message);
    return snapshot(message);
  }

  /**
   * Up to `max` messages visible now, each made invisible for `visibilityTimeoutSeconds`; messages past
   * their redrive limit move to the dead-letter queue instead (counted in `deadLettered`).
   */
  receive(max: number, visibilityTimeoutSeconds = this.settings.visibilityTimeoutSeconds): Receipt[] {
    const now = this.clock.now();
    const received: Stored[] = [];
    while (received.length < max) {
      const message = this.popVisible(now);
      if (!message) break;
      if (now >= message.sentAt + this.settings.messageRetentionSeconds * 1000) {
        this.messages.delete(message.messageId);
        continue;
      }
      const redrive = this.settings.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.moveTo(redrive.target, message);
        continue;
      }
      received.push(message);
    }
    // Pushed back only now: a visibility timeout of 0 must not hand the same message out twice in one receive.
    return received.map((message) => {
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.receivedAt = now;
      message.handle = this.newHandle(message);
      this.schedule(message, now + visibilityTimeoutSeconds * 1000);
      return { message: snapshot(message), receiptHandle: message.handle };
    });
  }

  /**
   * Deletes the message the handle was issued for. As SQS documents, a handle from an earlier receive
   * succeeds without deleting, and deleting a deleted message succeeds; a handle this queue never issued
   * is ReceiptHandleIsInvalid.
   */
  delete(receiptHandle: string): void {
    const message = this.messages.get(this.messageIdOf(receiptHandle));
    if (message?.handle === receiptHandle) this.messages.delete(message.messageId);
  }

  /**
   * Makes an in-flight message visible `seconds` from now (0: at once), within 12 hours of its receive.
   * A handle whose receive is over (deleted, received again) is refused as SQS refuses it.
   */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.messages.get(this.messageIdOf(receiptHandle));
    if (message?.handle !== receiptHandle) throw staleReceiptHandle(receiptHandle);
    const now = this.clock.now();
    if (message.visibleAt <= now) throw messageNotInflight();
    const total = (now - message.receivedAt) / 1000 + seconds;
    if (total > MAX_VISIBILITY_TIMEOUT_SECONDS)
      throw invalidValue(
        'VisibilityTimeout',
        seconds,
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_TIMEOUT_SECONDS} seconds].`,
      );
    this.schedule(message, now + seconds * 1000);
    this.notify();
  }

  /** The approximate counts SQS reports, exact here: visible, in flight, and delayed (never yet visible). */
  counts(): { visible: number; notVisible: number; delayed: number } {
    const now = this.clock.now();
    const counts = { visible: 0, notVisible: 0, delayed: 0 };
    for (const message of this.messages.values()) {
      if (now >= message.sentAt + this.settings.messageRetentionSeconds * 1000) continue;
      if (message.visibleAt <= now) counts.visible++;
      else if (message.receiveCount === 0 && !message.deadLetterSourceArn) counts.delayed++;
      else counts.notVisible++;
    }
    return counts;
  }

  /** Epoch ms at which the next message becomes visible (maybe already past), or undefined when none will. */
  nextVisibleAt(): number | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (!top || this.isCurrent(top)) return top?.at;
      this.heap.pop();
    }
  }

  /** The queue's attributes as GetQueueAttributes answers them (strings, timestamps in epoch seconds). */
  attributes(): Record<string, string> {
    const { visible, notVisible, delayed } = this.counts();
    const redrive = this.settings.redrive;
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(notVisible),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(this.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(this.createdAt / 1000)),
      DelaySeconds: String(this.settings.delaySeconds),
      MaximumMessageSize: String(this.settings.maximumMessageSize),
      MessageRetentionPeriod: String(this.settings.messageRetentionSeconds),
      QueueArn: this.arn,
      ReceiveMessageWaitTimeSeconds: '0',
      VisibilityTimeout: String(this.settings.visibilityTimeoutSeconds),
      SqsManagedSseEnabled: 'false',
      ...(redrive && {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: redrive.target.arn,
          maxReceiveCount: redrive.maxReceiveCount,
        }),
      }),
    };
  }

  /** Takes in a message another queue dead-lettered: same id, body and sent time; receive count carries on. */
  private accept(message: Stored, sourceArn: string) {
    this.store({ ...message, deadLetterSourceArn: sourceArn, handle: undefined });
  }

  private moveTo(target: LocalQueue, message: Stored) {
    this.messages.delete(message.messageId);
    this.deadLettered++;
    target.accept({ ...message, visibleAt: this.clock.now() }, this.arn);
  }

  private store(message: Stored) {
    this.messages.set(message.messageId, message);
    this.heap.push({
      at: message.visibleAt,
      seq: this.seq++,
      id: message.messageId,
      version: message.version,
    });
    this.notify();
  }

  private schedule(message: Stored, visibleAt: number) {
    message.visibleAt = visibleAt;
    message.version++;
    this.heap.push({ at: visibleAt, seq: this.seq++, id: message.messageId, version: message.version });
  }

  private popVisible(now: number): Stored | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.at > now) return undefined;
      this.heap.pop();
      if (this.isCurrent(top)) return this.messages.get(top.id);
    }
  }

  private isCurrent(entry: Entry) {
    return this.messages.get(entry.id)?.version === entry.version;
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  private newHandle(message: Stored) {
    const text = `${HANDLE_PREFIX} ${this.name} ${message.messageId} ${message.receiveCount} ${randomBytes(12).toString('hex')}`;
    return Buffer.from(text, 'utf8').toString('base64url');
  }

  /** The message id inside a handle this queue issued; ReceiptHandleIsInvalid for any other string. */
  private messageIdOf(receiptHandle: string): string {
    const [prefix, queue, id] = Buffer.from(receiptHandle, 'base64url').toString('utf8').split(' ');
    if (prefix !== HANDLE_PREFIX || queue !== this.name || !id) throw receiptHandleIsInvalid(receiptHandle);
    return id;
  }
}

const snapshot = (message: Stored): QueueMessage => ({
  messageId: message.messageId,
  body: message.body,
  md5OfBody: message.md5OfBody,
  attributes: message.attributes,
  md5OfAttributes: message.md5OfAttributes,
  sentAt: message.sentAt,
  firstReceivedAt: message.firstReceivedAt,
  receiveCount: message.receiveCount,
  deadLetterSourceArn: message.deadLetterSourceArn,
});
