import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SundialApiError, SundialTimeoutError } from '../client/errors';
import { ENDPOINT_ENV, SundialClient } from '../client/sundial-client';
import type { Run, Task, TaskInput, TaskPatch } from '../task/schemas';
import { details, type Io, processIo, progress, table, withSpinner } from './output';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';

export const USAGE = `Usage: sundial <command> [options]

Manage Sundial tasks from the command line (exit codes: 0 ok, 1 API error, 2 usage).

Commands
  tasks create [task options] | --file FILE     create one task, or many from a JSON array (batches of 100)
  tasks list [--group G] [--state S] [--limit N] [--all]
  tasks get ID...                               one task, or up to 100 at once
  tasks update ID [task options] [--file PATCH] [--if-match VERSION]
  tasks delete ID...                            several ids: all or nothing
  tasks pause ID... | tasks resume ID... | tasks run ID
  tasks reschedule ID --next-run-at TIME [--if-match VERSION] | tasks reschedule --file MOVES
                                                set next runs, schedules unchanged (MOVES: [{"id","nextRunAt"}], all or nothing)
  tasks runs ID [--limit N] [--all]
  groups pause GROUP | groups resume GROUP | groups delete GROUP
  scheduler status | scheduler pause | scheduler resume
  schedules preview (--cron EXPR | --every DURATION | --at TIME) [--timezone TZ] [--count N]

Task options
  --id ID  --group G  --target FUNCTION  --description TEXT  --payload JSON
  --cron "0 9 * * MON-FRI" | --every 15m | --at 2026-12-01T09:00:00Z     (--every: 1w2d3h4m5s)
  --timezone Europe/Lisbon  --start-at TIME  --end-at TIME  --max-runs N  --disabled  --replace

Global options
  --endpoint URL       API base URL (default $${ENDPOINT_ENV}, else ${DEFAULT_ENDPOINT}); AWS URLs are signed with SigV4
  --region REGION      signing region when the URL does not tell it
  --output table|json  (default table)
  -h, --help           this text

Examples
  sundial tasks create --id nightly-report --target sundial-example-echo --cron "0 2 * * *" --timezone Europe/Lisbon --payload '{"report":"daily"}'
  sundial tasks create --file tasks.json          # a JSON array of task definitions
  sundial tasks list --group reports --output json
  sundial tasks update nightly-report --cron "0 3 * * *" --if-match 1
  sundial tasks run nightly-report && sundial tasks runs nightly-report
  sundial groups pause reports
  sundial tasks pause report-a report-b report-c
  sundial tasks reschedule nightly-report --next-run-at 2026-12-24T18:00:00Z
  sundial scheduler pause
  sundial schedules preview --cron "0 9 * * MON-FRI" --timezone America/New_York --count 5
`;

/** Bad command line: exit code 2. */
class UsageError extends Error {}

