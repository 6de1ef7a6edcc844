/** A local function: the same shape as a Lambda handler. */
export type LocalHandler = (event: unknown, context: LocalContext) => unknown;

export interface LocalContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** What an invocation needs besides its event: who it is, and when Lambda would cut it off. */
export interface InvocationRequest {
  functionName: string;
  awsRequestId: string;
  timeoutMs: number;
}

/** An error as Lambda reports it: `errorType` is the error's name (or Sandbox.Timedout, Runtime.ExitError…). */
export interface InvocationError {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/**
 * How an invocation ended, as Lambda's asynchronous invocation destinations report it: the result (a JSON
 * value) or the error, and how long the handler ran.
 */
export type InvocationOutcome =
  | { ok: true; result: unknown; durationMs: number }
  | { ok: false; error: InvocationError; durationMs: number };

/** A function the local Lambda endpoint can run. */
export interface LocalFunction {
  invoke(event: unknown, request: InvocationRequest): Promise<InvocationOutcome>;
  close?(): Promise<void>;
}

/** Lambda's view of a thrown value. */
export function invocationError(thrown: unknown): InvocationError {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  return { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] };
}

/** A result as Lambda returns it: JSON, `undefined` as null. */
export const jsonResult = (result: unknown): unknown =>
  result === undefined ? null : JSON.parse(JSON.stringify(result) ?? 'null');

export const timedOut = (timeoutMs: number): InvocationError => ({
  errorType: 'Sandbox.Timedout',
  errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
  trace: [],
});

/**
 * A handler run on the endpoint's own thread: Sundial's own functions (the tick) and tests' recorders.
 * A timed-out run is reported as such but cannot be stopped; user targets run isolated instead.
 */
export function inProcess(handler: LocalHandler): LocalFunction {
  return {
    async invoke(event, { functionName, awsRequestId, timeoutMs }) {
      const started = performance.now();
      const deadline = Date.now() + timeoutMs;
      const context = {
        functionName,
        awsRequestId,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeoutMarker), timeoutMs);
      });
      try {
        const result = await Promise.race([(async () => handler(event, context))(), timeout]);
        return { ok: true, result: jsonResult(result), durationMs: performance.now() - started };
      } catch (error) {
        const reported = error === timeoutMarker ? timedOut(timeoutMs) : invocationError(error);
        return { ok: false, error: reported, durationMs: performance.now() - started };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

const timeoutMarker = Symbol('timed out');
