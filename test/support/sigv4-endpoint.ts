import { type ServerType, serve } from '@hono/node-server';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../../lib/client/sign';

export interface SigV4Endpoint {
  url: string;
  /** Requests whose signature was recomputed and matched, as `METHOD path`. */
  verified: string[];
  /** Requests refused, with the reason. */
  refused: string[];
  close(): Promise<void>;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/** `20261201T120000Z` → Date. */
const amzDate = (text: string) =>
  new Date(text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

/**
 * Why API Gateway's IAM authorizer would refuse this request, or undefined if it would accept it: the
 * credential scope must name this key, region and `execute-api`; host and x-amz-date (and the session
 * token of temporary credentials) must be signed; and the signature, recomputed here over the signed
 * headers, path, query and body with the secret key, must match.
 */
async function refusal(request: Request, body: string, credentials: AwsCredentials, region: string) {
  const authorization = request.headers.get('authorization');
  const match = authorization ? AUTHORIZATION.exec(authorization) : null;
  if (!authorization || !match) return 'missing or malformed Authorization header';
  const [, keyId, day, scopeRegion, service, signedHeaderList = ''] = match;
  if (keyId !== credentials.accessKeyId) return `unknown access key ${keyId}`;
  if (scopeRegion !== region || service !== 'execute-api') return `scope ${scopeRegion}/${service}`;
  const signedHeaders = signedHeaderList.split(';');
  const required = ['host', 'x-amz-date', ...(credentials.sessionToken ? ['x-amz-security-token'] : [])];
  const unsigned = required.filter((name) => !signedHeaders.includes(name));
  if (unsigned.length > 0) return `not signed: ${unsigned.join(', ')}`;
  const date = request.headers.get('x-amz-date') ?? '';
  if (!date.startsWith(day as string)) return 'x-amz-date is not the day of the credential scope';
  if (request.headers.get('x-amz-security-token') !== (credentials.sessionToken ?? null))
    return 'wrong session token';
  const url = new URL(request.url);
  const query: Record<string, string> = Object.fromEntries(url.searchParams);
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, request.headers.get(name) ?? '']));
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers,
      body: body || undefined,
    },
    { signingDate: amzDate(date) },
  );
  return expected.headers.authorization === authorization ? undefined : 'signature mismatch';
}

/**
 * A stand-in for a deployed API Gateway with IAM authorization: it verifies each request's SigV4
 * signature against a known key (answering 403 as API Gateway does when it fails), then forwards
 * the request to `upstream` (a local Sundial API).
 */
export async function startSigV4Endpoint(options: {
  credentials: AwsCredentials;
  region: string;
  upstream: string;
}): Promise<SigV4Endpoint> {
  const verified: string[] = [];
  const refused: string[] = [];
  const fetch = async (request: Request) => {
    const body = await request.text();
    const { pathname, search } = new URL(request.url);
    const reason = await refusal(request, body, options.credentials, options.region);
    if (reason) {
      refused.push(`${request.method} ${pathname}: ${reason}`);
      return Response.json({ message: 'Forbidden' }, { status: 403 });
    }
    verified.push(`${request.method} ${pathname}`);
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'if-match']) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return globalThis.fetch(`${options.upstream}${pathname}${search}`, {
      method: request.method,
      headers,
      body: body || undefined,
    });
  };
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    verified,
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
