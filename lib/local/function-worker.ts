import { parentPort, workerData } from 'node:worker_threads';
import { type FunctionSpec, loadHandler } from './functions';
import { invocationError, jsonResult, type LocalHandler } from './invocation';

/**
 * One execution environment of a local target function, on its own thread (see function-environment.ts):
 * it imports the handler once, then runs one invocation at a time, as a Lambda environment does.
 */

/** Main thread → worker. */
export interface RunMessage {
  event: unknown;
  awsRequestId: string;
  deadline: number;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'init-error'; message: string }
  | { kind: 'done'; ok: true; result: unknown }
  | { kind: 'done'; ok: false; error: ReturnType<typeof invocationError> };

const port = parentPort;
const spec = workerData as FunctionSpec;

async function run(
  handler: LocalHandler,
  { event, awsRequestId, deadline }: RunMessage,
): Promise<WorkerMessage> {
  const context = {
    functionName: spec.name,
    awsRequestId,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    return { kind: 'done', ok: true, result: jsonResult(await handler(event, context)) };
  } catch (error) {
    return { kind: 'done', ok: false, error: invocationError(error) };
  }
}

if (port) {
  try {
    const handler = await loadHandler(spec);
    port.on('message', async (message: RunMessage) => port.postMessage(await run(handler, message)));
    port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ kind: 'init-error', message: (error as Error).message } satisfies WorkerMessage);
  }
}
