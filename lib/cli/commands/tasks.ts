import { type Command, Option } from 'commander';
import { type Run, RunStatus, type Task, type TaskInput, type TaskPatch } from '../../task/schemas';
import { type Cli, examples, type Session, session, UsageError } from '../context';
import { progress } from '../output';
import {
  addPageOptions,
  addTaskOptions,
  type PageFlags,
  parseInteger,
  readJsonFile,
  type TaskFlags,
  taskFields,
} from '../task-options';
import { runTable, taskDetails, taskTable } from '../task-views';
import { addTrackingOptions, changesPolicy, type TrackingFlags, trackingFields } from '../tracking-options';
import { addReschedule, oneIdForIfMatch, runOnIds } from './task-lists';

/** `sundial tasks …`: one subcommand per task route. */
export function registerTasks(program: Command, cli: Cli): void {
  const tasks = program
    .command('tasks')
    .description('create, list, read, change, pause, resume and run tasks');
  addCreate(tasks, cli);
  addList(tasks, cli);
  addUpdate(tasks, cli);
  tasks
    .command('get <ids...>')
    .description('show one task, or up to 100 (ids not found are listed on stderr)')
    .addHelpText(
      'after',
      examples('sundial tasks get nightly-report --output json', 'sundial tasks get a b c'),
    )
    .action(async (ids: string[], _flags, command: Command) => {
      const s = session(cli, command);
      if (ids.length > 1) return runOnIds(s, 'get', ids);
      const task = await s.client.getTask(ids[0] as string);
      s.print(task, () => taskDetails(task));
    });
  tasks
    .command('delete <ids...>')
    .description('delete tasks and their run histories (several ids: all or nothing)')
    .action(async (ids: string[], _flags, command: Command) => {
      const s = session(cli, command);
      if (ids.length > 1) return runOnIds(s, 'delete', ids);
      await s.client.deleteTask(ids[0] as string);
      s.print({ id: ids[0], deleted: true }, () => `deleted ${ids[0]}`);
    });
  addPauseResume(tasks, cli);
  addRuns(tasks, cli);
  addReschedule(tasks, cli);
}

function addCreate(tasks: Command, cli: Cli) {
  const create = tasks
    .command('create')
    .description('create one task from flags, or many from a JSON file (in batches of 100)')
    .option('--replace', 'replace a task that has the same id')
    .option('--file <path>', 'a task definition, or a JSON array of them (- reads standard input)');
  addTrackingOptions(addTaskOptions(create, true), false)
    .addHelpText(
      'after',
      examples(
        `sundial tasks create --id nightly-report --target sundial-example-echo --cron "0 2 * * *" --timezone Europe/Lisbon --payload '{"report":"daily"}'`,
        'sundial tasks create --id ping --target sundial-example-echo --every 5m',
        'sundial tasks create --id sync --target sundial-sync --every 1m --retry-attempts 3 --retry-delay 10 --overlap skip',
        'sundial tasks create --file tasks.json --output json',
      ),
    )
    .action(
      async (flags: TaskFlags & TrackingFlags & { replace?: boolean; file?: string }, command: Command) => {
        const s = session(cli, command);
        const fromFile = flags.file === undefined ? undefined : readJsonFile(flags.file);
        const many = Array.isArray(fromFile)
          ? fromFile
          : (fromFile as { tasks?: unknown[] } | undefined)?.tasks;
        if (many) {
          const created = await createMany(s, many as TaskInput[], Boolean(flags.replace));
          return s.print(created, () => taskTable(created, s.width));
        }
        const input = {
          ...(fromFile as object),
          ...taskFields(flags),
          ...trackingFields(flags),
        } as TaskInput;
        if (!fromFile && (!input.target || !input.schedule)) {
          throw new UsageError('give --target and one of --cron, --every, --at (or --file)');
        }
        const task = await s.client.createTask({
          ...input,
          replaceExisting: flags.replace ? true : undefined,
        });
        s.print(task, () => taskDetails(task));
      },
    );
}

/** Creates many tasks in batches of 100, with a progress line; stops at the first failing batch. */
async function createMany(s: Session, tasks: TaskInput[], replaceExisting: boolean) {
  const created: Task[] = [];
  const line = progress(s.io, 'created');
  try {
    for (let i = 0; i < tasks.length; i += 100) {
      created.push(...(await s.client.createTasks(tasks.slice(i, i + 100), { replaceExisting })));
      line.update(created.length, tasks.length);
    }
  } finally {
    line.done();
  }
  return created;
}

