import { describe, expect, it } from 'vitest';
import { readInvocationRecord } from '../../../lib/outcome/destination-record';
import { MAX_RESPONSE_EXCERPT } from '../../../lib/task/schemas';

const event = {
  taskId: 'nightly',
  runId: '01JDZ0000000000000000000AA',
  scheduledAt: '2026-12-01T10:00:00.000Z',
  firedAt: '2026-12-01T10:00:00.100Z',
  attempt: 1,
  source: 'schedule',
  payload: { a: 1 },
};

/** An invocation record as Lambda sends it to a destination (AWS Lambda Developer Guide's format). */
const record = (condition: string, responsePayload: unknown, functionError?: string) =>
  JSON.stringify({
    version: '1.0',
    timestamp: '2026-12-01T10:00:02.000Z',
    requestContext: {
      requestId: 'r',
      functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:sundial-x:$LATEST',
      condition,
      approximateInvokeCount: 1,
    },
    requestPayload: event,
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(functionError ? { functionError } : {}),
    },
    responsePayload,
  });

describe('readInvocationRecord', () => {
  it('a success, with a bounded excerpt of the response', () => {
    const read = readInvocationRecord(record('Success', { rows: 'x'.repeat(5_000) }));
    expect(read?.event.runId).toBe(event.runId);
    expect(read?.outcome).toMatchObject({
      status: 'succeeded',
      finishedAt: Date.parse('2026-12-01T10:00:02Z'),
    });
    expect(read?.outcome.response).toHaveLength(MAX_RESPONSE_EXCERPT);
  });

  it('a thrown error', () => {
    const read = readInvocationRecord(
      record('RetriesExhausted', { errorType: 'TypeError', errorMessage: 'x is undefined' }, 'Unhandled'),
    );
    expect(read?.outcome).toMatchObject({
      status: 'failed',
      errorType: 'TypeError',
      errorMessage: 'x is undefined',
    });
  });

  it('a timeout, as Lambda words it', () => {
    const payload = { errorMessage: '2026-12-01T10:00:05.000Z r Task timed out after 3.00 seconds' };
    expect(readInvocationRecord(record('RetriesExhausted', payload, 'Unhandled'))?.outcome.status).toBe(
      'timed_out',
    );
  });

  it('an event dropped for its age', () => {
    expect(readInvocationRecord(record('EventAgeExceeded', undefined))?.outcome).toMatchObject({
      status: 'failed',
      errorType: 'EventAgeExceeded',
    });
  });

  it('ignores what is not a Sundial delivery, and bodies it cannot read', () => {
    const foreign = JSON.parse(record('Success', null));
    foreign.requestPayload = { orderId: 7 };
    expect(readInvocationRecord(JSON.stringify(foreign))).toBeUndefined();
    expect(readInvocationRecord('not json')).toBeUndefined();
    expect(readInvocationRecord('{"version":"1.0"}')).toBeUndefined();
  });
});
