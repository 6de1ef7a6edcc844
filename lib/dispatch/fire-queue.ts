import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutgoingMessage } from './fire-message';

/** Where the dispatcher puts fire messages; the fire worker consumes them. */
export interface FireQueue {
  /** Sends every message; resolves with the indexes of those that could not be sent. */
  send(messages: OutgoingMessage[]): Promise<Set<number>>;
}

/** SQS's limits on one SendMessageBatch: 10 entries, 256 KiB in all. */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 256 * 1024;

/** The fire queue on SQS: SendMessageBatch calls of up to 10 messages, a few in flight at once. */
export class SqsFireQueue implements FireQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: OutgoingMessage[]): Promise<Set<number>> {
    const failed = new Set<number>();
    await Promise.all(
      batches(messages).map(async (batch) => {
        try {
          const out = await this.client.send(
            new SendMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: batch.map((i) => ({
                Id: String(i),
                MessageBody: messages[i]?.body,
                DelaySeconds: messages[i]?.delaySeconds,
              })),
            }),
          );
          for (const f of out.Failed ?? []) failed.add(Number(f.Id));
        } catch {
          // The SDK retried throttling and 5xx already; these tasks are handed off by the next tick.
          for (const i of batch) failed.add(i);
        }
      }),
    );
    return failed;
  }
}

/** Indexes of `messages` in SendMessageBatch-sized groups. */
function batches(messages: OutgoingMessage[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  messages.forEach((m, i) => {
    const size = Buffer.byteLength(m.body);
    if (current.length === BATCH_ENTRIES || (current.length > 0 && bytes + size > BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length) out.push(current);
  return out;
}