function addList(tasks: Command, cli: Cli) {
  const list = tasks
    .command('list')
    .description('list tasks, one page (or --all)')
    .option('--group <group>', 'only this group')
    .addOption(
      new Option('--state <state>', 'only tasks in this state').choices(['active', 'paused', 'completed']),
    );
  addPageOptions(list)
    .addHelpText(
      'after',
      examples('sundial tasks list --group reports', 'sundial tasks list --all --output json'),
    )
    .action(async (flags: PageFlags & { group?: string; state?: Task['state'] }, command: Command) => {
      const s = session(cli, command);
      const query = { group: flags.group, state: flags.state, limit: flags.limit, cursor: flags.cursor };
      const tasks: Task[] = [];
      let cursor: string | undefined;
      if (flags.all) for await (const page of s.client.paginateTasks(query)) tasks.push(...page.tasks);
      else {
        const page = await s.client.listTasks(query);
        tasks.push(...page.tasks);
        cursor = page.cursor;
      }
      s.print(s.json ? { tasks, cursor } : tasks, () => taskTable(tasks, s.width));
      if (cursor && !s.json) s.io.err(`more: --cursor ${cursor}\n`);
    });
}

type UpdateFlags = TaskFlags & TrackingFlags & { file?: string; ifMatch?: number };

function addUpdate(tasks: Command, cli: Cli) {
  const update = tasks
    .command('update <id>')
    .description('change a task: only the fields given change (a merge patch)')
    .option('--file <path>', 'a JSON merge patch (null clears a field)')
    .option('--if-match <version>', 'only if the task is still at this version', parseInteger);
  addTrackingOptions(addTaskOptions(update, false), true)
    .addHelpText(
      'after',
      examples(
        'sundial tasks update nightly-report --cron "0 3 * * *" --if-match 1',
        'sundial tasks update sync --retry-delay 60 --max-concurrent 2',
        'sundial tasks update sync --no-retry --no-overlap',
      ),
    )
    .action(async (id: string, flags: UpdateFlags, command: Command) => {
      const s = session(cli, command);
      const fromFile = flags.file === undefined ? {} : (readJsonFile(flags.file) as object);
      // A policy changed in part keeps its other fields: read them (If-Match still guards the write).
      const current = changesPolicy(flags) ? await s.client.getTask(id) : undefined;
      const patch = { ...fromFile, ...taskFields(flags), ...trackingFields(flags, current) } as TaskPatch;
      if (Object.keys(patch).length === 0)
        throw new UsageError('nothing to change: give task options or --file');
      const task = await s.client.updateTask(id, patch, { ifMatch: flags.ifMatch });
      s.print(task, () => taskDetails(task));
    });
}

function addPauseResume(tasks: Command, cli: Cli) {
  for (const verb of ['pause', 'resume'] as const) {
    tasks
      .command(`${verb} <ids...>`)
      .description(
        verb === 'pause'
          ? 'pause tasks: they fire nothing until resumed (several ids: all or nothing)'
          : 'resume paused tasks (several ids: all or nothing)',
      )
      .option('--if-match <version>', 'only if the task is still at this version', parseInteger)
      .action(async (ids: string[], flags: { ifMatch?: number }, command: Command) => {
        const s = session(cli, command);
        oneIdForIfMatch(ids, flags.ifMatch);
        if (ids.length > 1) return runOnIds(s, verb, ids);
        const id = ids[0] as string;
        const options = { ifMatch: flags.ifMatch };
        const task =
          verb === 'pause' ? await s.client.pauseTask(id, options) : await s.client.resumeTask(id, options);
        s.print(
          task,
          () => `${task.id}: ${task.state}, next run ${task.nextRunAt ?? '-'} (version ${task.version})`,
        );
      });
  }
}

function addRuns(tasks: Command, cli: Cli) {
  tasks
    .command('run <id>')
    .description('run a task now (source: manual); its schedule is untouched')
    .addHelpText('after', examples('sundial tasks run nightly-report && sundial tasks runs nightly-report'))
    .action(async (id: string, _flags, command: Command) => {
      const s = session(cli, command);
      const run = await s.client.runTask(id);
      s.print(
        run,
        () => `${run.taskId}: run ${run.runId} queued at ${run.requestedAt}; a tick delivers it shortly`,
      );
    });
  const runs = tasks
    .command('runs <id>')
    .description("a task's run history, newest first")
    .addOption(new Option('--status <status>', 'only runs in this status').choices(RunStatus.options));
  addPageOptions(runs)
    .addHelpText(
      'after',
      examples(
        'sundial tasks runs nightly-report --limit 10',
        'sundial tasks runs nightly-report --status failed',
      ),
    )
    .action(async (id: string, flags: PageFlags & { status?: RunStatus }, command: Command) => {
      const s = session(cli, command);
      const query = { status: flags.status, limit: flags.limit, cursor: flags.cursor };
      const runs: Run[] = [];
      let cursor: string | undefined;
      if (flags.all) for await (const page of s.client.paginateRuns(id, query)) runs.push(...page.runs);
      else {
        const page = await s.client.listRuns(id, query);
        runs.push(...page.runs);
        cursor = page.cursor;
      }
      s.print(s.json ? { runs, cursor } : runs, () => runTable(runs, s.width));
      if (cursor && !s.json) s.io.err(`more: --cursor ${cursor}\n`);
    });
}
