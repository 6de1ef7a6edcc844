import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunMessage, WorkerMessage } from './function-worker';
import type { FunctionSpec } from './functions';
import { type InvocationError, type InvocationOutcome, timedOut } from './invocation';

// The worker loads TypeScript handlers (and this repository's sources) through tsx, registered on its thread.
const TSX = import.meta.resolve('tsx/esm/api');
const ENTRY = new URL(`./function-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const BOOT = `import { register } from ${JSON.stringify(TSX)}; register(); await import(${JSON.stringify(ENTRY)});`;

const exitError = (detail: string): InvocationError => ({
  errorType: 'Runtime.ExitError',
  errorMessage: `Runtime exited: ${detail}`,
  trace: [],
});

type Settle = (answer: Extract<WorkerMessage, { kind: 'done' }> | InvocationError) => void;

/**
 * One execution environment of a local target function: a worker thread that imports the handler once
 * and runs one invocation at a time, as a Lambda execution environment does. A handler that blocks its
 * event loop blocks only this thread; one that runs past its timeout is ended with its thread.
 */
export class FunctionEnvironment {
  private readonly worker: Worker;
  /** Resolves once the handler is imported; rejects with the reason it cannot be. */
  readonly ready: Promise<void>;
  private starting = { resolve: () => {}, reject: (_: Error) => {} };
  private settle?: Settle;
  private ended?: string;

  constructor(private readonly spec: FunctionSpec) {
    this.ready = new Promise((resolve, reject) => {
      this.starting = { resolve, reject };
    });
    this.ready.catch(() => undefined); // whoever invokes it sees the reason
    this.worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(BOOT)}`), {
      workerData: spec,
    });
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error) => this.end(`${error.name}: ${error.message}`));
    this.worker.on('exit', (code) => this.end(`its thread exited with code ${code}`));
  }

  /** Whether it can run another invocation. */
  get alive(): boolean {
    return this.ended === undefined;
  }

  /** Runs one invocation; past `timeoutMs` the thread is ended and the outcome is Sandbox.Timedout. */
  async invoke(event: unknown, awsRequestId: string, timeoutMs: number): Promise<InvocationOutcome> {
    const started = performance.now();
    const answer = new Promise<Parameters<Settle>[0]>((resolve) => {
      this.settle = resolve;
    });
    const timer = setTimeout(() => {
      this.settle?.(timedOut(timeoutMs));
      void this.terminate('timed out');
    }, timeoutMs);
    this.worker.postMessage({ event, awsRequestId, deadline: Date.now() + timeoutMs } satisfies RunMessage);
    const message = await answer;
    clearTimeout(timer);
    this.settle = undefined;
    const durationMs = performance.now() - started;
    if (!('kind' in message)) return { ok: false, error: message, durationMs };
    return message.ok
      ? { ok: true, result: message.result, durationMs }
      : { ok: false, error: message.error, durationMs };
  }

  async terminate(reason = 'stopped'): Promise<void> {
    this.end(reason);
    await this.worker.terminate();
  }

  private receive(message: WorkerMessage) {
    if (message.kind === 'ready') this.starting.resolve();
    else if (message.kind === 'init-error') this.end(message.message);
    else this.settle?.(message);
  }

  private end(reason: string) {
    if (this.ended !== undefined) return;
    this.ended = reason;
    this.starting.reject(new Error(`function ${this.spec.name}: ${reason}`));
    this.settle?.(exitError(reason));
  }
}
