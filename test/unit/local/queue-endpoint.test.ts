import {
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidBatchEntryId,
  InvalidMessageContents,
  InvalidSecurity,
  MessageNotInflight,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
  UnsupportedOperation,
} from '@aws-sdk/client-sqs';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local';
import { type CreateQueueOptions, LocalQueueEndpoint } from '../../../lib/local/queue-endpoint';
import { ManualClock } from '../../support/clock';

const T0 = Date.parse('2026-12-01T12:00:00.000Z');
const clock = new ManualClock(T0);
const endpoint = new LocalQueueEndpoint({ clock });
let sqs: SQSClient;
let queues = 0;

beforeAll(async () => {
  await endpoint.start();
  sqs = new SQSClient({
    endpoint: endpoint.url,
    region: LOCAL_REGION,
    credentials: endpoint.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  sqs.destroy();
  await endpoint.stop();
});

/** A queue of its own for each test, so no test sees another's messages. */
const fresh = (options: CreateQueueOptions = {}) =>
  endpoint.createQueue(`q${++queues}`, { visibilityTimeoutSeconds: 30, ...options });

const receive = async (
  QueueUrl: string,
  more: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {},
) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...more,
      }),
    )
  ).Messages ?? [];

const counts = async (QueueUrl: string) =>
  (
    await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    )
  ).Attributes;

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (error: unknown) => error,
  );