const OPTIONS = {
  endpoint: { type: 'string' },
  region: { type: 'string' },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  id: { type: 'string' },
  group: { type: 'string' },
  target: { type: 'string' },
  description: { type: 'string' },
  payload: { type: 'string' },
  cron: { type: 'string' },
  every: { type: 'string' },
  at: { type: 'string' },
  timezone: { type: 'string' },
  'start-at': { type: 'string' },
  'end-at': { type: 'string' },
  'max-runs': { type: 'string' },
  disabled: { type: 'boolean' },
  replace: { type: 'boolean' },
  file: { type: 'string' },
  'if-match': { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  all: { type: 'boolean' },
  count: { type: 'string' },
  from: { type: 'string' },
  'next-run-at': { type: 'string' },
} as const;
type Flags = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

const GLOBAL = ['endpoint', 'region', 'output', 'help'];
const TASK_FIELDS = [
  'id',
  'group',
  'target',
  'description',
  'payload',
  'cron',
  'every',
  'at',
  'timezone',
  'start-at',
  'end-at',
  'max-runs',
  'disabled',
];
const SCHEDULE_FIELDS = ['cron', 'every', 'at', 'timezone', 'start-at', 'end-at', 'max-runs'];

/** The options each command accepts, beyond the global ones. */
const COMMANDS: Record<string, { args: string[]; options: string[] }> = {
  'tasks create': { args: [], options: [...TASK_FIELDS, 'replace', 'file'] },
  'tasks list': { args: [], options: ['group', 'state', 'limit', 'cursor', 'all'] },
  'tasks get': { args: ['ID...'], options: [] },
  'tasks update': { args: ['ID'], options: [...TASK_FIELDS.filter((f) => f !== 'id'), 'file', 'if-match'] },
  'tasks delete': { args: ['ID...'], options: [] },
  'tasks pause': { args: ['ID...'], options: ['if-match'] },
  'tasks resume': { args: ['ID...'], options: ['if-match'] },
  'tasks reschedule': { args: ['[ID]'], options: ['next-run-at', 'if-match', 'file'] },
  'tasks run': { args: ['ID'], options: [] },
  'tasks runs': { args: ['ID'], options: ['limit', 'cursor', 'all'] },
  'groups pause': { args: ['GROUP'], options: [] },
  'groups resume': { args: ['GROUP'], options: [] },
  'groups delete': { args: ['GROUP'], options: [] },
  'scheduler status': { args: [], options: [] },
  'scheduler pause': { args: [], options: [] },
  'scheduler resume': { args: [], options: [] },
  'schedules preview': { args: [], options: [...SCHEDULE_FIELDS, 'count', 'from'] },
};

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo(), env = process.env): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as never;
  } catch (error) {
    io.err(`sundial: ${(error as Error).message}\nRun 'sundial --help' for usage.\n`);
    return 2;
  }
  const { values: flags, positionals } = parsed;
  if (flags.help || positionals.length === 0) {
    (flags.help ? io.out : io.err)(USAGE);
    return flags.help ? 0 : 2;
  }
  try {
    const [resource, verb, ...args] = positionals;
    const name = `${resource} ${verb ?? ''}`.trim();
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${positionals.join(' ')}'`);
    const [min, max] = arity(command.args);
    if (args.length < min || args.length > max) {
      throw new UsageError(`usage: sundial ${name} ${command.args.join(' ')}`.trim());
    }
    for (const flag of Object.keys(flags)) {
      if (!GLOBAL.includes(flag) && !command.options.includes(flag)) {
        throw new UsageError(`'${name}' takes no --${flag}`);
      }
    }
    const output = (flags.output as string | undefined) ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError('--output is table or json');
    const client = new SundialClient({
      endpoint: (flags.endpoint as string | undefined) ?? env[ENDPOINT_ENV] ?? DEFAULT_ENDPOINT,
      region: flags.region as string | undefined,
    });
    const ctx = { client, flags, io, json: output === 'json', width: io.columns ?? 120, args };
    await run(name, args[0] as string, ctx);
    return 0;
  } catch (error) {
    return report(error, io);
  }
}

/** How many positionals a command takes: `ID...` one or more (at most 100), `[ID]` zero or one. */
function arity(args: string[]): [number, number] {
  if (args[0]?.endsWith('...')) return [1, 100];
  if (args[0]?.startsWith('[')) return [0, 1];
  return [args.length, args.length];
}

interface Ctx {
  args: string[];
  client: SundialClient;
  flags: Flags;
  io: Io;
  json: boolean;
  width: number;
}

