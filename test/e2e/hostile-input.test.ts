import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../lib/api/json-body';
import type { LocalCloud } from '../../lib/local/cloud';
import { type DeliveryEvent, MAX_PAYLOAD_DEPTH, type Problem } from '../../lib/task/schemas';
import { ManualClock } from '../support/clock';
import { startTestCloud } from '../support/cloud';

const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
const received: DeliveryEvent[] = [];
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud('e2e-hostile-input', clock, received);
});
afterAll(() => cloud?.stop());

/** Sends `body` as raw text, so numbers JSON.stringify would never write can be sent. */
async function send(method: string, path: string, body: string) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: JSON.parse(text) };
}

const task = (id: string, payload: string) =>
  `{"id":"${id}","target":{"function":"sundial-recorder"},"schedule":{"cron":"0 * * * *"},"payload":${payload}}`;
const nested = (levels: number, open = '[', close = ']') => `${open.repeat(levels)}${close.repeat(levels)}`;
const nestedObject = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;

async function stored(id: string) {
  const response = await fetch(`${cloud.apiUrl}/v1/tasks/${id}`);
  return response.status === 200 ? ((await response.json()) as { payload: unknown }) : undefined;
}

describe('payload nesting', () => {
  it('refuses a payload nested 10,000 levels deep with a 400 naming the field (POST, batch, PATCH)', async () => {
    for (const deep of [nested(10_000), nestedObject(10_000)]) {
      const created = await send('POST', '/v1/tasks', task('deep', deep));
      expect(created.status).toBe(400);
      expect(created.type).toBe('application/problem+json');
      expect((created.body as Problem).errors).toEqual([
        { path: 'payload', message: `must be nested at most ${MAX_PAYLOAD_DEPTH} levels deep` },
      ]);

      const batch = await send(
        'POST',
        '/v1/tasks/batch',
        `{"tasks":[${task('ok', '{}')},${task('deep', deep)}]}`,
      );
      expect(batch.status).toBe(400);
      expect((batch.body as Problem).errors?.map((e) => e.path)).toEqual(['tasks.1.payload']);
    }
    expect(await stored('deep')).toBeUndefined();
    expect(await stored('ok')).toBeUndefined();

    await send('POST', '/v1/tasks', task('shallow', '{"v":1}'));
    const patched = await send('PATCH', '/v1/tasks/shallow', `{"payload":${nested(10_000)}}`);
    expect(patched.status).toBe(400);
    expect((patched.body as Problem).errors?.map((e) => e.path)).toEqual(['payload']);
    expect((await stored('shallow'))?.payload).toEqual({ v: 1 });
  });

  it(`accepts a payload nested exactly ${MAX_PAYLOAD_DEPTH} levels deep and delivers it unchanged`, async () => {
    const created = await send('POST', '/v1/tasks', task('deepest', nestedObject(MAX_PAYLOAD_DEPTH)));
    expect(created.status).toBe(201);
    expect(JSON.stringify((await stored('deepest'))?.payload)).toBe(nestedObject(MAX_PAYLOAD_DEPTH));
    const over = await send('POST', '/v1/tasks', task('too-deep', nestedObject(MAX_PAYLOAD_DEPTH + 1)));
    expect(over.status).toBe(400);
  });
});

describe('body size', () => {
  it(`refuses a body over ${MAX_BODY_BYTES} bytes with a 413 problem, before parsing it`, async () => {
    const huge = await send('POST', '/v1/tasks/batch', `{"tasks":[],"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`);
    expect(huge.status).toBe(413);
    expect(huge.type).toBe('application/problem+json');
    expect((huge.body as Problem).errors).toEqual([
      { path: '', message: `must be at most ${MAX_BODY_BYTES} bytes` },
    ]);
  });
});

describe('payload numbers', () => {
  it('refuses numbers that cannot round-trip, naming the field, and stores nothing', async () => {
    const cases = [
      ['1e309', 'payload.big'],
      ['-1e309', 'payload.big'],
      ['123456789012345678901234567890', 'payload.big'],
      ['0.30000000000000000001', 'payload.big'],
      ['1e-400', 'payload.big'],
      ['12345678901234567', 'payload.big'],
    ] as const;
    for (const [literal, path] of cases) {
      const created = await send('POST', '/v1/tasks', task('num', `{"ok":1,"big":${literal}}`));
      expect(created.status, literal).toBe(400);
      expect((created.body as Problem).errors?.map((e) => e.path)).toEqual([path]);
      expect((created.body as Problem).errors?.[0]?.message).toContain(literal);
    }
    expect(await stored('num')).toBeUndefined();

    const inList = await send('POST', '/v1/tasks', task('num', '{"list":[1,2,{"x":9007199254740993}]}'));
    expect((inList.body as Problem).errors?.map((e) => e.path)).toEqual(['payload.list.2.x']);

    await send('POST', '/v1/tasks', task('num-patch', '{"v":1}'));
    const patched = await send('PATCH', '/v1/tasks/num-patch', '{"payload":{"v":1e309}}');
    expect((patched.body as Problem).errors?.map((e) => e.path)).toEqual(['payload.v']);
    expect((await stored('num-patch'))?.payload).toEqual({ v: 1 });

    const maxRuns = await send('POST', '/v1/tasks', `${task('num', '{}').slice(0, -1)},"maxRuns":1e309}`);
    expect((maxRuns.body as Problem).errors?.map((e) => e.path)).toEqual(['maxRuns']);
  });

  it('keeps numbers that round-trip, whatever their spelling', async () => {
    const payload =
      '{"a":1.0,"b":1e2,"c":0.1,"d":-0,"e":1.7976931348623157e308,"f":5e-324,"g":9007199254740991,"h":12345678901234568}';
    const created = await send('POST', '/v1/tasks', task('exact', payload));
    expect(created.status).toBe(201);
    // JSON.stringify writes -0 as 0: the same JSON number.
    expect(JSON.stringify((await stored('exact'))?.payload)).toBe(JSON.stringify(JSON.parse(payload)));
  });
});

describe('target ARNs', () => {
  const withTarget = (id: string, fn: string) =>
    JSON.stringify({ id, target: { function: fn }, schedule: { cron: '0 * * * *' } });

  it('refuses an allowed function name in another account or region, on create and PATCH', async () => {
    for (const fn of [
      'arn:aws:lambda:eu-central-1:123456789012:function:sundial-recorder',
      'arn:aws:lambda:us-east-1:123456789012:function:sundial-recorder',
      'arn:aws:lambda:eu-central-1:000000000000:function:sundial-recorder',
    ]) {
      const created = await send('POST', '/v1/tasks', withTarget('foreign', fn));
      expect(created.status, fn).toBe(400);
      expect((created.body as Problem).errors?.map((e) => e.path)).toEqual(['target.function']);
    }
    expect(await stored('foreign')).toBeUndefined();

    await send('POST', '/v1/tasks', withTarget('moved', 'sundial-recorder'));
    const patched = await send(
      'PATCH',
      '/v1/tasks/moved',
      JSON.stringify({ target: { function: 'arn:aws:lambda:eu-central-1:123456789012:function:sundial-x' } }),
    );
    expect((patched.body as Problem).errors?.map((e) => e.path)).toEqual(['target.function']);
  });

  it('accepts an ARN of the deployment’s own account and region', async () => {
    const own = 'arn:aws:lambda:us-east-1:000000000000:function:sundial-recorder';
    expect((await send('POST', '/v1/tasks', withTarget('own', own))).status).toBe(201);
  });
});
