import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { Problem } from '../task/schemas';
import {
  errorFor,
  type RequestInfo,
  SundialAbortError,
  SundialCredentialsError,
  SundialNetworkError,
  SundialResponseError,
  SundialTimeoutError,
} from './errors';
import { type AwsCredentials, type CredentialsInput, isLocalEndpoint, signRequest } from './sign';

/** Options every client call takes. */
export interface RequestOptions {
  /** Aborts the call (and its retries): the call rejects with SundialAbortError. */
  signal?: AbortSignal | undefined;
}

/** One HTTP call of the API, as the client methods describe it. */
export interface Call<S extends z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  schema: S;
  body?: unknown;
  headers?: Record<string, string>;
  /** Repeating the call has the same effect as making it once: safe to retry after an ambiguous failure. */
  idempotent: boolean;
}

export interface TransportOptions {
  endpoint: string;
  /** `false`: never sign; undefined: the default chain, except for a local endpoint. */
  credentials: CredentialsInput | false | undefined;
  region: string;
  maxAttempts: number;
  timeoutMs: number;
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

type Attempt = { response: Response; text: string } | { failure: Error };

const BACKOFF = { baseMs: 100, capMs: 5_000, retryAfterCapMs: 20_000 };

/** A pause that an abort ends early (the caller then checks the signal). */
export const abortableSleep = (ms: number, signal?: AbortSignal) =>
  delay(ms, undefined, { signal }).catch(() => undefined);

/**
 * Sends calls: signs them with SigV4 where needed, retries throttling, server errors and (for calls safe to
 * repeat) network failures with backoff, and turns every failure into a typed error carrying the request id.
 */
export class Transport {
  private defaultChain?: () => Promise<AwsCredentials>;

  constructor(private readonly options: TransportOptions) {}

  async send<S extends z.ZodType | undefined>(call: Call<S>, options: RequestOptions = {}): Promise<unknown> {
    const info: RequestInfo = {
      method: call.method,
      url: `${this.options.endpoint}${call.path}`,
      requestId: randomUUID(),
    };
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-request-id': info.requestId,
      ...call.headers,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(options.signal, info);
      const result = await this.attempt(info, await this.sign(info, headers, body), body, options.signal);
      const last = attempt >= this.options.maxAttempts;
      if ('failure' in result) {
        // The request may have reached the server: only a call that is safe to repeat is retried.
        if (!call.idempotent || last) throw result.failure;
        await this.pause(this.backoff(attempt), info, options.signal);
        continue;
      }
      const { response, text } = result;
      if (response.ok) return parseAnswer(call.schema, text, info);
      if (!last && retryable(response.status, call.idempotent)) {
        await this.pause(this.backoff(attempt, response.headers.get('retry-after')), info, options.signal);
        continue;
      }
      throw errorFor(problemOf(response, text), {
        ...info,
        requestId: requestIdOf(response) ?? info.requestId,
      });
    }
  }

  /** One HTTP exchange; network failures and timeouts come back as typed errors, an abort is thrown. */
  private async attempt(
    info: RequestInfo,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const response = await this.options.fetch(info.url, {
        method: info.method,
        headers,
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      return { response, text: await response.text() };
    } catch (error) {
      throwIfAborted(signal, info);
      if (timeout.aborted || (error as Error)?.name === 'TimeoutError') {
        const message = `${info.method} ${info.url}: no answer within ${this.options.timeoutMs} ms`;
        return { failure: new SundialTimeoutError(message, info, { cause: error }) };
      }
      return { failure: new SundialNetworkError(this.options.endpoint, info, { cause: error }) };
    }
  }

  private async sign(info: RequestInfo, headers: Record<string, string>, body: string | undefined) {
    const credentials = await this.resolveCredentials(info);
    if (!credentials) return headers;
    return signRequest(
      { method: info.method, url: info.url, headers, body },
      { credentials, region: this.options.region },
    );
  }

  /** Never undefined for an endpoint that needs a signature: a request must not go out unsigned by accident. */
  private async resolveCredentials(info: RequestInfo): Promise<AwsCredentials | undefined> {
    const { credentials, endpoint } = this.options;
    if (credentials === false || (credentials === undefined && isLocalEndpoint(endpoint))) return undefined;
    try {
      if (credentials) return typeof credentials === 'function' ? await credentials() : credentials;
      this.defaultChain ??= await loadDefaultChain();
      return await this.defaultChain();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SundialCredentialsError(
        `no AWS credentials to sign the request to ${endpoint} (${reason}): configure the AWS default credential chain (environment, profile, SSO, role) or pass \`credentials\`; \`credentials: false\` sends it unsigned`,
        info,
        { cause: error },
      );
    }
  }

  private async pause(ms: number, info: RequestInfo, signal: AbortSignal | undefined) {
    await this.options.sleep(ms, signal);
    throwIfAborted(signal, info);
  }

  /** Exponential backoff with full jitter, or the server's Retry-After (seconds) when it gives one. */
  private backoff(attempt: number, retryAfter?: string | null): number {
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, BACKOFF.retryAfterCapMs);
    return Math.floor(this.options.random() * Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt));
  }
}

/** Loaded on first use only: a client of a local endpoint never loads the AWS credential chain. */
async function loadDefaultChain(): Promise<() => Promise<AwsCredentials>> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}

function throwIfAborted(signal: AbortSignal | undefined, info: RequestInfo) {
  if (signal?.aborted) {
    throw new SundialAbortError(`${info.method} ${info.url}: aborted`, info, { cause: signal.reason });
  }
}

/** 429 and 503 mean the request was not processed; other 5xx may have been, like a network error. */
const retryable = (status: number, idempotent: boolean) =>
  status === 429 || status === 503 || (status >= 500 && idempotent);

const requestIdOf = (response: Response) =>
  response.headers.get('x-request-id') ?? response.headers.get('apigw-requestid') ?? undefined;

function parseAnswer(schema: z.ZodType | undefined, text: string, info: RequestInfo): unknown {
  if (!schema) return undefined;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch (error) {
    throw new SundialResponseError(`${info.method} ${info.url}: the answer is not JSON`, info, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new SundialResponseError(
    `${info.method} ${info.url}: the answer breaks the contract: ${issues}`,
    info,
    {
      cause: parsed.error,
    },
  );
}

function problemOf(response: Response, text: string): Problem {
  try {
    return Problem.parse(JSON.parse(text));
  } catch {
    // Not from the Sundial app: API Gateway (403 of a missing or wrong signature), a proxy, a load balancer.
    return {
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: text.slice(0, 1000) || undefined,
    };
  }
}