async function run(name: string, arg: string, ctx: Ctx): Promise<void> {
  const { client, flags, io } = ctx;
  const print = (value: unknown, text: () => string) =>
    io.out(`${ctx.json ? JSON.stringify(value, null, 2) : text()}\n`);
  if (ctx.args.length > 1 || name === 'tasks reschedule') return runMany(name, ctx);
  switch (name) {
    case 'tasks create': {
      const fromFile = flags.file === undefined ? undefined : readJson(flags.file as string);
      const many = Array.isArray(fromFile) ? fromFile : (fromFile as { tasks?: unknown[] })?.tasks;
      if (many) {
        const created = await createMany(client, many as TaskInput[], Boolean(flags.replace), io);
        return print(created, () => taskTable(created, ctx.width));
      }
      const input = { ...(fromFile as object), ...taskFields(flags) } as TaskInput;
      if (!fromFile && (!input.target || !input.schedule)) {
        throw new UsageError('give --target and one of --cron, --every, --at (or --file)');
      }
      const task = await client.createTask({ ...input, replaceExisting: flags.replace ? true : undefined });
      return print(task, () => taskDetails(task));
    }
    case 'tasks list': {
      const query = {
        group: flags.group as string | undefined,
        state: flags.state as Task['state'] | undefined,
        limit: flags.limit as string | undefined,
        cursor: flags.cursor as string | undefined,
      };
      const tasks: Task[] = [];
      let cursor: string | undefined;
      if (flags.all) for await (const page of client.paginateTasks(query)) tasks.push(...page.tasks);
      else {
        const page = await client.listTasks(query);
        tasks.push(...page.tasks);
        cursor = page.cursor;
      }
      print(ctx.json ? { tasks, cursor } : tasks, () => taskTable(tasks, ctx.width));
      if (cursor && !ctx.json) io.err(`more: --cursor ${cursor}\n`);
      return;
    }
    case 'tasks get': {
      const task = await client.getTask(arg);
      return print(task, () => taskDetails(task));
    }
    case 'tasks update': {
      const fromFile = flags.file === undefined ? {} : (readJson(flags.file as string) as object);
      const patch = { ...fromFile, ...taskFields(flags) } as TaskPatch;
      if (Object.keys(patch).length === 0)
        throw new UsageError('nothing to change: give task options or --file');
      const task = await client.updateTask(arg, patch, { ifMatch: intFlag(flags, 'if-match') });
      return print(task, () => taskDetails(task));
    }
    case 'tasks delete':
      await client.deleteTask(arg);
      return print({ id: arg, deleted: true }, () => `deleted ${arg}`);
    case 'tasks pause':
    case 'tasks resume': {
      const options = { ifMatch: intFlag(flags, 'if-match') };
      const task =
        name === 'tasks pause' ? await client.pauseTask(arg, options) : await client.resumeTask(arg, options);
      return print(
        task,
        () => `${task.id}: ${task.state}, next run ${task.nextRunAt ?? '-'} (version ${task.version})`,
      );
    }
    case 'tasks run': {
      const run = await client.runTask(arg);
      return print(
        run,
        () => `${run.taskId}: run ${run.runId} queued at ${run.requestedAt}; a tick delivers it shortly`,
      );
    }
    case 'tasks runs': {
      const query = { limit: flags.limit as string | undefined, cursor: flags.cursor as string | undefined };
      const runs: Run[] = [];
      let cursor: string | undefined;
      if (flags.all) for await (const page of client.paginateRuns(arg, query)) runs.push(...page.runs);
      else {
        const page = await client.listRuns(arg, query);
        runs.push(...page.runs);
        cursor = page.cursor;
      }
      print(ctx.json ? { runs, cursor } : runs, () => runTable(runs, ctx.width));
      if (cursor && !ctx.json) io.err(`more: --cursor ${cursor}\n`);
      return;
    }
    case 'groups pause':
    case 'groups resume':
    case 'groups delete': {
      const verb = name.split(' ')[1] as 'pause' | 'resume' | 'delete';
      const call = {
        pause: () => client.pauseGroup(arg),
        resume: () => client.resumeGroup(arg),
        delete: () => client.deleteGroup(arg),
      }[verb];
      const result = await withSpinner(io, `${verb} group ${arg}…`, call());
      const done = { pause: 'paused', resume: 'resumed', delete: 'deleted' }[verb];
      return print(result, () => `group ${arg}: ${result.matched} tasks, ${result.changed} ${done}`);
    }
    case 'scheduler status':
    case 'scheduler pause':
    case 'scheduler resume': {
      const state =
        name === 'scheduler status'
          ? await client.getScheduler()
          : name === 'scheduler pause'
            ? await client.pauseScheduler()
            : await client.resumeScheduler();
      return print(state, () =>
        details([
          ['schedule', `${state.group}/${state.name}`],
          ['state', state.state],
          ['expression', state.expression],
        ]),
      );
    }
    case 'schedules preview': {
      const fields = taskFields(flags);
      if (!fields.schedule) throw new UsageError('give one of --cron, --every, --at');
      const preview = await client.previewSchedule({
        ...(fields as object),
        count: intFlag(flags, 'count'),
        from: flags.from as string | undefined,
      } as never);
      return print(preview, () => [preview.description, ...preview.occurrences].join('\n'));
    }
  }
}

