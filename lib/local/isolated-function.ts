import { FunctionEnvironment } from './function-environment';
import type { FunctionSpec } from './functions';
import {
  type InvocationOutcome,
  type InvocationRequest,
  invocationError,
  type LocalFunction,
} from './invocation';

const stopped = { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited: stopped', trace: [] };

/** At most this many environments (threads) per function; further invocations wait for one to free up. */
export const MAX_ENVIRONMENTS = 4;

/**
 * A local target function run off the endpoint's thread, in a small pool of execution environments
 * (worker threads) that are reused while warm, one invocation at a time each, as Lambda does. So a target
 * that blocks its event loop, or hangs until its timeout ends it, never stalls the local API.
 */
export class IsolatedFunction implements LocalFunction {
  private readonly idle: FunctionEnvironment[] = [];
  private readonly all = new Set<FunctionEnvironment>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly spec: FunctionSpec,
    private readonly maxEnvironments = MAX_ENVIRONMENTS,
  ) {}

  /** Starts one environment and waits until the handler is imported, so a broken module fails at startup. */
  async start(): Promise<void> {
    const environment = this.create();
    await environment.ready;
    this.release(environment);
  }

  async invoke(event: unknown, { awsRequestId, timeoutMs }: InvocationRequest): Promise<InvocationOutcome> {
    const environment = await this.acquire();
    if (!environment) return { ok: false, error: stopped, durationMs: 0 };
    try {
      await environment.ready;
      return await environment.invoke(event, awsRequestId, timeoutMs);
    } catch (error) {
      if (this.closed) return { ok: false, error: stopped, durationMs: 0 };
      return {
        ok: false,
        error: { ...invocationError(error), errorType: 'Runtime.ImportModuleError' },
        durationMs: 0,
      };
    } finally {
      this.release(environment);
    }
  }

  /** Ends every environment; invocations still waiting for one end as stopped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all([...this.all].map((environment) => environment.terminate()));
  }

  private create(): FunctionEnvironment {
    const environment = new FunctionEnvironment(this.spec);
    this.all.add(environment);
    return environment;
  }

  private async acquire(): Promise<FunctionEnvironment | undefined> {
    while (!this.closed) {
      const warm = this.idle.pop();
      if (warm?.alive) return warm;
      if (warm) this.all.delete(warm);
      else if (this.all.size < this.maxEnvironments) return this.create();
      else await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    return undefined;
  }

  private release(environment: FunctionEnvironment) {
    if (environment.alive) this.idle.push(environment);
    else this.all.delete(environment);
    this.waiting.shift()?.();
  }
}
