import { type Command, InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import { Overlap, OverlapPolicy, Retry, type Task } from '../task/schemas';
import { UsageError } from './context';

/** The retry and overlap flags as commander parses them. */
export interface TrackingFlags {
  retryAttempts?: number;
  retryDelay?: number;
  retryBackoff?: number;
  retryMaxDelay?: number;
  /** A policy, or false for `--no-overlap` (update: clears it). */
  overlap?: Overlap['policy'] | false;
  maxConcurrent?: number;
  /** False for `--no-retry` (update: clears the policy). */
  retry?: boolean;
}

/**
 * A flag's value checked by the contract's own field schema, so the CLI's bounds are the API's: a bad
 * value is a usage error (exit 2) on one line naming the flag.
 */
function byField(field: z.ZodType) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
    const parsed = field.safeParse(n);
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'out of range');
    return n;
  };
}

/** --retry-* and --overlap/--max-concurrent; `forUpdate` adds --no-retry and --no-overlap (clear them). */
export function addTrackingOptions(command: Command, forUpdate: boolean): Command {
  command
    .option(
      '--retry-attempts <n>',
      'retry a failed run: attempts in all, the first included (1-10)',
      byField(Retry.shape.maxAttempts),
    )
    .option(
      '--retry-delay <seconds>',
      'wait before the first retry (default 30)',
      byField(Retry.shape.delaySeconds),
    )
    .option(
      '--retry-backoff <rate>',
      'each retry waits this many times longer (default 2)',
      byField(Retry.shape.backoffRate),
    )
    .option(
      '--retry-max-delay <seconds>',
      'the longest wait between attempts (default 3600)',
      byField(Retry.shape.maxDelaySeconds),
    )
    .addOption(
      new Option(
        '--overlap <policy>',
        'when a run is still in progress: allow, skip or queue the next',
      ).choices(OverlapPolicy.options),
    )
    .option(
      '--max-concurrent <n>',
      'runs in progress at once (default 1)',
      byField(Overlap.shape.maxConcurrent),
    );
  if (forUpdate) {
    command
      .addOption(new Option('--no-retry', 'remove the retry policy').conflicts(RETRY_FLAGS))
      .addOption(new Option('--no-overlap', 'remove the overlap policy').conflicts('maxConcurrent'));
  }
  return command;
}

const RETRY_FLAGS = ['retryAttempts', 'retryDelay', 'retryBackoff', 'retryMaxDelay'];

/** The retry and overlap fields the flags give (for an update, merged into the task's current ones). */
export function trackingFields(flags: TrackingFlags, current?: Task): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (flags.retry === false) fields.retry = null;
  if (flags.overlap === false) fields.overlap = null;
  const retry = defined({
    maxAttempts: flags.retryAttempts,
    delaySeconds: flags.retryDelay,
    backoffRate: flags.retryBackoff,
    maxDelaySeconds: flags.retryMaxDelay,
  });
  if (retry) {
    const merged = { ...current?.retry, ...retry };
    if (merged.maxAttempts === undefined)
      throw new UsageError('give --retry-attempts with the other --retry- options');
    fields.retry = merged;
  }
  const policy = flags.overlap === false ? undefined : flags.overlap;
  const overlap = defined({ policy, maxConcurrent: flags.maxConcurrent });
  if (overlap) {
    const merged = { ...current?.overlap, ...overlap };
    if (merged.policy === undefined) throw new UsageError('give --overlap with --max-concurrent');
    fields.overlap = merged;
  }
  return fields;
}

/**
 * Whether the flags change a retry or overlap policy in part: an update then reads the task and changes
 * only the fields given (the API replaces a policy as a whole).
 */
export function changesPolicy(flags: TrackingFlags): boolean {
  const values = [flags.retryAttempts, flags.retryDelay, flags.retryBackoff, flags.retryMaxDelay];
  return (
    values.some((v) => v !== undefined) ||
    typeof flags.overlap === 'string' ||
    flags.maxConcurrent !== undefined
  );
}

/** The entries whose value is given, or undefined when none is. */
function defined<T extends Record<string, unknown>>(entries: T): Partial<T> | undefined {
  const given = Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Partial<T>;
  return Object.keys(given).length ? given : undefined;
}