/** Creates many tasks in batches of 100, with a progress line; stops at the first failing batch. */
/** Commands on several tasks at once (list-of-ids and reschedule operations). */
async function runMany(name: string, ctx: Ctx): Promise<void> {
  const { client, flags, io, args } = ctx;
  const print = (value: unknown, text: () => string) =>
    io.out(`${ctx.json ? JSON.stringify(value, null, 2) : text()}\n`);
  if (name !== 'tasks reschedule' && flags['if-match'] !== undefined) {
    throw new UsageError('--if-match takes one task id');
  }
  switch (name) {
    case 'tasks get': {
      const found = await client.getTasks(args);
      if (found.notFound.length && !ctx.json) io.err(`not found: ${found.notFound.join(' ')}\n`);
      return print(found, () => taskTable(found.tasks, ctx.width));
    }
    case 'tasks pause':
    case 'tasks resume': {
      const out = name === 'tasks pause' ? await client.pauseTasks(args) : await client.resumeTasks(args);
      return print(out, () => `${taskTable(out.tasks, ctx.width)}\n${out.changed} changed`);
    }
    case 'tasks delete': {
      const deleted = await client.deleteTasks(args);
      return print({ deleted }, () => `deleted ${deleted.join(' ')}`);
    }
    default: {
      if (flags.file !== undefined) {
        if (args.length || flags['next-run-at'] !== undefined)
          throw new UsageError('give --file, or an ID and --next-run-at');
        const moves = readJson(flags.file as string);
        const tasks = await client.rescheduleTasks(
          (Array.isArray(moves) ? moves : (moves as { tasks: never }).tasks) as never,
        );
        return print(tasks, () => taskTable(tasks, ctx.width));
      }
      if (args.length !== 1 || typeof flags['next-run-at'] !== 'string') {
        throw new UsageError('usage: sundial tasks reschedule ID --next-run-at TIME (or --file MOVES)');
      }
      const task = await client.rescheduleTask(args[0] as string, flags['next-run-at'], {
        ifMatch: intFlag(flags, 'if-match'),
      });
      return print(task, () => `${task.id}: next run ${task.nextRunAt} (version ${task.version})`);
    }
  }
}

async function createMany(client: SundialClient, tasks: TaskInput[], replaceExisting: boolean, io: Io) {
  const created: Task[] = [];
  const line = progress(io, 'created');
  try {
    for (let i = 0; i < tasks.length; i += 100) {
      created.push(...(await client.createTasks(tasks.slice(i, i + 100), { replaceExisting })));
      line.update(created.length, tasks.length);
    }
  } finally {
    line.done();
  }
  return created;
}

