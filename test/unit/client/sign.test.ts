import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isLocalEndpoint, regionOfEndpoint, signRequest } from '../../../lib/client/sign';

// The credentials of the AWS Signature Version 4 test suite.
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const signingDate = new Date('2015-08-30T12:36:00Z');

describe('signRequest', () => {
  it('matches the AWS SigV4 test-suite vector get-vanilla', async () => {
    const headers = await signRequest(
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: {} },
      { credentials, region: 'us-east-1', service: 'service', signingDate },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it('agrees with an independent signer on a POST with a query and a JSON body', async () => {
    const body = JSON.stringify({ id: 'nightly', schedule: { cron: '0 2 * * *' } });
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/tasks?limit=5&group=a%20b';
    const headers = await signRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json' }, body },
      { credentials: { ...credentials, sessionToken: 'TOKEN' }, region: 'eu-west-1', signingDate },
    );
    expect(headers.authorization).toBe(independentSignature('POST', url, body, 'TOKEN'));
    expect(headers['x-amz-security-token']).toBe('TOKEN');
  });
});

describe('endpoints', () => {
  it('reads the region of an API Gateway URL and recognises local endpoints', () => {
    expect(regionOfEndpoint('https://abc.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(regionOfEndpoint('https://api.example.com')).toBeUndefined();
    expect(isLocalEndpoint('http://127.0.0.1:3000')).toBe(true);
    expect(isLocalEndpoint('http://localhost:3000')).toBe(true);
    expect(isLocalEndpoint('https://abc.execute-api.eu-west-1.amazonaws.com')).toBe(false);
  });
});

/** SigV4 written out from the specification, with node:crypto only, for this one request shape. */
function independentSignature(method: string, href: string, body: string, token: string): string {
  const url = new URL(href);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
  const amzDate = '20150830T123600Z';
  const query = [...url.searchParams]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a as string).localeCompare(b as string))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers: [string, string][] = [
    ['content-type', 'application/json'],
    ['host', url.host],
    ['x-amz-date', amzDate],
    ['x-amz-security-token', token],
  ];
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonical = [
    method,
    url.pathname,
    query,
    ...headers.map(([k, v]) => `${k}:${v}`),
    '',
    signedHeaders,
    sha(body),
  ].join('\n');
  const scope = '20150830/eu-west-1/execute-api/aws4_request';
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretAccessKey}`, '20150830');
  for (const part of ['eu-west-1', 'execute-api', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
