import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryEvent } from '../task/schemas';
import type { Outcome } from './destination-record';

/** What goes to the run dead-letter queue after a run's last attempt: its event and how it ended. */
export interface DeadLetter {
  event: DeliveryEvent;
  outcome: Outcome;
}

/** Where final failures go (the construct's RunDeadLetters queue; locally, a local queue). */
export interface RunDeadLetters {
  send(letter: DeadLetter): Promise<void>;
}

export class SqsRunDeadLetters implements RunDeadLetters {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: deadLetterBody(letter) }),
    );
  }
}

/** SQS's largest message, less room for the envelope. */
const MAX_BODY = 250 * 1024;

/** The message: the event (without its payload when the whole would not fit in SQS) and the outcome. */
export function deadLetterBody({ event, outcome }: DeadLetter): string {
  const ending = {
    status: outcome.status,
    finishedAt: new Date(outcome.finishedAt).toISOString(),
    errorType: outcome.errorType,
    errorMessage: outcome.errorMessage,
  };
  const body = JSON.stringify({ event, ...ending });
  if (Buffer.byteLength(body) <= MAX_BODY) return body;
  const { payload: _payload, ...rest } = event;
  return JSON.stringify({ event: { ...rest, payloadOmitted: true }, ...ending });
}
