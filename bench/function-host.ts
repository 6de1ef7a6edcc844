import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';
import type { FireReport } from '../lib/dispatch/fire';
import { decodeFireMessage } from '../lib/dispatch/fire-message';
import { parseTickRequest, type TickReport } from '../lib/dispatch/tick';
import type { Runtime } from '../lib/runtime';

export interface TickRecord {
  startedAt: number;
  ms: number;
  kind: 'scheduled' | 'nudge' | 'fan-out';
  report: TickReport;
}

/** One fire worker invocation: one batch of up to 10 messages. */
export interface FireBatchRecord {
  startedAt: number;
  endedAt: number;
  messages: number;
  entries: number;
  /** The earliest fire time in the batch: before it the worker only waits. */
  firstFireAt: number;
  /**
   * Per message, how long after the tick built it (and computed its DelaySeconds) the queue received it:
   * SQS counts the delay from then, so a message whose send lags by more than its margin comes late.
   */
  sendLagMs: number[];
  report: FireReport;
}

/** Sundial's tick and fire worker of one deployment, as the bench cloud invokes them, with what they did. */
export class HostedDeployment {
  readonly ticks: TickRecord[] = [];
  readonly batches: FireBatchRecord[] = [];
  delivered = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    readonly runtime: Runtime,
  ) {}

  async tick(event: unknown): Promise<TickReport> {
    const request = parseTickRequest(event);
    const startedAt = Date.now();
    const t = performance.now();
    const report = await this.runtime.tick(request);
    const kind = request.tasks ? 'nudge' : request.shards ? 'fan-out' : 'scheduled';
    this.ticks.push({ startedAt, ms: performance.now() - t, kind, report });
    return report;
  }

  async fire(event: SQSEvent): Promise<unknown> {
    const startedAt = Date.now();
    const { response, report } = await this.runtime.fire(event);
    const endedAt = Date.now();
    let entries = 0;
    let firstFireAt = Number.POSITIVE_INFINITY;
    const sendLagMs: number[] = [];
    for (const record of event.Records) {
      const message = decodeFireMessage(record.body);
      sendLagMs.push(Number(record.attributes.SentTimestamp) - (message?.sentAt ?? Number.NaN));
      for (const entry of message?.entries ?? []) {
        entries++;
        firstFireAt = Math.min(firstFireAt, entry.fireAt);
      }
    }
    const messages = event.Records.length;
    this.batches.push({ startedAt, endedAt, messages, entries, firstFireAt, sendLagMs, report });
    this.delivered += report.delivered;
    const reached = this.waiters.filter((w) => w.count <= this.delivered);
    this.waiters = this.waiters.filter((w) => w.count > this.delivered);
    for (const w of reached) w.resolve();
    return response;
  }

  /** Resolves once the fire worker has delivered `count` occurrences in all (and recorded their runs). */
  whenDelivered(count: number): Promise<void> {
    if (this.delivered >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

/**
 * The bench's stand-in for Lambda's runtime API in this process: the cloud process POSTs an invocation
 * (`/tick/<deployment>`, `/fire/<deployment>`), the function runs here and the response carries its result.
 */
export class FunctionHost {
  readonly deployments = new Map<string, HostedDeployment>();
  private readonly server: Server = createServer((req, res) => {
    const [, kind, name] = (req.url ?? '').split('/');
    const deployment = this.deployments.get(name ?? '');
    readJson(req)
      .then((event) => {
        if (!deployment) throw new Error(`no deployment ${name}`);
        if (kind === 'tick') return deployment.tick(event);
        if (kind === 'fire') return deployment.fire(event as SQSEvent);
        throw new Error(`no function ${kind}`);
      })
      .then(
        (result) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(result ?? null));
        },
        (error) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
  });
  url = '';

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  add(name: string, runtime: Runtime): HostedDeployment {
    const deployment = new HostedDeployment(name, runtime);
    this.deployments.set(name, deployment);
    return deployment;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
