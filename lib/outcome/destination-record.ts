import { z } from 'zod';
import { DeliveryEvent, MAX_ERROR_MESSAGE, MAX_RESPONSE_EXCERPT } from '../task/schemas';

/** How an attempt ended, as the outcome handler, the fire worker and the sweeper report it. */
export interface Outcome {
  status: 'succeeded' | 'failed' | 'timed_out';
  /** Epoch ms. */
  finishedAt: number;
  errorType?: string;
  errorMessage?: string;
  /** The function's response, as JSON text, bounded. */
  response?: string;
}

/**
 * The invocation record Lambda sends to an asynchronous invocation's destinations (on success and on
 * failure alike); only what Sundial reads of it.
 */
const InvocationRecord = z.object({
  timestamp: z.string(),
  requestContext: z.object({ condition: z.string() }),
  requestPayload: z.unknown(),
  responseContext: z.object({ functionError: z.string().optional() }).optional(),
  responsePayload: z.unknown().optional(),
});

/** What Lambda reports as the error of a function that ran out of time. */
const TIMED_OUT = /Task timed out after/;

/**
 * Reads an outcome-queue message: the Sundial delivery it reports and how the attempt ended; undefined for
 * anything else (another sender's invocations of the same function, a body this version cannot read).
 */
export function readInvocationRecord(body: string): { event: DeliveryEvent; outcome: Outcome } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const record = InvocationRecord.safeParse(json);
  if (!record.success) return undefined;
  const event = DeliveryEvent.safeParse(record.data.requestPayload);
  const finishedAt = Date.parse(record.data.timestamp);
  if (!event.success || Number.isNaN(finishedAt)) return undefined;
  return { event: event.data, outcome: outcomeOf(record.data, finishedAt) };
}

function outcomeOf(record: z.infer<typeof InvocationRecord>, finishedAt: number): Outcome {
  const { condition } = record.requestContext;
  const failed = condition !== 'Success' || record.responseContext?.functionError !== undefined;
  if (!failed) return { status: 'succeeded', finishedAt, ...excerpt(record.responsePayload) };
  const error = (record.responsePayload ?? {}) as { errorType?: unknown; errorMessage?: unknown };
  const errorMessage =
    typeof error.errorMessage === 'string'
      ? error.errorMessage
      : condition === 'EventAgeExceeded'
        ? 'the event waited in Lambda longer than its maximum age and was dropped'
        : `the invocation failed (${condition})`;
  const errorType =
    typeof error.errorType === 'string' ? error.errorType : condition === 'Success' ? 'Error' : condition;
  const timedOut = errorType === 'Sandbox.Timedout' || TIMED_OUT.test(errorMessage);
  return {
    status: timedOut ? 'timed_out' : 'failed',
    finishedAt,
    errorType: errorType.slice(0, 128),
    errorMessage: errorMessage.slice(0, MAX_ERROR_MESSAGE),
  };
}

/** The first MAX_RESPONSE_EXCERPT characters of a response (none for a function that returned nothing). */
function excerpt(response: unknown): { response?: string } {
  if (response === undefined || response === null) return {};
  const text = JSON.stringify(response);
  return { response: text.length > MAX_RESPONSE_EXCERPT ? text.slice(0, MAX_RESPONSE_EXCERPT) : text };
}
