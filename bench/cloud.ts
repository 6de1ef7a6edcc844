import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CloudApi } from './cloud-protocol';

type Call = { [K in keyof CloudApi]: (params: Parameters<CloudApi[K]>[0]) => ReturnType<CloudApi[K]> };

/**
 * The bench cloud (bench/cloud-process.ts) in a child process, called over IPC. The child inherits this
 * process's loader (tsx), so it runs the TypeScript sources as they are.
 */
export class BenchCloud {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(fileURLToPath(new URL('./cloud-process.ts', import.meta.url)), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(`bench cloud: ${message.error}`));
      else waiting?.resolve(message.result);
    });
    this.child.on('exit', (code) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`bench cloud exited (${code})`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  readonly call: Call = new Proxy({} as Call, {
    get:
      (_target, method: string) =>
      (params: unknown = {}) =>
        new Promise((resolve, reject) => {
          const id = this.next++;
          this.pending.set(id, { resolve, reject });
          this.child.send({ id, method, params });
        }),
  });

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call.stop({}).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
