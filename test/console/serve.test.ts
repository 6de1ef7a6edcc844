import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConsoleAssets } from '../../lib/console/assets';
import { CONSOLE_CSP, withConsole } from '../../lib/console/serve';
import type { LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('console-serve', clock, [] as DeliveryEvent[]);
});
afterAll(() => cloud?.stop());

describe('the console on the local API server', () => {
  it('sends / to the console, which is served with a policy that allows this origin only', async () => {
    const root = await fetch(`${cloud.apiUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');
    expect(cloud.consoleUrl).toBe(`${cloud.apiUrl}/console/`);

    const page = await fetch(cloud.consoleUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const html = await page.text();
    // Every script and stylesheet the page names is served here, under /console/assets/.
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBe(3);
    for (const asset of assets) {
      expect(asset).toMatch(/^assets\/(main-[A-Z0-9]+\.(js|css)|favicon-[0-9a-f]+\.svg)$/);
      const response = await fetch(new URL(asset, cloud.consoleUrl));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toContain('immutable');
    }
  });

  it('answers a conditional request with 304, a write with 405 and an unknown file with 404', async () => {
    const first = await fetch(cloud.consoleUrl);
    const etag = first.headers.get('etag') as string;
    expect((await fetch(cloud.consoleUrl, { headers: { 'if-none-match': etag } })).status).toBe(304);
    // JSON, or local mode's same-origin guard refuses the write first (415).
    const json = { 'content-type': 'application/json' };
    expect((await fetch(cloud.consoleUrl, { method: 'POST', headers: json })).status).toBe(405);
    // Files come from the built set in memory: no path reaches the disk.
    expect((await fetch(`${cloud.consoleUrl}assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${cloud.consoleUrl}assets/nothing.js`)).status).toBe(404);
  });

  it('leaves every API route as it was', async () => {
    expect(await (await fetch(`${cloud.apiUrl}/v1/health`)).json()).toEqual({ status: 'ok' });
    const post = await fetch(`${cloud.apiUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toBe('application/problem+json');
  });

  it('says how to build the console when it has not been built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sundial-console-'));
    expect(await loadConsoleAssets(empty)).toBeUndefined();
    const fetch = withConsole(() => new Response('api'), undefined);
    const response = await fetch(new Request('http://127.0.0.1/console/'));
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
  });
});
