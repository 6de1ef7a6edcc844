import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TICK_FUNCTION, type LocalCloud } from '../../lib/local/cloud';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { launchBrowser } from '../support/browser';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

/**
 * What any web page open in the user's browser can do to `npm start`, tried by a real Chromium from a page
 * of another origin: every request a page may send without asking (no-cors fetches, a form post) is made,
 * and nothing local changes.
 */

const received: DeliveryEvent[] = [];
let cloud: LocalCloud;
let browser: Browser;
let attacker: Server;
let attackerUrl: string;

/** The hostile page: fires every simple request it can at the local API and the Lambda endpoint. */
function hostilePage(api: string, lambda: string) {
  const targets = [
    `${api}/v1/scheduler/pause`,
    `${api}/v1/tasks/victim/run`,
    `${api}/v1/groups/g/pause`,
    `${api}/v1/tasks/victim/pause`,
    `${lambda}/2015-03-31/functions/${LOCAL_TICK_FUNCTION}/invocations`,
    `${lambda}/2015-03-31/functions/sundial-recorder/invocations`,
  ];
  return `<!doctype html><html><body>
<form id="form" method="POST" action="${api}/v1/scheduler/pause" enctype="text/plain" target="sink">
  <input name='{"x":"' value='"}'></form>
<iframe name="sink"></iframe>
<script>
(async () => {
  const sent = await Promise.allSettled(${JSON.stringify(targets)}.flatMap((url) => [
    fetch(url, { method: 'POST', mode: 'no-cors', body: '{}', headers: { 'content-type': 'text/plain' } }),
    fetch(url, { method: 'POST', mode: 'no-cors' }),
  ]));
  document.getElementById('form').submit();
  document.title = 'done ' + sent.length;
})();
</script></body></html>`;
}

beforeAll(async () => {
  cloud = await startTestCloud('e2e-local-guard-browser', new ManualClock(Date.now()), received);
  const created = await fetch(`${cloud.apiUrl}/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: 'victim',
      group: 'g',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 0 1 1 *' },
    }),
  });
  expect(created.status).toBe(201);
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(hostilePage(cloud.apiUrl, cloud.lambdaUrl));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  attacker?.closeAllConnections();
  await new Promise((resolve) => attacker?.close(resolve));
  await cloud?.stop();
});

describe('a page of another origin in a real browser', () => {
  it('cannot pause the scheduler, a task or a group, queue a run, or invoke a function', async () => {
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    await page.waitForFunction("document.title.startsWith('done')");
    // The form post navigates the iframe: once its answer has arrived, its document is another origin's.
    await page.waitForFunction("document.querySelector('iframe').contentDocument === null");
    await page.close();

    const get = async (path: string) => (await fetch(`${cloud.apiUrl}${path}`)).json();
    expect(await get('/v1/scheduler')).toMatchObject({ state: 'ENABLED' });
    expect(await get('/v1/tasks/victim')).toMatchObject({ state: 'active', version: 1 });
    expect(await get('/v1/tasks/victim/runs')).toEqual({ runs: [] });
    expect(cloud.lambda.calls.size).toBe(0);
    expect(received).toEqual([]);
  }, 60_000);
});
