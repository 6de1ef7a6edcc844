import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  SundialAbortError,
  SundialClient,
  SundialCredentialsError,
  SundialNetworkError,
  SundialRequestError,
} from '../../../lib';
import { closedEndpoint } from '../../support/closed-port';
import { stubNoAwsCredentials } from '../../support/no-aws-credentials';

// Real sockets on 127.0.0.1: a server that never answers, and a port where nothing listens.
const held: (() => void)[] = [];
let silent: Server;
let silentUrl: string;
let closedUrl: string;

beforeAll(async () => {
  silent = createServer((_req, res) => held.push(() => res.end()));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  closedUrl = await closedEndpoint();
});
afterAll(() => {
  for (const release of held) release();
  silent.closeAllConnections();
  silent.close();
});
afterEach(() => vi.unstubAllEnvs());

describe('SundialClient failures', () => {
  it('rejects with SundialAbortError when the caller aborts a call in flight, without retrying', async () => {
    const sleeps: number[] = [];
    const client = new SundialClient({ endpoint: silentUrl, sleep: async (ms) => void sleeps.push(ms) });
    const controller = new AbortController();
    const call = client.getTask('t1', { signal: controller.signal });
    await vi.waitFor(() => expect(held).toHaveLength(1));
    controller.abort(new Error('user gave up'));
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SundialAbortError);
    expect(error).toMatchObject({
      method: 'GET',
      url: `${silentUrl}/v1/tasks/t1`,
      cause: new Error('user gave up'),
    });
    expect((error as SundialAbortError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sleeps).toEqual([]);
    await expect(client.listTasks({}, { signal: controller.signal })).rejects.toBeInstanceOf(
      SundialAbortError,
    );
  });

  it('names the endpoint and the cause when nothing listens, after retrying a call safe to repeat', async () => {
    const sleeps: number[] = [];
    const client = new SundialClient({
      endpoint: closedUrl,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    const error = await client.getTask('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SundialNetworkError);
    expect(error).toMatchObject({
      endpoint: closedUrl,
      message: expect.stringMatching(/^cannot reach .+ECONNREFUSED/),
    });
    expect((error as SundialNetworkError).cause).toBeInstanceOf(TypeError);
    expect(sleeps).toHaveLength(2);
    await expect(client.runTask('t1')).rejects.toBeInstanceOf(SundialNetworkError);
    expect(sleeps).toHaveLength(2); // run-now is never repeated after an ambiguous failure
  });

  it('refuses to send a request to an AWS endpoint unsigned when no credentials can be loaded', async () => {
    stubNoAwsCredentials();
    const sent: string[] = [];
    const client = new SundialClient({
      endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      fetch: async (url) => {
        sent.push(String(url));
        return new Response(null, { status: 500 });
      },
    });
    const error = await client.getTask('t1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SundialCredentialsError);
    expect(error).toBeInstanceOf(SundialRequestError);
    expect((error as Error).message).toMatch(
      /^no AWS credentials to sign the request to https:\/\/abc123\.execute-api/,
    );
    expect(sent).toEqual([]);
    const unsigned = new SundialClient({
      endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      credentials: false,
      maxAttempts: 1,
      fetch: async (url) => {
        sent.push(String(url));
        return new Response(null, { status: 403 });
      },
    });
    await expect(unsigned.getTask('t1')).rejects.toMatchObject({ status: 403 });
    expect(sent).toHaveLength(1);
  });
});
