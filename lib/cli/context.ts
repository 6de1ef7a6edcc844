import type { Command } from 'commander';
import { ENDPOINT_ENV, SundialClient } from '../client/sundial-client';
import type { Io } from './output';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

/** What every command shares: where it writes and the environment it reads. */
export interface Cli {
  io: Io;
  env: Record<string, string | undefined>;
}

interface GlobalOptions {
  endpoint?: string;
  region?: string;
  output: 'table' | 'json';
}

/** A bad command line found by a command itself (not by the parser): exit code 2, like the parser's. */
export class UsageError extends Error {}

/** A command failed for a reason of its own, not an SDK call's: exit code 1, `kind` in the JSON error. */
export class CommandError extends Error {
  readonly kind: string;
  constructor(kind: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }
}

/** What a command's action works with: the client and the printer the global options ask for. */
export function session(cli: Cli, command: Command) {
  const options = command.optsWithGlobals<GlobalOptions>();
  const json = options.output === 'json';
  const client = new SundialClient({
    endpoint: options.endpoint ?? cli.env[ENDPOINT_ENV] ?? DEFAULT_ENDPOINT,
    region: options.region,
  });
  /** The value as JSON under `--output json`, else the text for people. */
  const print = (value: unknown, text: () => string) =>
    cli.io.out(`${json ? JSON.stringify(value, null, 2) : text()}\n`);
  return { client, json, print, io: cli.io, width: cli.io.columns ?? 120 };
}
export type Session = ReturnType<typeof session>;

/** The `Examples:` block of a command's help. */
export const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
