import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../lib/client/sign';
import { type ConsoleProxy, startConsoleProxy } from '../../lib/console/proxy';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';
import { type SigV4Endpoint, startSigV4Endpoint } from '../support/sigv4-endpoint';

// Made-up temporary credentials: the endpoint below knows the secret and recomputes every signature.
const CREDENTIALS = {
  accessKeyId: 'AKIDCONSOLETEST',
  secretAccessKey: 'console-test-secret-key-0123456789',
  sessionToken: 'console-test-session-token',
};
const REGION = 'eu-west-1';
const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
let cloud: LocalCloud;
let endpoint: SigV4Endpoint;
let proxy: ConsoleProxy;

beforeAll(async () => {
  cloud = await startTestCloud('console-proxy', clock, [] as DeliveryEvent[]);
  endpoint = await startSigV4Endpoint({ credentials: CREDENTIALS, region: REGION, upstream: cloud.apiUrl });
  proxy = await startConsoleProxy({
    endpoint: endpoint.url,
    region: REGION,
    credentials: CREDENTIALS,
    port: 0,
  });
});
afterAll(async () => {
  await proxy?.close();
  await endpoint?.close();
  await cloud?.stop();
});

const json = { 'content-type': 'application/json' };
const task = (id: string) => ({
  id,
  target: { function: 'sundial-recorder' },
  schedule: { cron: '0 * * * *' },
});

/** A raw request, so that Host and other headers a fetch would set itself are the test's to choose. */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string) {
  const { port } = new URL(proxy.url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sundial console: the forwarding proxy', () => {
  it('the stand-in endpoint refuses what API Gateway would: no signature, a changed body', async () => {
    const unsigned = await fetch(`${endpoint.url}/v1/tasks`);
    expect(unsigned.status).toBe(403);
    const url = `${endpoint.url}/v1/tasks`;
    const body = JSON.stringify(task('tampered'));
    const headers = await signRequest(
      { method: 'POST', url, headers: json, body },
      { credentials: CREDENTIALS, region: REGION },
    );
    const tampered = await fetch(url, {
      method: 'POST',
      headers,
      body: body.replace('tampered', 'tampered-2'),
    });
    expect(tampered.status).toBe(403);
    expect(endpoint.refused).toEqual([
      'GET /v1/tasks: missing or malformed Authorization header',
      'POST /v1/tasks: signature mismatch',
    ]);
    endpoint.refused.length = 0;
  });

  it('forwards every call signed with SigV4 and hands back the API answer', async () => {
    const created = await fetch(`${proxy.url}/v1/tasks`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify(task('via-proxy')),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const listed = await fetch(`${proxy.url}/v1/tasks?limit=5&state=active`);
    const page = (await listed.json()) as { tasks: { id: string }[] };
    expect(page.tasks.map((t) => t.id)).toEqual(['via-proxy']);
    const stale = await fetch(`${proxy.url}/v1/tasks/via-proxy`, {
      method: 'PATCH',
      headers: { ...json, 'if-match': '"7"' },
      body: JSON.stringify({ description: 'x' }),
    });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toBe('application/problem+json');
    const paused = await fetch(`${proxy.url}/v1/tasks/via-proxy/pause`, { method: 'POST', headers: json });
    expect(await paused.json()).toMatchObject({ state: 'paused' });
    expect((await fetch(`${proxy.url}/v1/tasks/via-proxy`, { method: 'DELETE', headers: json })).status).toBe(
      204,
    );
    expect(endpoint.verified).toEqual([
      'POST /v1/tasks',
      'GET /v1/tasks',
      'PATCH /v1/tasks/via-proxy',
      'POST /v1/tasks/via-proxy/pause',
      'DELETE /v1/tasks/via-proxy',
    ]);
    expect(endpoint.refused).toEqual([]);
  });

  it('hands the page no credential: no signing header and no key in any answer', async () => {
    const answer = await fetch(`${proxy.url}/v1/tasks/missing`);
    expect(answer.status).toBe(404);
    const headers = [...answer.headers.keys()];
    expect(headers.filter((h) => h === 'authorization' || h.startsWith('x-amz-'))).toEqual([]);
    const text = await answer.text();
    for (const secret of Object.values(CREDENTIALS)) expect(text).not.toContain(secret);
  });

  it("refuses requests that are not its own page's, before they are signed", async () => {
    const before = endpoint.verified.length;
    const { host } = new URL(proxy.url);
    const body = JSON.stringify({});
    const cases = await Promise.all([
      raw('/v1/scheduler/pause', { host: 'attacker.example', ...json }, 'POST', body),
      raw('/v1/scheduler/pause', { host, origin: 'http://attacker.example', ...json }, 'POST', body),
      raw('/v1/scheduler/pause', { host, 'sec-fetch-site': 'cross-site', ...json }, 'POST', body),
      raw('/v1/scheduler/pause', { host, 'sec-fetch-site': 'same-site', ...json }, 'POST', body),
      raw('/v1/scheduler/pause', { host, 'content-type': 'text/plain' }, 'POST', body),
      raw('/v1/tasks', { host: 'attacker.example' }),
    ]);
    expect(cases.map((c) => c.status)).toEqual([403, 403, 403, 403, 415, 403]);
    expect(JSON.parse(cases[0]?.body ?? '{}').detail).toContain('Host');
    expect(endpoint.verified.length).toBe(before);
    const own = await raw('/v1/scheduler', { host, origin: proxy.url, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(200);
  });

  it('serves the console itself, and only API paths are forwarded', async () => {
    const root = await fetch(`${proxy.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/console/');
    expect(await (await fetch(`${proxy.url}/console/`)).text()).toContain('<div id="app">');
    expect((await fetch(`${proxy.url}/elsewhere`)).status).toBe(404);
  });

  it('answers 502 naming the endpoint when it cannot be reached', async () => {
    const closed = await startSigV4Endpoint({
      credentials: CREDENTIALS,
      region: REGION,
      upstream: cloud.apiUrl,
    });
    await closed.close();
    const orphan = await startConsoleProxy({
      endpoint: closed.url,
      region: REGION,
      credentials: CREDENTIALS,
      port: 0,
    });
    try {
      const answer = await fetch(`${orphan.url}/v1/tasks`);
      expect(answer.status).toBe(502);
      const { detail } = (await answer.json()) as { detail: string };
      expect(detail).toContain(closed.url);
      expect(detail).toContain('ECONNREFUSED');
    } finally {
      await orphan.close();
    }
  });
});
