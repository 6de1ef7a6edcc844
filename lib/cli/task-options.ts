import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from './context';

/** The task fields as commander parses them (camelCase names of the flags). */
export interface TaskFlags {
  id?: string;
  group?: string;
  target?: string;
  description?: string;
  payload?: unknown;
  cron?: string;
  every?: Record<string, number>;
  at?: string;
  timezone?: string;
  startAt?: string;
  endAt?: string;
  maxRuns?: number;
  disabled?: boolean;
}

/** `1h30m` → {hours: 1, minutes: 30}. */
export function parseEvery(text: string): Record<string, number> {
  const match = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '')
    throw new InvalidArgumentError('expected a duration like 15m, 1h30m or 2d (--every 1w2d3h4m5s)');
  const units = ['weeks', 'days', 'hours', 'minutes', 'seconds'];
  const every: Record<string, number> = {};
  units.forEach((unit, i) => {
    if (match[i + 1] !== undefined) every[unit] = Number(match[i + 1]);
  });
  return every;
}

export function parseInteger(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
}

/** A JSON file (`-` reads standard input). */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

/** --cron, --every or --at (one of them), and the fields that bound a schedule. */
export function addScheduleOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--cron <expr>', 'cron, 5, 6 or 7 fields: "0 9 * * MON-FRI"').conflicts(['every', 'at']),
    )
    .addOption(
      new Option('--every <duration>', 'interval: 15m, 1h30m, 2d').argParser(parseEvery).conflicts('at'),
    )
    .option('--at <time>', 'once, at an ISO 8601 time: 2026-12-01T09:00:00Z')
    .option('--timezone <tz>', 'IANA time zone of the cron fields (default UTC)')
    .option('--start-at <time>', 'first possible occurrence (inclusive)')
    .option('--end-at <time>', 'last possible occurrence (inclusive)')
    .option('--max-runs <n>', 'stop after this many runs', parseInteger);
}

/** Every task field as a flag; `withId` for create (an update names the task as an argument). */
export function addTaskOptions(command: Command, withId: boolean): Command {
  if (withId) command.option('--id <id>', 'task id (default: generated)');
  command
    .option('--group <group>', 'group, for acting on many tasks at once')
    .option('--target <function>', 'the Lambda function to invoke (name or ARN)')
    .option('--description <text>', 'free text')
    .option('--payload <json>', 'the JSON the target receives', parseJson);
  return addScheduleOptions(command).option('--disabled', 'create it paused');
}

/** The task fields given as flags (only those given, so the same helper builds a patch). */
export function taskFields(flags: TaskFlags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const copy = ['id', 'group', 'description', 'timezone', 'startAt', 'endAt', 'maxRuns', 'payload'] as const;
  for (const key of copy) if (flags[key] !== undefined) fields[key] = flags[key];
  if (flags.target !== undefined) fields.target = { function: flags.target };
  if (flags.disabled) fields.enabled = false;
  if (flags.cron !== undefined) fields.schedule = { cron: flags.cron };
  if (flags.every !== undefined) fields.schedule = { every: flags.every };
  if (flags.at !== undefined) fields.schedule = { at: flags.at };
  return fields;
}

/** --limit, --cursor and --all of a listing. */
export interface PageFlags {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

export const addPageOptions = (command: Command) =>
  command
    .option('--limit <n>', 'items per page (1-100, default 50)', parseInteger)
    .option('--cursor <cursor>', 'continue after an earlier page')
    .option('--all', 'fetch every page');
