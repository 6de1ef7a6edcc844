import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS credentials, as the default provider chain resolves them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Credentials, or a function that resolves them (e.g. `fromNodeProviderChain()`), refreshed as needed. */
export type CredentialsInput = AwsCredentials | (() => Promise<AwsCredentials>);

export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Signs a request with SigV4 (API Gateway IAM authorization: service `execute-api`). Returns the headers
 * to send: the given ones plus `host`, `x-amz-date`, `authorization` and, with temporary credentials,
 * `x-amz-security-token`.
 */
export async function signRequest(
  request: SignableRequest,
  options: { credentials: CredentialsInput; region: string; service?: string; signingDate?: Date },
): Promise<Record<string, string>> {
  const url = new URL(request.url);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const seen = query[key];
    query[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Hash.bind(null, 'sha256'),
    // API Gateway needs no x-amz-content-sha256 header; the payload hash is in the signature anyway.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...request.headers, host: url.host },
      body: request.body,
    },
    { signingDate: options.signingDate },
  );
  return signed.headers as Record<string, string>;
}

/** The region of an API Gateway URL (`https://abc123.execute-api.eu-west-1.amazonaws.com`), if it is one. */
export function regionOfEndpoint(endpoint: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(endpoint).hostname)?.[1];
}

/** True for localhost endpoints (`npm start`), which are never signed. */
export function isLocalEndpoint(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
