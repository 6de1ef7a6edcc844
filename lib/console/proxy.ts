import { type ServerType, serve } from '@hono/node-server';
import { crossSiteResponse } from '../api/same-origin';
import { type CredentialsInput, signRequest } from '../client/sign';
import { type ConsoleAssets, loadConsoleAssets } from './assets';
import { type Fetch, withConsole } from './serve';

export interface ConsoleProxyOptions {
  /** The deployed API's base URL (API Gateway), or any Sundial API. */
  endpoint: string;
  /** SigV4 signing region. */
  region: string;
  /** Credentials to sign with; undefined forwards unsigned (only for a local endpoint). */
  credentials?: CredentialsInput;
  /** Port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The built console (default: loaded from where the build writes it). */
  assets?: ConsoleAssets;
  /** How the proxy calls the endpoint (default: the global fetch). */
  fetch?: typeof fetch;
  /** Milliseconds a forwarded request may take (default 30 000, above API Gateway's 29 s). */
  timeoutMs?: number;
}

export interface ConsoleProxy {
  url: string;
  close(): Promise<void>;
}

/** Request headers the page may send on to the API; everything else (cookies included) stays here. */
const REQUEST_HEADERS = ['accept', 'content-type', 'if-match'];
/** Response headers the page may see. */
const RESPONSE_HEADERS = ['content-type', 'etag', 'retry-after', 'apigw-requestid', 'x-amzn-requestid'];

const isApiPath = (path: string) => path.startsWith('/v1/') || path === '/openapi.json';

function pick(headers: Headers, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}

function problem(status: number, title: string, detail: string): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/**
 * Forwards the page's API calls to `endpoint`, signed with SigV4 (`execute-api`) here, so the browser
 * never holds a credential: it sees only the API's answers.
 */
export function signingForwarder(options: ConsoleProxyOptions, origins: () => string[]): Fetch {
  const send = options.fetch ?? globalThis.fetch;
  const base = options.endpoint.replace(/\/+$/, '');
  return async (request) => {
    const { pathname, search } = new URL(request.url);
    if (!isApiPath(pathname)) return problem(404, 'Not found', `no route for ${request.method} ${pathname}`);
    const refused = crossSiteResponse(request, origins());
    if (refused) return refused;
    const url = `${base}${pathname}${search}`;
    const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.text();
    const headers = pick(request.headers, REQUEST_HEADERS);
    try {
      const signed = options.credentials
        ? await signRequest(
            { method: request.method, url, headers, body },
            { credentials: options.credentials, region: options.region },
          )
        : headers;
      const answer = await send(url, {
        method: request.method,
        headers: signed,
        body: body || undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      return new Response(answer.body, {
        status: answer.status,
        headers: pick(answer.headers, RESPONSE_HEADERS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause ? ` (${cause.code ?? cause.message})` : '';
      const detail = `${base}: ${error instanceof Error ? error.message : String(error)}${why}`;
      return problem(502, 'The console could not reach the Sundial API', detail);
    }
  };
}

/** Serves the console on 127.0.0.1 and forwards its API calls to `endpoint`, signed. */
export async function startConsoleProxy(options: ConsoleProxyOptions): Promise<ConsoleProxy> {
  let origins: string[] = [];
  const fetch = withConsole(
    signingForwarder(options, () => origins),
    options.assets ?? (await loadConsoleAssets()),
  );
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch, port: options.port, hostname: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
