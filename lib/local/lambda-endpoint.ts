import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { functionNameOf } from '../task/targets';
import { type InvocationOutcome, inProcess, type LocalFunction, type LocalHandler } from './invocation';
import { readBody } from './read-body';
import { type LocalCredentials, unsignedReason } from './signature';

export type { LocalContext, LocalHandler } from './invocation';

/** An error the endpoint answers on purpose, as Lambda would (for fault tests and the bench). */
export interface InjectedFault {
  status: number;
  /** The `x-amzn-errortype`, e.g. TooManyRequestsException, ServiceException, RequestTooLargeException. */
  type: string;
  /** How many invocations fail; Infinity for all of them. */
  times: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
/** Lambda's longest timeout, for functions registered without one. */
export const DEFAULT_TIMEOUT_MS = 15 * 60_000;
/** Lambda's limit for a synchronous invocation's payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function sendError(res: ServerResponse, status: number, type: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
  res.end(JSON.stringify({ Type: 'User', message }));
}

/** A function registered on the endpoint, with the timeout Lambda would give it. */
interface Registered {
  fn: LocalFunction;
  timeoutMs: number;
}

/** Called with the outcome of every Event invocation, as Lambda's asynchronous invocation destinations are. */
export type AsyncOutcomeHandler = (name: string, event: unknown, outcome: InvocationOutcome) => void;

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
  private readonly functions = new Map<string, Registered>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly faults = new Map<string, InjectedFault>();
  /** Invocations answered so far, per function name, faults included. */
  readonly calls = new Map<string, number>();
  private server = createServer((req, res) => {
    this.handle(req, res).catch((error) => sendError(res, 500, 'ServiceException', String(error)));
  });
  /** The outcome of every Event invocation; by default a failure is logged, like Lambda's failure log. */
  onAsyncOutcome: AsyncOutcomeHandler = (name, _event, outcome) => {
    if (!outcome.ok)
      console.error(
        `[${name}] async invocation failed:`,
        outcome.error.errorType,
        outcome.error.errorMessage,
      );
  };

  /** A handler on the endpoint's own thread (Sundial's own functions, tests' recorders). */
  register(name: string, handler: LocalHandler, timeoutMs = DEFAULT_TIMEOUT_MS): void {
    this.registerFunction(name, inProcess(handler), timeoutMs);
  }

  /** Any LocalFunction, e.g. an IsolatedFunction for a user's target module. */
  registerFunction(name: string, fn: LocalFunction, timeoutMs = DEFAULT_TIMEOUT_MS): void {
    this.functions.set(name, { fn, timeoutMs });
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

  /** Ends isolated functions first (a hung one must not hold up a shutdown), then waits for the rest. */
  async close(): Promise<void> {
    await Promise.all([...this.functions.values()].map(({ fn }) => fn.close?.()));
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
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (!body)
      return sendError(
        res,
        413,
        'RequestTooLargeException',
        `the payload exceeds ${MAX_PAYLOAD_BYTES} bytes`,
      );
    const unsigned = await unsignedReason(req, body, this.credentials, 'lambda');
    if (unsigned) return sendError(res, 403, 'InvalidSignatureException', unsigned);
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
    const fault = this.faults.get(name);
    if (fault && fault.times > 0) {
      fault.times--;
      return sendError(res, fault.status, fault.type, `injected ${fault.type}`);
    }
    const registered = this.functions.get(name);
    if (!registered) return sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    let event: unknown;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    this.invoke(res, name, registered, event, type);
  }

  private invoke(
    res: ServerResponse,
    name: string,
    registered: Registered,
    event: unknown,
    type: string | string[],
  ) {
    const awsRequestId = randomUUID();
    const headers = { 'x-amzn-requestid': awsRequestId, 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    const request = { functionName: name, awsRequestId, timeoutMs: registered.timeoutMs };
    if (type === 'Event') {
      res.writeHead(202, headers);
      res.end();
      const tracked = registered.fn
        .invoke(event, request)
        .then((outcome) => this.onAsyncOutcome(name, event, outcome))
        .finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
      return;
    }
    const answered = registered.fn.invoke(event, request).then((outcome) => {
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/json',
        ...(outcome.ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
      });
      res.end(JSON.stringify(outcome.ok ? outcome.result : outcome.error));
    });
    answered.catch((error) => sendError(res, 500, 'ServiceException', String(error)));
  }
}
