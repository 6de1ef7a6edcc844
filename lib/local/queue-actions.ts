import { LOCAL_SENDER_ID, type LocalQueue, MAX_VISIBILITY_TIMEOUT_SECONDS, type Receipt } from './queue';
import {
  type BatchFailure,
  batchEntryIdsNotDistinct,
  batchFailure,
  batchRequestTooLong,
  emptyBatch,
  invalidAttributeName,
  invalidBatchEntryId,
  invalidValue,
  missingParameter,
  QueueError,
  queueDoesNotExist,
  tooManyEntries,
} from './queue-errors';
import { type MessageAttributes, type MessageInput, md5OfAttributes, messageSize } from './queue-message';

/** A request's JSON body: untrusted, so every field is checked before use. */
type Input = Record<string, unknown>;

/** How actions find the queue a request names. */
export interface QueueDirectory {
  byName(name: string): LocalQueue | undefined;
}

/** One SQS action: the request body in, the response body out; a QueueError for what SQS refuses. */
type Action = (input: Input, queues: QueueDirectory) => unknown;

const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const QUEUE_ATTRIBUTE_NAMES = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesDelayed',
  'ApproximateNumberOfMessagesNotVisible',
  'ContentBasedDeduplication',
  'CreatedTimestamp',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoQueue',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'LastModifiedTimestamp',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'QueueArn',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
]);

const stringOf = (input: Input, name: string): string | undefined =>
  typeof input[name] === 'string' ? (input[name] as string) : undefined;

const required = (input: Input, name: string): string => {
  const value = stringOf(input, name);
  if (!value) throw missingParameter(name);
  return value;
};

/** An optional integer within [min, max], refused with SQS's wording otherwise. */
function integerOf(input: Input, name: string, min: number, max: number, reason: string) {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidValue(name, value, reason);
  return value;
}

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

const objectOf = (value: unknown): Input =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : {};

/** The queue a QueueUrl names: `<endpoint>/<account>/<name>`; the host is not checked (the SDK may rewrite it). */
function queueOf(input: Input, queues: QueueDirectory): LocalQueue {
  const url = required(input, 'QueueUrl');
  const path = URL.canParse(url) ? new URL(url).pathname : '';
  const queue = queues.byName(path.split('/')[2] ?? '');
  if (!queue || new URL(queue.url).pathname !== path) throw queueDoesNotExist();
  return queue;
}

