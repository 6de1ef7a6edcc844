import { mkdirSync } from 'node:fs';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../../lib/local/cloud';
import { localDynamoDbClient } from '../../lib/local/dynamodb-local';
import { runKey, taskKey } from '../../lib/store/schema';
import type { DeliveryEvent } from '../../lib/task/schemas';
import { SCREENSHOTS_DIR } from '../../scripts/screenshots';
import { launchBrowser } from '../support/browser';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

// The page's globals, as the callbacks passed to evaluate() use them: they run in the browser, and this
// file is type-checked without the DOM library (declared here, they stay local to this module).
interface PageElement {
  tagName: string;
  scrollWidth: number;
  clientWidth: number;
  outerHTML: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  labels?: { length: number } | null;
}
declare const document: {
  activeElement: PageElement | null;
  documentElement: { scrollWidth: number };
  getElementById(id: string): PageElement | null;
  querySelectorAll(selectors: string): Iterable<PageElement>;
};
declare const window: { innerWidth: number; sameDocument?: boolean };

const VIEWER_ZONE = 'Europe/Lisbon';

// A Tuesday, 08:00 in New York: the local cloud's clock moves only when a test moves it.
const clock = new ManualClock(Date.parse('2026-12-01T13:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requested: string[] = [];
const pageErrors: string[] = [];

async function newContext(width: number, height: number): Promise<BrowserContext> {
  const made = await browser.newContext({
    viewport: { width, height },
    timezoneId: VIEWER_ZONE,
    locale: 'en-GB',
  });
  made.setDefaultTimeout(20_000);
  made.on('request', (request) => requested.push(request.url()));
  made.on('weberror', (error) => pageErrors.push(error.error().message));
  return made;
}

beforeAll(async () => {
  cloud = await startTestCloud('console-browser', clock, received);
  browser = await launchBrowser();
  context = await newContext(1280, 900);
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
  await cloud?.stop();
});

async function api(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const open = (hash: string) => page.goto(`${cloud.consoleUrl}${hash}`);

/** The text of the error a control points at with aria-describedby (its first id). */
const errorOf = (name: string) =>
  page.getByLabel(name, { exact: true }).evaluate((control) => {
    const id = control.getAttribute('aria-describedby')?.split(' ')[0];
    return control.getAttribute('aria-invalid') === 'true' && id
      ? document.getElementById(id)?.textContent
      : null;
  });

const runRows = () => page.locator('tr[data-run-id]');

describe('the console in a real browser', { timeout: 120_000 }, () => {
  it('opens on the task list, from / on the local API server', async () => {
    await page.goto(`${cloud.apiUrl}/`);
    expect(page.url()).toBe(`${cloud.consoleUrl}`);
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.getByText('No tasks yet.').waitFor();
    await page.getByRole('link', { name: 'Scheduler running' }).waitFor();
  });

  it('creates a task with the form, showing its preview before saving', async () => {
    const newTask = page.getByRole('link', { name: 'New task' });
    await newTask.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New task' }).waitFor();
    await page.getByLabel('Id', { exact: true }).fill('nightly-report');
    await page.getByLabel('Group', { exact: true }).fill('reports');
    await page.getByLabel('Description', { exact: true }).fill('The daily report');
    await page.getByLabel('Target function').fill('sundial-recorder');
    await page.getByLabel('Cron expression').fill('0 9 * * MON-FRI');
    await page.getByLabel('Time zone').fill('America/New_York');
    await page.getByLabel('Payload (JSON)').fill('{"report": "daily"}');

    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText('At 09:00, Monday through Friday (America/New_York)').waitFor();
    // The server's clock says 08:00 in New York: the first occurrence is today at 09:00 (14:00 in Lisbon).
    const first = preview.getByRole('listitem').first();
    expect(await first.textContent()).toBe('2026-12-01 09:00:00 · 2026-12-01 14:00:00 yours');
    expect(await preview.getByRole('listitem').count()).toBe(10);

    await page.getByRole('button', { name: 'Create task' }).click();
    await page.getByRole('heading', { name: 'Task nightly-report' }).waitFor();
    await page.getByRole('status').getByText('Created task nightly-report').waitFor();
    const stored = await api('/v1/tasks/nightly-report');
    expect(stored.body).toMatchObject({
      group: 'reports',
      description: 'The daily report',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '0 9 * * MON-FRI' },
      timezone: 'America/New_York',
      payload: { report: 'daily' },
      nextRunAt: '2026-12-01T14:00:00.000Z',
    });
    const next = page.getByRole('region', { name: 'Next 10 occurrences' });
    const row = next.getByRole('row').nth(1);
    await row.waitFor();
    expect(await row.textContent()).toBe('12026-12-01 09:00:00 UTC-05:002026-12-01 14:00:00 UTC+00:00');
  });

  it('shows a validation error beside the field it names, and saves nothing', async () => {
    await open('#/new');
    await page.getByLabel('Id', { exact: true }).fill('bad-target');
    // The live preview reports a bad cron before anything is saved.
    await page.getByLabel('Cron expression').fill('61 * * * *');
    await expect.poll(() => errorOf('Cron expression')).toContain('61');
    await page.getByLabel('Cron expression').fill('*/5 * * * *');
    await expect.poll(() => errorOf('Cron expression')).toBeNull();
    // The allow-list is checked on save, by the API: its problem+json names target.function.
    await page.getByLabel('Target function').fill('not-allowed');
    await page.getByLabel('Payload (JSON)').fill('{"n": 1}');
    await page.getByRole('button', { name: 'Create task' }).click();
    await expect.poll(() => errorOf('Target function')).toContain('outside the allow-list');
    await page
      .getByRole('alert')
      .getByRole('link', { name: /^target\.function: / })
      .waitFor();
    expect((await api('/v1/tasks/bad-target')).status).toBe(404);
    // What the page can tell by itself (not JSON) is marked before any request.
    await page.getByLabel('Payload (JSON)').fill('{oops');
    await expect.poll(() => errorOf('Payload (JSON)')).toContain('must be JSON');
  });

  it('shows runs as they arrive, without reloading the page', async () => {
    expect((await api('/v1/tasks', { method: 'POST', body: ping })).status).toBe(201);
    await open('#/tasks/ping');
    await page.getByRole('region', { name: 'Run history' }).getByText('No runs yet.').waitFor();
    await page.evaluate(() => {
      window.sameDocument = true;
    });

    clock.advance(5 * 60_000);
    expect((await cloud.tick()).handedOff).toBe(1);
    await runRows().first().waitFor();
    expect(await runRows().count()).toBe(1);
    const scheduled = (await runRows().first().innerText()).split(/\s+/);
    expect(scheduled).toEqual(expect.arrayContaining(['schedule', 'delivered', '0', 'ms']));

    // The run-now goes to the fire queue; this test's clock is manual, so the queue is drained by hand.
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/tasks/ping/run')),
      page.getByRole('button', { name: 'Run now' }).click(),
    ]);
    await cloud.settle();
    await page.getByRole('row', { name: /manual/ }).waitFor();
    expect(await runRows().count()).toBe(2);
    await page.getByRole('img', { name: /^Lateness of the last 2 runs/ }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
  });

  it('pauses and resumes a task from the keyboard', async () => {
    const state = page.locator('.page-head .badge');
    await page.getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    expect(await state.textContent()).toBe('paused');
    expect((await api('/v1/tasks/ping')).body.state).toBe('paused');

    await page.getByRole('button', { name: 'Resume' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    expect(await state.textContent()).toBe('active');
    expect((await api('/v1/tasks/ping')).body.state).toBe('active');
  });

  it('edits with If-Match: a change made meanwhile by someone else is refused, not overwritten', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: 'Edit ping' }).waitFor();
    await page.getByLabel('Description', { exact: true }).fill('mine');
    const theirs = await api('/v1/tasks/ping', { method: 'PATCH', body: { description: 'theirs' } });
    expect(theirs.status).toBe(200);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('alert')
      .getByText(/someone changed this task/)
      .waitFor();
    expect((await api('/v1/tasks/ping')).body).toMatchObject({
      description: 'theirs',
      version: theirs.body.version,
    });

    await page.getByRole('button', { name: /^Load the task as it is now/ }).click();
    await expect.poll(() => page.getByLabel('Description', { exact: true }).inputValue()).toBe('theirs');
    await page.getByLabel('Description', { exact: true }).fill('mine');
    await page.getByLabel('minutes', { exact: true }).fill('2');
    await page.getByRole('region', { name: 'Preview' }).getByText('Every 2 minutes').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Task ping' }).waitFor();
    expect((await api('/v1/tasks/ping')).body).toMatchObject({
      description: 'mine',
      schedule: { every: { minutes: 2 } },
      version: theirs.body.version + 1,
    });
  });

  it('lists tasks by group and state, a page at a time, and finds one by id', async () => {
    const tasks = Array.from({ length: 25 }, (_, i) => ({
      ...ping,
      id: `bulk-${String(i).padStart(2, '0')}`,
      group: 'bulk',
    }));
    expect((await api('/v1/tasks/batch', { method: 'POST', body: { tasks } })).status).toBe(201);
    const rows = page.locator('table.tasks tbody tr');
    await open('#/tasks?group=bulk');
    await page.getByRole('link', { name: 'bulk-19' }).waitFor();
    expect(await rows.count()).toBe(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await page.getByRole('link', { name: 'bulk-24' }).waitFor();
    expect(await rows.count()).toBe(5);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('link', { name: 'bulk-00' }).waitFor();

    await page.getByLabel('State').selectOption('paused');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No task matches.').waitFor();

    await open('#/tasks');
    await page.getByLabel('Search by id').fill('bulk-07');
    await page.getByLabel('Search by id').press('Enter');
    await page.getByRole('link', { name: 'bulk-07' }).waitFor();
    expect(await rows.count()).toBe(1);
  });

  it('acts on whole groups with their counts, and pauses and resumes the scheduler', async () => {
    await page.getByRole('link', { name: 'Groups' }).click();
    const bulk = page.getByRole('row', { name: /^bulk / });
    await bulk.waitFor();
    expect(await bulk.getByRole('cell').allTextContents()).toEqual(expect.arrayContaining(['25', '0']));
    await page.getByRole('button', { name: 'Pause group bulk' }).click();
    await page.getByText('Group bulk: 25 tasks, 25 paused').first().waitFor();
    await expect.poll(() => bulk.getByRole('cell').nth(2).textContent()).toBe('25');

    await page.getByRole('button', { name: 'Delete group reports' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete group reports?' });
    await dialog.getByRole('button', { name: 'Delete every task of the group' }).click();
    await page.getByText('Group reports: 1 tasks, 1 deleted').first().waitFor();
    expect((await api('/v1/tasks/nightly-report')).status).toBe(404);

    await page.getByRole('link', { name: 'Scheduler', exact: true }).click();
    await page.getByRole('button', { name: 'Pause the scheduler' }).click();
    await page.getByRole('link', { name: 'Scheduler paused' }).waitFor();
    expect((await api('/v1/scheduler')).body.state).toBe('DISABLED');
    await page.getByRole('button', { name: 'Resume the scheduler' }).click();
    await page.getByRole('link', { name: 'Scheduler running' }).waitFor();
    expect((await api('/v1/scheduler')).body.state).toBe('ENABLED');
  });

  it('deletes a task only after confirmation', async () => {
    await open('#/tasks/ping');
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete task ping?' });
    await dialog.waitFor();
    // Cancel has the focus: Escape (or Enter) leaves the task alone.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await api('/v1/tasks/ping')).status).toBe(200);

    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete task' }).click();
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
    await page.getByRole('status').getByText('Deleted task ping').waitFor();
    expect((await api('/v1/tasks/ping')).status).toBe(404);
  });

  it('shows tracked runs: each status apart, with error and attempt; the task summary and policies', async () => {
    // The runtime that records outcomes is tested on its own: here the records are written straight
    // into the table, in the shape it writes them, and everything else is the real API.
    const body = {
      ...ping,
      id: 'tracked',
      retry: { maxAttempts: 3, delaySeconds: 10 },
      overlap: { policy: 'skip' },
    };
    expect((await api('/v1/tasks', { method: 'POST', body })).status).toBe(201);
    const doc = DynamoDBDocumentClient.from(localDynamoDbClient(cloud.dynamodbEndpoint));
    const table = cloud.config.tableName;
    const run = (n: number, status: string, extra: object) => ({
      ...runKey('tracked', `01KTRACKEDRUN000000000000${n}`),
      taskId: 'tracked',
      runId: `01KTRACKEDRUN000000000000${n}`,
      scheduledAt: `2026-12-01T12:${50 + n}:00.000Z`,
      firedAt: `2026-12-01T12:${50 + n}:00.020Z`,
      attempt: 1,
      source: 'schedule',
      status,
      leaseUntil: 1,
      ...extra,
    });
    const runs = [
      run(5, 'failed', {
        attempt: 2,
        durationMs: 1200,
        errorType: 'TypeError',
        errorMessage: 'boom',
        retryAt: '2026-12-01T13:00:10.000Z',
      }),
      run(4, 'timed_out', { durationMs: 30_000 }),
      run(3, 'skipped', { reason: 'overlap' }),
      run(2, 'succeeded', { durationMs: 340 }),
    ];
    for (const Item of runs) await doc.send(new PutCommand({ TableName: table, Item }));
    await doc.send(
      new UpdateCommand({
        TableName: table,
        Key: taskKey('tracked'),
        UpdateExpression: 'SET lastStatus = :s, lastError = :e, consecutiveFailures = :n',
        ExpressionAttributeValues: { ':s': 'failed', ':e': 'TypeError: boom', ':n': 2 },
      }),
    );
    try {
      await open('#/tasks/tracked');
      await page.getByRole('columnheader', { name: 'Duration' }).waitFor();
      const failed = page.getByRole('row', { name: /TypeError: boom/ });
      expect(await failed.innerText()).toMatch(
        /2\s+failed[\s\S]*retry at[\s\S]*1\.20 s[\s\S]*TypeError: boom/,
      );
      await page
        .getByRole('row', { name: /timed out/ })
        .getByText('30.0 s')
        .waitFor();
      await page
        .getByRole('row', { name: /skipped/ })
        .getByText('overlap')
        .waitFor();
      const tones = await runRows()
        .locator('.badge')
        .evaluateAll((badges) => badges.map((b) => `${b.textContent} ${b.getAttribute('class')}`));
      expect(tones).toEqual([
        'failed badge tone-bad',
        'timed out badge tone-late',
        'skipped badge tone-muted',
        'succeeded badge tone-good',
      ]);
      await page
        .getByRole('img', { name: /^Duration of the last 3 runs: median 1\.20 s, max 30\.0 s/ })
        .waitFor();
      const fields = page.getByRole('region', { name: 'Fields' });
      const shown: [string, string][] = [
        ['lastStatus', 'failed'],
        ['lastError', 'TypeError: boom'],
        ['consecutiveFailures', '2'],
        ['retry', '3 attempts, 10 s then ×2'],
        ['overlap', 'skip, at most 1 in progress'],
      ];
      for (const [name, value] of shown) {
        expect(await fields.getByText(name, { exact: true }).locator('xpath=..').innerText()).toContain(
          value,
        );
      }
      expect(await page.content()).not.toContain('leaseUntil');
      await open('#/tasks/tracked/edit');
      await page.getByText('Retries and overlap').waitFor();
      expect(await page.getByLabel('Attempts in all (1-10)').inputValue()).toBe('3');
      expect(await page.getByLabel('While runs are in progress').inputValue()).toBe('skip');
      await open('#/tasks?q=tracked');
      const row = page.getByRole('row', { name: /^tracked / });
      await row.getByText('2 failing in a row').waitFor();
      expect(await row.locator('.badge').allTextContents()).toEqual(['active', 'failed']);
    } finally {
      expect((await api('/v1/tasks/tracked', { method: 'DELETE' })).status).toBe(204);
    }
  });

  it('names every control, loads nothing from elsewhere and throws no error', async () => {
    for (const hash of ['#/tasks', '#/new', '#/groups', '#/scheduler', '#/tasks/bulk-00']) {
      await open(hash);
      await page.locator('main h1').waitFor();
      await page
        .getByText(/Loading/)
        .first()
        .waitFor({ state: 'detached' });
      expect({ hash, unnamed: await unnamedControls(page) }).toEqual({ hash, unnamed: [] });
    }
    expect(requested.filter((url) => !url.startsWith(`${cloud.apiUrl}/`))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  // Screenshots go to SCREENSHOTS_DIR (gitignored); `npm run screenshots` copies them into docs/console/.
  it('fits 390 px without sideways scrolling, and leaves screenshots at 1280 and 390 px', async () => {
    await showcase();
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await open('#/tasks/invoice-reminders');
    await runRows().nth(5).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS_DIR}/task-1280.png`, fullPage: true });
    await open('#/tasks');
    await page.getByRole('link', { name: 'invoice-reminders' }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS_DIR}/tasks-1280.png`, fullPage: true });

    const phone = await newContext(390, 844);
    const small = await phone.newPage();
    // Each view once its content is in: the tables the page and its tables must fit.
    const views: [string, string][] = [
      ['#/tasks', 'a[href="#/tasks/invoice-reminders"]'],
      ['#/new', 'button[type="submit"]'],
      ['#/groups', 'a[href="#/tasks?group=billing"]'],
      ['#/scheduler', 'dl.fields'],
      ['#/tasks/invoice-reminders', '[aria-labelledby="next-heading"] tbody tr >> nth=9'],
    ];
    for (const [hash, content] of views) {
      await small.goto(`${cloud.consoleUrl}${hash}`);
      await small.locator(content).first().waitFor();
      // Neither the page nor any table scrolls sideways.
      const overflow = await small.evaluate(() => [
        document.documentElement.scrollWidth - window.innerWidth,
        ...[...document.querySelectorAll('.table-wrap')].map((el) => el.scrollWidth - el.clientWidth),
      ]);
      expect({ hash, overflow: overflow.filter((n) => n > 0) }).toEqual({ hash, overflow: [] });
    }
    // A phone's first screen of each (a full page of cards is too long to show).
    await small.locator('tr[data-run-id]').nth(5).waitFor();
    await small.getByRole('region', { name: 'Recent runs' }).scrollIntoViewIfNeeded();
    await small.screenshot({ path: `${SCREENSHOTS_DIR}/task-390.png` });
    await small.goto(`${cloud.consoleUrl}#/tasks?group=billing`);
    await small.getByRole('link', { name: 'invoice-reminders' }).waitFor();
    await small.screenshot({ path: `${SCREENSHOTS_DIR}/tasks-390.png` });
    await phone.close();
  });
});

const ping = { id: 'ping', target: { function: 'sundial-recorder' }, schedule: { every: { minutes: 5 } } };

/** A task with a few runs fired a little late (by the manual clock), for the screenshots. */
async function showcase() {
  const created = await api('/v1/tasks', {
    method: 'POST',
    body: {
      id: 'invoice-reminders',
      group: 'billing',
      description: 'Remind customers of unpaid invoices',
      target: { function: 'sundial-recorder' },
      schedule: { cron: '*/15 8-18 * * MON-FRI' },
      timezone: 'America/New_York',
      payload: { template: 'reminder', batch: 50 },
    },
  });
  expect(created.status).toBe(201);
  for (const lateMs of [40, 120, 15, 260, 90, 30]) {
    const { body } = await api('/v1/tasks/invoice-reminders');
    clock.set(Date.parse(body.nextRunAt) + lateMs);
    expect((await cloud.tick()).handedOff).toBeGreaterThan(0);
  }
  await api('/v1/tasks/invoice-reminders/run', { method: 'POST' });
  await cloud.settle();
}

/** Controls without an accessible name: inputs without a label, buttons and links without text. */
function unnamedControls(target: Page): Promise<string[]> {
  return target.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button, a[href]')]
      .filter((el) => {
        const labelled = el.labels?.length || el.getAttribute('aria-label');
        const text = el.textContent?.trim();
        return el.tagName === 'BUTTON' || el.tagName === 'A' ? !text && !labelled : !labelled;
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}
