import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The credentials of one local run: the secret is new at every start and known only to Sundial's own clients. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** `20261201T120000Z` → Date. */
const amzDate = (text: string) =>
  new Date(text.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
};

/**
 * Why a request to a local AWS endpoint is not signed (AWS Signature Version 4) with `credentials`, or
 * undefined when it is: the AWS SDK's own signer recomputes the signature over the headers the request
 * says it signed, its path, query and body. No clock-skew window: replaying a request needs the traffic
 * on the loopback interface, which only this machine's administrator can read.
 */
export async function unsignedReason(
  req: IncomingMessage,
  body: Buffer,
  credentials: LocalCredentials,
  service: string,
): Promise<string | undefined> {
  const match = AUTHORIZATION.exec(header(req, 'authorization'));
  if (!match) return 'the request is not signed with AWS Signature Version 4';
  const [, keyId, day = '', region = '', scopeService, signedList = '', signature = ''] = match;
  if (keyId !== credentials.accessKeyId || scopeService !== service) return 'unknown credentials';
  const signedNames = signedList.split(';');
  const date = header(req, 'x-amz-date');
  if (!signedNames.includes('host') || !date.startsWith(day)) return 'host and x-amz-date must be signed';
  const payloadHash = header(req, 'x-amz-content-sha256');
  if (payloadHash && payloadHash !== createHash('sha256').update(body).digest('hex')) return 'body altered';
  const url = new URL(req.url ?? '/', 'http://local');
  const signer = new SignatureV4({ service, region, credentials, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(
    {
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(signedNames.map((name) => [name, header(req, name)])),
      body,
    },
    { signingDate: amzDate(date) },
  );
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const same =
    expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  return same ? undefined : 'the signature does not match this run’s credentials';
}