/** The task fields given as flags (only those given, so the same helper builds a patch). */
function taskFields(flags: Flags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const str = (flag: keyof Flags, field: string) => {
    if (flags[flag] !== undefined) fields[field] = flags[flag];
  };
  str('id', 'id');
  str('group', 'group');
  str('description', 'description');
  str('timezone', 'timezone');
  str('start-at', 'startAt');
  str('end-at', 'endAt');
  if (flags.target !== undefined) fields.target = { function: flags.target };
  if (flags.payload !== undefined) fields.payload = parseJson(flags.payload as string, '--payload');
  if (flags['max-runs'] !== undefined) fields.maxRuns = intFlag(flags, 'max-runs');
  if (flags.disabled) fields.enabled = false;
  const schedules = (['cron', 'every', 'at'] as const).filter((k) => flags[k] !== undefined);
  if (schedules.length > 1) throw new UsageError('give only one of --cron, --every, --at');
  if (flags.cron !== undefined) fields.schedule = { cron: flags.cron };
  if (flags.at !== undefined) fields.schedule = { at: flags.at };
  if (flags.every !== undefined) fields.schedule = { every: parseEvery(flags.every as string) };
  return fields;
}

/** `1h30m` → {hours: 1, minutes: 30}. */
export function parseEvery(text: string): Record<string, number> {
  const match = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '')
    throw new UsageError(`--every expects a duration like 15m, 1h30m or 2d, got '${text}'`);
  const units = ['weeks', 'days', 'hours', 'minutes', 'seconds'];
  const every: Record<string, number> = {};
  units.forEach((unit, i) => {
    if (match[i + 1] !== undefined) every[unit] = Number(match[i + 1]);
  });
  return every;
}

function intFlag(flags: Flags, name: keyof Flags): number | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} expects a whole number, got '${value}'`);
  return n;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseJson(text, path);
}

function scheduleText(schedule: Task['schedule']): string {
  const [kind, value] = Object.entries(schedule)[0] ?? ['?', ''];
  return `${kind} ${
    typeof value === 'string'
      ? value
      : Object.entries(value as object)
          .map(([u, n]) => `${n}${u[0]}`)
          .join('')
  }`;
}

function taskTable(tasks: Task[], width: number): string {
  if (tasks.length === 0) return 'no tasks';
  return table(
    ['ID', 'GROUP', 'STATE', 'SCHEDULE', 'NEXT RUN', 'RUNS', 'TARGET'],
    tasks.map((t) => [
      t.id,
      t.group ?? '-',
      t.state,
      scheduleText(t.schedule),
      t.nextRunAt ?? '-',
      String(t.runCount),
      t.target.function,
    ]),
    width,
  );
}

function runTable(runs: Run[], width: number): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['RUN ID', 'SOURCE', 'STATUS', 'SCHEDULED AT', 'FIRED AT', 'ATTEMPT', 'ERROR'],
    runs.map((r) => [
      r.runId,
      r.source,
      r.status,
      r.scheduledAt,
      r.firedAt,
      String(r.attempt),
      r.error ?? '',
    ]),
    width,
  );
}

function taskDetails(task: Task): string {
  return details([
    ['id', task.id],
    ['group', task.group],
    ['state', task.state],
    ['schedule', scheduleText(task.schedule)],
    ['timezone', task.timezone],
    [
      'target',
      task.target.qualifier ? `${task.target.function}:${task.target.qualifier}` : task.target.function,
    ],
    ['next run', task.nextRunAt ?? '-'],
    ['last run', task.lastRunAt ?? '-'],
    ['runs', task.runCount],
    ['version', task.version],
    ['description', task.description],
    ['payload', task.payload],
  ]);
}

function report(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`sundial: ${error.message}\nRun 'sundial --help' for usage.\n`);
    return 2;
  }
  if (error instanceof SundialApiError) {
    io.err(
      `error: ${error.problem.title} (${error.status})${error.problem.detail ? `: ${error.problem.detail}` : ''}\n`,
    );
    for (const e of error.problem.errors ?? []) io.err(`  ${e.path || '(body)'}: ${e.message}\n`);
    return 1;
  }
  if (error instanceof SundialTimeoutError) {
    io.err(`error: ${error.message}\n`);
    return 1;
  }
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  io.err(`error: ${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}\n`);
  return 1;
}