describe('LocalQueueEndpoint over the real SQS client', () => {
  it('sends and receives with the MD5s, attributes and system attributes SQS gives', async () => {
    const QueueUrl = fresh();
    expect(QueueUrl).toBe(`${endpoint.url}/000000000000/q${queues}`);
    const sentAt = clock.now();
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'derp',
        MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      }),
    );
    // The digests AWS returns for this body and attribute (pinned by moto's SQS tests).
    expect(sent.MD5OfMessageBody).toBe('58fd9edd83341c29f1aebba81c31e257');
    expect(sent.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    clock.advance(250);
    const [message, ...rest] = await receive(QueueUrl);
    expect(rest).toEqual([]);
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'derp',
      MD5OfMessageAttributes: '235c5c510d26fb653d073faed50ae77c',
      MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
      Attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(sentAt),
        ApproximateFirstReceiveTimestamp: String(clock.now()),
        SenderId: expect.any(String),
      },
    });
  });

  it('keeps binary attributes as bytes and returns only the attributes asked for', async () => {
    const QueueUrl = fresh();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: 'b',
        MessageAttributes: {
          'blob.raw': { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 255]) },
          kind: { DataType: 'String.custom', StringValue: 'fire' },
        },
      }),
    );
    const [message] = await receive(QueueUrl, {
      MessageAttributeNames: ['blob.*'],
      MessageSystemAttributeNames: [],
    });
    expect(message?.Attributes).toBeUndefined();
    expect(Object.keys(message?.MessageAttributes ?? {})).toEqual(['blob.raw']);
    expect([...(message?.MessageAttributes?.['blob.raw']?.BinaryValue ?? [])]).toEqual([0, 1, 255]);
  });

  it('holds a message back for its DelaySeconds, counting it as delayed', async () => {
    const QueueUrl = fresh();
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 900 }));
    expect(await counts(QueueUrl)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    clock.advance(899_999);
    expect(await receive(QueueUrl)).toEqual([]);
    clock.advance(1);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['later']);
  });

  it('hides a received message for the visibility timeout, then gives it again with a new handle', async () => {
    const QueueUrl = fresh({ visibilityTimeoutSeconds: 30 });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    const [first] = await receive(QueueUrl);
    expect(await counts(QueueUrl)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    clock.advance(29_999);
    expect(await receive(QueueUrl)).toEqual([]);
    clock.advance(1);
    const [second] = await receive(QueueUrl);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(second?.Attributes?.ApproximateFirstReceiveTimestamp).toBe(
      first?.Attributes?.ApproximateFirstReceiveTimestamp,
    );
    // The first receive is over: its handle no longer deletes (SQS: the call succeeds, the message stays)…
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first?.ReceiptHandle }));
    expect((await counts(QueueUrl))?.ApproximateNumberOfMessagesNotVisible).toBe('1');
    // …and cannot change the visibility; the current handle can, and deletes.
    const stale = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: first?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      ),
    );
    expect(stale).toBeInstanceOf(SQSServiceException);
    expect(stale).toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: second?.ReceiptHandle }));
    expect(await counts(QueueUrl)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('honours a receive-time VisibilityTimeout and ChangeMessageVisibilityBatch', async () => {
    const QueueUrl = fresh({ visibilityTimeoutSeconds: 600 });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: ['a', 'b', 'c'].map((Id) => ({ Id, MessageBody: Id })),
      }),
    );
    const received = await receive(QueueUrl, { VisibilityTimeout: 60 });
    expect(received.map((m) => m.Body)).toEqual(['a', 'b', 'c']);
    const [a, b, c] = received;
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'now', ReceiptHandle: a?.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'soon', ReceiptHandle: b?.ReceiptHandle, VisibilityTimeout: 5 },
          { Id: 'bogus', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 5 },
        ],
      }),
    );
    expect(changed.Successful?.map((s) => s.Id)).toEqual(['now', 'soon']);
    expect(changed.Failed).toEqual([
      { Id: 'bogus', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) },
    ]);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['a']);
    clock.advance(5_000);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['b']);
    clock.advance(55_000);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['c']);
    // c's first receive ended when it became visible again: not in flight for that handle any more.
    const over = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: c?.ReceiptHandle,
          VisibilityTimeout: 9,
        }),
      ),
    );
    expect(over).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses to change the visibility of a message whose timeout ran out', async () => {
    const QueueUrl = fresh({ visibilityTimeoutSeconds: 10 });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    const [message] = await receive(QueueUrl);
    clock.advance(10_000);
    const error = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 30,
        }),
      ),
    );
    expect(error).toBeInstanceOf(MessageNotInflight);
    const beyond = await rejection(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 43_201,
        }),
      ),
    );
    expect(beyond).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('answers a batch: per-entry DelaySeconds, and a bad entry in Failed while the rest go through', async () => {
    const QueueUrl = fresh();
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'now', MessageBody: 'now' },
          { Id: 'in-2', MessageBody: 'in 2 s', DelaySeconds: 2 },
          { Id: 'too_far', MessageBody: 'never', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful?.map((s) => s.Id)).toEqual(['now', 'in-2']);
    expect(result.Failed).toEqual([
      {
        Id: 'too_far',
        SenderFault: true,
        Code: 'InvalidParameterValue',
        Message:
          'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      },
    ]);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['now']);
    clock.advance(2_000);
    expect((await receive(QueueUrl)).map((m) => m.Body)).toEqual(['in 2 s']);
  });

  it('refuses batches SQS refuses, with the typed errors of the SDK', async () => {
    const QueueUrl = fresh();
    const entry = (Id: string, MessageBody = 'x') => ({ Id, MessageBody });
    const send = (Entries: { Id: string; MessageBody: string }[]) =>
      rejection(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries })));
    expect(await send(Array.from({ length: 11 }, (_, i) => entry(`e${i}`)))).toBeInstanceOf(
      TooManyEntriesInBatchRequest,
    );
    expect(await send([])).toBeInstanceOf(EmptyBatchRequest);
    expect(await send([entry('bad id!')])).toBeInstanceOf(InvalidBatchEntryId);
    expect(await send([entry('a'), entry('a')])).toBeInstanceOf(BatchEntryIdsNotDistinct);
    const tooLong = await send([entry('a', 'x'.repeat(200_000)), entry('b', 'y'.repeat(62_145))]);
    expect(tooLong).toBeInstanceOf(BatchRequestTooLong);
    expect((tooLong as Error).message).toBe(
      'Batch requests cannot be longer than 262144 bytes. You have sent 262145 bytes.',
    );
    expect((await counts(QueueUrl))?.ApproximateNumberOfMessages).toBe('0');
  });

  it('refuses a message SQS refuses: bad DelaySeconds, too large, no body, bad characters', async () => {
    const QueueUrl = fresh();
    const delay = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x', DelaySeconds: -1 })),
    );
    expect(delay).toBeInstanceOf(SQSServiceException);
    expect(delay).toMatchObject({
      name: 'InvalidParameterValue',
      message:
        'Value -1 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const large = await rejection(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(262_145) })),
    );
    expect(large).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining('262144 bytes'),
    });
    expect(await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '' })))).toMatchObject({
      name: 'MissingParameter',
    });
    expect(
      await rejection(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell\u0007' }))),
    ).toBeInstanceOf(InvalidMessageContents);
    const attribute = await rejection(
      sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x',
          MessageAttributes: { n: { DataType: 'Number' } },
        }),
      ),
    );
    expect(attribute).toMatchObject({
      name: 'InvalidParameterValue',
      message: expect.stringContaining("'n'"),
    });
    const receiveMax = await rejection(
      sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
    );
    expect(receiveMax).toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('refuses a handle it never issued, and deletes in batches', async () => {
    const QueueUrl = fresh();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'a' },
          { Id: 'b', MessageBody: 'b' },
        ],
      }),
    );
    const [a, b] = await receive(QueueUrl);
    expect(
      await rejection(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'AQEB-forged' }))),
    ).toBeInstanceOf(ReceiptHandleIsInvalid);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', ReceiptHandle: a?.ReceiptHandle },
          { Id: 'b', ReceiptHandle: b?.ReceiptHandle },
          { Id: 'forged', ReceiptHandle: 'AQEB-forged' },
        ],
      }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'a' }, { Id: 'b' }]);
    expect(deleted.Failed?.map((f) => [f.Id, f.Code])).toEqual([['forged', 'ReceiptHandleIsInvalid']]);
    clock.advance(60_000);
    expect(await receive(QueueUrl)).toEqual([]);
  });

  it('moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = `dlq${queues + 1}`;
    const QueueUrl = fresh({
      visibilityTimeoutSeconds: 10,
      deadLetter: { name: dlq, maxReceiveCount: 2 },
    });
    const { QueueUrl: dlqUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: dlq }));
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    expect((await receive(QueueUrl)).length).toBe(1);
    clock.advance(10_000);
    expect((await receive(QueueUrl))[0]?.Attributes?.ApproximateReceiveCount).toBe('2');
    clock.advance(10_000);
    expect(await receive(QueueUrl)).toEqual([]);
    expect(endpoint.queue(`q${queues}`).deadLettered).toBe(1);
    const [dead] = await receive(dlqUrl as string);
    expect(dead).toMatchObject({ MessageId, Body: 'poison' });
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(
      `arn:aws:sqs:${LOCAL_REGION}:000000000000:q${queues}`,
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:${LOCAL_REGION}:000000000000:${dlq}`,
      maxReceiveCount: 2,
    });
    expect(Attributes?.VisibilityTimeout).toBe('10');
  });

  it('answers unknown queues, attribute names and operations with typed errors', async () => {
    expect(await rejection(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })))).toBeInstanceOf(
      QueueDoesNotExist,
    );
    expect(
      await rejection(
        sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint.url}/000000000000/nope`, MessageBody: 'x' })),
      ),
    ).toBeInstanceOf(QueueDoesNotExist);
    const QueueUrl = fresh();
    expect(
      await rejection(
        sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Bogus' as 'All'] })),
      ),
    ).toBeInstanceOf(InvalidAttributeName);
    const { CreateQueueCommand } = await import('@aws-sdk/client-sqs');
    expect(await rejection(sqs.send(new CreateQueueCommand({ QueueName: 'other' })))).toBeInstanceOf(
      UnsupportedOperation,
    );
  });

  it('refuses requests not signed with this run’s credentials', async () => {
    const QueueUrl = fresh();
    const stranger = new SQSClient({
      endpoint: endpoint.url,
      region: LOCAL_REGION,
      credentials: { accessKeyId: endpoint.credentials.accessKeyId, secretAccessKey: 'guessed' },
      maxAttempts: 1,
    });
    const refused = await rejection(stranger.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })));
    stranger.destroy();
    expect(refused).toBeInstanceOf(InvalidSecurity);
    expect(refused).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const unsigned = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ QueueUrl, MessageBody: 'x' }),
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-query-error')).toBe('InvalidSecurity;Sender');
    expect((await counts(QueueUrl))?.ApproximateNumberOfMessages).toBe('0');
  });

  it('answers malformed bodies with a 4xx naming the problem, never a 5xx', async () => {
    const QueueUrl = fresh();
    const signer = new SignatureV4({
      service: 'sqs',
      region: LOCAL_REGION,
      credentials: endpoint.credentials,
      sha256: Hash.bind(null, 'sha256'),
    });
    const { hostname, port } = new URL(endpoint.url);
    const post = async (action: string, body: string) => {
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname,
        port: Number(port),
        path: '/',
        headers: {
          host: `${hostname}:${port}`,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${action}`,
        },
        body,
      });
      const response = await fetch(`${endpoint.url}/`, { method: 'POST', headers: signed.headers, body });
      return [response.status, response.headers.get('x-amzn-query-error')?.split(';')[0]];
    };
    expect(await post('SendMessage', 'not json')).toEqual([400, 'SerializationException']);
    expect(await post('SendMessage', '[1]')).toEqual([400, 'SerializationException']);
    expect(await post('SendMessage', '{"QueueUrl":5}')).toEqual([400, 'MissingParameter']);
    expect(await post('SendMessage', '{"QueueUrl":"::"}')).toEqual([
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    ]);
    const send = (fields: object) => post('SendMessage', JSON.stringify({ QueueUrl, ...fields }));
    expect(await send({ MessageBody: 7 })).toEqual([400, 'MissingParameter']);
    expect(await send({ MessageBody: 'x', DelaySeconds: '5' })).toEqual([400, 'InvalidParameterValue']);
    expect(await send({ MessageBody: 'x', DelaySeconds: 1.5 })).toEqual([400, 'InvalidParameterValue']);
    expect(await send({ MessageBody: 'x', MessageAttributes: { a: null } })).toEqual([
      400,
      'InvalidParameterValue',
    ]);
    expect(
      await send({ MessageBody: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: 3 } } }),
    ).toEqual([400, 'InvalidParameterValue']);
    const batch = (Entries: unknown) => post('SendMessageBatch', JSON.stringify({ QueueUrl, Entries }));
    expect(await batch('x')).toEqual([400, 'AWS.SimpleQueueService.EmptyBatchRequest']);
    expect(await batch([null])).toEqual([400, 'AWS.SimpleQueueService.InvalidBatchEntryId']);
    expect(await post('DeleteMessageBatch', JSON.stringify({ QueueUrl, Entries: [{ Id: 'a' }] }))).toEqual([
      200,
      undefined,
    ]);
    expect(await post('ChangeMessageVisibility', JSON.stringify({ QueueUrl, ReceiptHandle: 'h' }))).toEqual([
      400,
      'MissingParameter',
    ]);
    expect(await post('ReceiveMessage', JSON.stringify({ QueueUrl, VisibilityTimeout: -1 }))).toEqual([
      400,
      'InvalidParameterValue',
    ]);
    expect(await post('PurgeQueue', JSON.stringify({ QueueUrl }))).toEqual([
      400,
      'AWS.SimpleQueueService.UnsupportedOperation',
    ]);
    expect(await post('__proto__', '{}')).toEqual([400, 'AWS.SimpleQueueService.UnsupportedOperation']);
  });
});
