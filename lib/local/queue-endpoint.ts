import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../clock';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './dynamodb-local';
import { LocalQueue, MAX_VISIBILITY_TIMEOUT_SECONDS, type QueueSettings } from './queue';
import { QUEUE_ACTIONS } from './queue-actions';
import { invalidSecurity, QueueError, unsupportedOperation } from './queue-errors';
import { readBody } from './read-body';
import { type LocalCredentials, unsignedReason } from './signature';

export type { LocalQueue, QueueMessage, Receipt } from './queue';

export interface LocalQueueEndpointOptions {
  /** Where delays, visibility timeouts and timestamps read the time. */
  clock: Clock;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

export interface CreateQueueOptions {
  /** Seconds a received message stays invisible (SQS's default: 30). */
  visibilityTimeoutSeconds?: number;
  /** Delay of messages sent without DelaySeconds (default 0). */
  delaySeconds?: number;
  /** Largest message, and largest batch, in bytes (default 262,144). */
  maximumMessageSize?: number;
  /** Seconds a message may stay before it is dropped (SQS's default: 4 days). */
  messageRetentionSeconds?: number;
  /**
   * The redrive policy: after `maxReceiveCount` receives without a delete, a message moves to the queue
   * `name` (created with this queue's settings if it does not exist yet).
   */
  deadLetter?: { name: string; maxReceiveCount: number };
}

const JSON_1_0 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** Ten messages of 256 KiB and their JSON escaping fit well within this; anything larger is refused unread. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': JSON_1_0, 'x-amzn-requestid': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

/** As SQS answers an error in its JSON protocol (see QueueError for what the SDK reads). */
function answerError(res: ServerResponse, error: QueueError) {
  const fault = error.status < 500 ? 'Sender' : 'Receiver';
  answer(
    res,
    error.status,
    { __type: `com.amazonaws.sqs#${error.shape}`, message: error.message },
    { 'x-amzn-query-error': `${error.code};${fault}` },
  );
}

/** The request body as a JSON object; SerializationException (as AWS answers) for anything else. */
function jsonObjectOf(body: Buffer): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new QueueError(
      'SerializationException',
      'SerializationException',
      400,
      'the body is not a JSON object',
    );
  return input as Record<string, unknown>;
}

/**
 * A local stand-in for Amazon SQS standard queues that speaks SQS's JSON protocol (AWS JSON 1.0) to the
 * real `@aws-sdk/client-sqs`: SendMessage(Batch), ReceiveMessage, DeleteMessage(Batch),
 * ChangeMessageVisibility(Batch), GetQueueAttributes and GetQueueUrl, on queues made in-process with
 * `createQueue`. Only requests signed (SigV4, service `sqs`) with this run's `credentials` are answered.
 * ReceiveMessage answers at once even with WaitTimeSeconds; consumers in-process use `queue(name)` with a
 * LocalEventSource instead of polling.
 *
 * @example
 * const endpoint = new LocalQueueEndpoint({ clock: systemClock });
 * await endpoint.start();
 * const url = endpoint.createQueue('fire', { visibilityTimeoutSeconds: 60, deadLetter: { name: 'fire-dlq', maxReceiveCount: 5 } });
 * const sqs = new SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
 * await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{}', DelaySeconds: 30 }));
 */
export class LocalQueueEndpoint {
  /** This run's credentials: the endpoint answers only requests signed with them (Sundial's own clients). */
  readonly credentials: LocalCredentials = {
    accessKeyId: 'sundial-local',
    secretAccessKey: randomBytes(32).toString('hex'),
  };
  /** Requests answered so far, per action (errors included), for tests and the bench. */
  readonly calls = new Map<string, number>();
  private readonly queues = new Map<string, LocalQueue>();
  private readonly clock: Clock;
  private readonly port: number;
  private baseUrl: string | undefined;
  private readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error) =>
      answerError(res, new QueueError('InternalError', 'InternalError', 500, String(error))),
    );
  });

  constructor(options: LocalQueueEndpointOptions) {
    this.clock = options.clock;
    this.port = options.port ?? 0;
  }

  /** Listens on 127.0.0.1; resolves with the endpoint URL (also `url`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** `http://127.0.0.1:<port>`: the `endpoint` for an SQSClient (or AWS_ENDPOINT_URL_SQS). */
  get url(): string {
    if (!this.baseUrl) throw new Error('the local queue endpoint is not started');
    return this.baseUrl;
  }

  /** Creates a standard queue (after `start`, since its URL names the port); answers its QueueUrl. */
  createQueue(name: string, options: CreateQueueOptions = {}): string {
    if (!QUEUE_NAME.test(name)) throw new Error(`invalid queue name ${JSON.stringify(name)}`);
    if (this.queues.has(name)) throw new Error(`queue ${name} already exists`);
    const settings: QueueSettings = {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
      delaySeconds: options.delaySeconds ?? 0,
      maximumMessageSize: options.maximumMessageSize ?? 262_144,
      messageRetentionSeconds: options.messageRetentionSeconds ?? 4 * 24 * 60 * 60,
    };
    const visibility = settings.visibilityTimeoutSeconds;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > MAX_VISIBILITY_TIMEOUT_SECONDS)
      throw new Error(
        `visibilityTimeoutSeconds must be an integer from 0 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}`,
      );
    const { deadLetter } = options;
    if (deadLetter) {
      if (!Number.isInteger(deadLetter.maxReceiveCount) || deadLetter.maxReceiveCount < 1)
        throw new Error('deadLetter.maxReceiveCount must be a positive integer');
      if (!this.queues.has(deadLetter.name))
        this.createQueue(deadLetter.name, { ...options, deadLetter: undefined });
      settings.redrive = { target: this.queue(deadLetter.name), maxReceiveCount: deadLetter.maxReceiveCount };
    }
    const url = `${this.url}/${LOCAL_ACCOUNT}/${name}`;
    this.queues.set(name, new LocalQueue(name, url, LOCAL_ACCOUNT, LOCAL_REGION, settings, this.clock));
    return url;
  }

  /** The queue itself, for in-process consumers (a LocalEventSource) and tests. */
  queue(name: string): LocalQueue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`no local queue named ${name}`);
    return queue;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    try {
      answer(res, 200, await this.run(req));
    } catch (error) {
      if (!(error instanceof QueueError)) throw error;
      answerError(res, error);
    }
  }

  /** Checks a request in SQS's order (size, signature, operation, JSON), then runs its action. */
  private async run(req: IncomingMessage): Promise<unknown> {
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (!body)
      throw new QueueError('RequestEntityTooLarge', 'RequestEntityTooLarge', 413, 'request too large');
    const unsigned = await unsignedReason(req, body, this.credentials, 'sqs');
    if (unsigned) throw invalidSecurity(unsigned);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    this.calls.set(action, (this.calls.get(action) ?? 0) + 1);
    const json = String(req.headers['content-type'] ?? '').startsWith(JSON_1_0);
    if (req.method !== 'POST' || !json || !Object.hasOwn(QUEUE_ACTIONS, action))
      throw unsupportedOperation(action || `${req.method} ${req.url}`);
    return QUEUE_ACTIONS[action]?.(jsonObjectOf(body), { byName: (name) => this.queues.get(name) });
  }
}