/** SQS's checks on a batch as a whole, before any entry runs: present, at most 10, ids valid and distinct. */
function entriesOf(input: Input, entryName: string): Input[] {
  const entries = Array.isArray(input.Entries) ? input.Entries.map(objectOf) : [];
  if (entries.length === 0) throw emptyBatch(entryName);
  if (entries.length > MAX_BATCH_ENTRIES) throw tooManyEntries(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = stringOf(entry, 'Id') ?? '';
    if (!BATCH_ENTRY_ID.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries;
}

/** Runs `each` per entry; an entry SQS refuses goes to `Failed` while the others succeed. */
function perEntry<T>(entries: Input[], each: (entry: Input) => T) {
  const Successful: (T & { Id: string })[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of entries) {
    const Id = entry.Id as string;
    try {
      Successful.push({ Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof QueueError)) throw error;
      Failed.push(batchFailure(Id, error));
    }
  }
  return { Successful, Failed };
}

const messageOf = (entry: Input): MessageInput => ({
  body: stringOf(entry, 'MessageBody') ?? '',
  attributes: objectOf(entry.MessageAttributes) as MessageAttributes,
  delaySeconds: integerOf(entry, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.'),
});

function send(queue: LocalQueue, entry: Input) {
  const message = queue.send(messageOf(entry));
  return {
    MessageId: message.messageId,
    MD5OfMessageBody: message.md5OfBody,
    ...(message.md5OfAttributes && { MD5OfMessageAttributes: message.md5OfAttributes }),
  };
}

function sendMessageBatch(input: Input, queues: QueueDirectory) {
  const queue = queueOf(input, queues);
  const entries = entriesOf(input, 'SendMessageBatchRequestEntry');
  const size = entries.reduce(
    (sum, entry) =>
      sum +
      messageSize({
        body: stringOf(entry, 'MessageBody') ?? '',
        attributes: objectOf(entry.MessageAttributes) as MessageAttributes,
      }),
    0,
  );
  const limit = queue.settings.maximumMessageSize;
  if (size > limit) throw batchRequestTooLong(limit, size);
  return perEntry(entries, (entry) => send(queue, entry));
}

/** The message attributes a receive asked for: `All` or `.*`, names, or `prefix.*`. */
function selectAttributes(attributes: MessageAttributes, wanted: string[]): MessageAttributes {
  const wants = (name: string) =>
    wanted.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => wants(name)));
}

function systemAttributes({ message }: Receipt, wanted: string[]) {
  const all: Record<string, string | undefined> = {
    SenderId: LOCAL_SENDER_ID,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const names = wanted.includes('All') ? Object.keys(all) : wanted;
  const picked = names.flatMap((name) => (all[name] === undefined ? [] : [[name, all[name]]]));
  return picked.length > 0 ? Object.fromEntries(picked) : undefined;
}

function shapeReceived(receipt: Receipt, systemNames: string[], attributeNames: string[]) {
  const { message } = receipt;
  const attributes = selectAttributes(message.attributes, attributeNames);
  const system = systemAttributes(receipt, systemNames);
  const md5 = md5OfAttributes(attributes);
  return {
    MessageId: message.messageId,
    ReceiptHandle: receipt.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(system && { Attributes: system }),
    ...(md5 && { MD5OfMessageAttributes: md5, MessageAttributes: attributes }),
  };
}

/** Answers at once: WaitTimeSeconds is checked but not waited for (a long poll that finds nothing ends early). */
function receiveMessage(input: Input, queues: QueueDirectory) {
  const queue = queueOf(input, queues);
  const max = integerOf(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
  const visibility = integerOf(
    input,
    'VisibilityTimeout',
    0,
    MAX_VISIBILITY_TIMEOUT_SECONDS,
    `Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT_SECONDS}, if provided.`,
  );
  integerOf(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
  const systemNames = [...stringsOf(input.AttributeNames), ...stringsOf(input.MessageSystemAttributeNames)];
  const attributeNames = stringsOf(input.MessageAttributeNames);
  const receipts = queue.receive(max, visibility);
  if (receipts.length === 0) return {};
  return { Messages: receipts.map((receipt) => shapeReceived(receipt, systemNames, attributeNames)) };
}

const visibilityOf = (entry: Input) => {
  const seconds = integerOf(
    entry,
    'VisibilityTimeout',
    0,
    MAX_VISIBILITY_TIMEOUT_SECONDS,
    `Must be >= 0 and <= ${MAX_VISIBILITY_TIMEOUT_SECONDS}, if provided.`,
  );
  if (seconds === undefined) throw missingParameter('VisibilityTimeout');
  return seconds;
};

function getQueueAttributes(input: Input, queues: QueueDirectory) {
  const queue = queueOf(input, queues);
  const names = stringsOf(input.AttributeNames);
  for (const name of names)
    if (name !== 'All' && !QUEUE_ATTRIBUTE_NAMES.has(name)) throw invalidAttributeName(name);
  const all = queue.attributes();
  const picked = names.includes('All')
    ? all
    : Object.fromEntries(names.flatMap((n) => (n in all ? [[n, all[n]]] : [])));
  return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
}

function getQueueUrl(input: Input, queues: QueueDirectory) {
  const queue = queues.byName(required(input, 'QueueName'));
  if (!queue) throw queueDoesNotExist();
  return { QueueUrl: queue.url };
}

/** The SQS actions the local endpoint answers, by the name in `X-Amz-Target: AmazonSQS.<Action>`. */
export const QUEUE_ACTIONS: Record<string, Action> = {
  SendMessage: (input, queues) => send(queueOf(input, queues), input),
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: (input, queues) => {
    queueOf(input, queues).delete(required(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch: (input, queues) => {
    const queue = queueOf(input, queues);
    return perEntry(entriesOf(input, 'DeleteMessageBatchRequestEntry'), (entry) => {
      queue.delete(required(entry, 'ReceiptHandle'));
      return {};
    });
  },
  ChangeMessageVisibility: (input, queues) => {
    const queue = queueOf(input, queues);
    queue.changeVisibility(required(input, 'ReceiptHandle'), visibilityOf(input));
    return {};
  },
  ChangeMessageVisibilityBatch: (input, queues) => {
    const queue = queueOf(input, queues);
    return perEntry(entriesOf(input, 'ChangeMessageVisibilityBatchRequestEntry'), (entry) => {
      queue.changeVisibility(required(entry, 'ReceiptHandle'), visibilityOf(entry));
      return {};
    });
  },
  GetQueueAttributes: getQueueAttributes,
  GetQueueUrl: getQueueUrl,
};
