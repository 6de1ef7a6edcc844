import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionNameOf } from '../task/targets';
import { type LocalCredentials, unsignedReason } from './signature';

/** A local function: the same shape as a Lambda handler. */
export type LocalHandler = (event: unknown, context: LocalContext) => unknown;

export interface LocalContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** An error the endpoint answers on purpose, as Lambda would (for fault tests and the bench). */
export interface InjectedFault {
  status: number;
  /** The `x-amzn-errortype`, e.g. TooManyRequestsException, ServiceException, RequestTooLargeException. */
  type: string;
  /** How many invocations fail; Infinity for all of them. */
  times: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const TIMEOUT_MS = 15 * 60_000;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: 'User', message }));
}

/**
 * A local endpoint for the Lambda Invoke HTTP API, so the real `@aws-sdk/client-lambda` code path runs
 * unchanged: RequestResponse answers the result, Event answers 202 and runs in the background,
 * DryRun answers 204, unknown names get ResourceNotFoundException.
 */
export class LocalLambdaEndpoint {
  /**
   * This run's credentials: the endpoint runs only invocations signed with them (Sundial's own clients),
   * never those of a web page or another local process.
   */
  readonly credentials: LocalCredentials = {
    accessKeyId: 'sundial-local',
    secretAccessKey: randomBytes(32).toString('hex'),
  };
  private readonly functions = new Map<string, LocalHandler>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly faults = new Map<string, InjectedFault>();
  /** Invocations answered so far, per function name, faults included. */
  readonly calls = new Map<string, number>();
  private server = createServer((req, res) => {
    this.handle(req, res).catch((error) => sendError(res, 500, 'ServiceException', String(error)));
  });
  /** Called with every async invocation that threw, like Lambda's failure log. */
  onAsyncError: (name: string, error: unknown) => void = (name, error) =>
    console.error(`[${name}] async invocation failed:`, error);

  register(name: string, handler: LocalHandler): void {
    this.functions.set(name, handler);
  }

  /** Makes the next `fault.times` invocations of `name` fail with `fault` instead of running. */
  injectFault(name: string, fault: InjectedFault): void {
    this.faults.set(name, { ...fault });
  }

  names(): string[] {
    return [...this.functions.keys()];
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when every Event invocation accepted so far (and those they start) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.drain();
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = req.method === 'POST' ? INVOKE_PATH.exec(url.pathname) : null;
    if (!match?.[1]) return sendError(res, 404, 'UnknownOperationException', `${req.method} ${url.pathname}`);
    const name = functionNameOf(decodeURIComponent(match[1]));
    const body = await readBody(req);
    const unsigned = await unsignedReason(req, body, this.credentials, 'lambda');
    if (unsigned) return sendError(res, 403, 'InvalidSignatureException', unsigned);
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    const fault = this.faults.get(name);
    if (fault && fault.times > 0) {
      fault.times--;
      return sendError(res, fault.status, fault.type, `injected ${fault.type}`);
    }
    const handler = this.functions.get(name);
    if (!handler) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    let event: unknown;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    const requestId = randomUUID();
    const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') {
      res.writeHead(204, headers);
      return res.end();
    }
    const started = Date.now();
    const context: LocalContext = {
      functionName: name,
      awsRequestId: requestId,
      getRemainingTimeInMillis: () => Math.max(0, started + TIMEOUT_MS - Date.now()),
    };
    const run = (async () => handler(event, context))();
    if (type === 'Event') {
      const tracked = run
        .catch((error) => this.onAsyncError(name, error))
        .finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
      res.writeHead(202, headers);
      return res.end();
    }
    try {
      const result = await run;
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      res.end(result === undefined ? 'null' : JSON.stringify(result));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/json',
        'x-amz-function-error': 'Unhandled',
      });
      res.end(
        JSON.stringify({
          errorType: err.name,
          errorMessage: err.message,
          trace: err.stack?.split('\n') ?? [],
        }),
      );
    }
  }
}
