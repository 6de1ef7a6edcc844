import { CommanderError } from 'commander';
import {
  SundialAbortError,
  SundialApiError,
  SundialCredentialsError,
  SundialNetworkError,
  SundialRequestError,
  SundialResponseError,
  SundialTimeoutError,
} from '../client/errors';
import { CommandError, UsageError } from './context';
import type { Io } from './output';

/** Exit codes: 0 ok, 1 the call failed (API, network, credentials), 2 a bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** True when the command line asks for JSON output, read before parsing so parse errors honour it too. */
export function wantsJson(argv: string[]): boolean {
  return argv.some((arg, i) => arg === '--output=json' || (arg === '--output' && argv[i + 1] === 'json'));
}

/** Prints an error (one JSON document on stderr under `--output json`) and returns the exit code. */
export function reportError(error: unknown, io: Io, json: boolean): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
    // Commander printed the text itself (nothing under --output json, see configureOutput).
    if (json)
      io.err(
        `${JSON.stringify({ error: { kind: 'usage', code: error.code, message: usageText(error) } })}\n`,
      );
    return EXIT.usage;
  }
  const fields = describe(error);
  if (json) io.err(`${JSON.stringify({ error: fields })}\n`);
  else io.err(text(error, fields));
  return fields.kind === 'usage' ? EXIT.usage : EXIT.failed;
}

const KINDS: [typeof SundialRequestError, string][] = [
  [SundialTimeoutError, 'timeout'],
  [SundialCredentialsError, 'credentials'],
  [SundialResponseError, 'response'],
  [SundialAbortError, 'aborted'],
];

function describe(error: unknown): Record<string, unknown> & { kind: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) return { kind: 'usage', message };
  if (error instanceof CommandError) return { kind: error.kind, message };
  if (error instanceof SundialApiError) {
    const { type, title, status, errors } = error.problem;
    return { kind: 'api', message, status, type, title, errors, requestId: error.requestId };
  }
  if (error instanceof SundialNetworkError) {
    return { kind: 'network', message, endpoint: error.endpoint, requestId: error.requestId };
  }
  if (error instanceof SundialRequestError) {
    const kind = KINDS.find(([type]) => error instanceof type)?.[1] ?? 'request';
    return { kind, message, url: error.url, requestId: error.requestId };
  }
  return { kind: 'internal', message };
}

function text(error: unknown, fields: { kind: string; message: string; requestId?: unknown }): string {
  if (error instanceof UsageError) return `error: ${fields.message}\n(add --help for usage)\n`;
  const request = fields.requestId ? ` [request ${fields.requestId}]` : '';
  if (!(error instanceof SundialApiError)) return `error: ${fields.message}${request}\n`;
  const { title, detail, errors } = error.problem;
  const lines = [`error: ${title} (${error.status})${detail ? `: ${detail}` : ''}${request}`];
  for (const e of errors ?? []) lines.push(`  ${e.path || '(body)'}: ${e.message}`);
  return `${lines.join('\n')}\n`;
}

const usageText = (error: CommanderError) => error.message.replace(/^error: /, '');
