import type { Run, Task } from '../task/schemas';
import { details, table } from './output';

/** `cron 0 9 * * *`, `every 1h30m`. */
export function scheduleText(schedule: Task['schedule']): string {
  const [kind, value] = Object.entries(schedule)[0] ?? ['?', ''];
  return `${kind} ${
    typeof value === 'string'
      ? value
      : Object.entries(value as object)
          .map(([u, n]) => `${n}${u[0]}`)
          .join('')
  }`;
}

export function taskTable(tasks: Task[], width: number): string {
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

/** Longest error text a run table shows (the JSON output has all of it). */
const ERROR_WIDTH = 60;

/** A run's error: the function's `errorType: errorMessage`, or why the delivery failed; bounded. */
export function runError(run: Run): string {
  const text = run.errorType
    ? `${run.errorType}${run.errorMessage ? `: ${run.errorMessage}` : ''}`
    : (run.errorMessage ?? run.error ?? '');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > ERROR_WIDTH ? `${line.slice(0, ERROR_WIDTH - 1)}…` : line;
}

/** A column of the run table; `optional` ones appear only when some run has a value for them. */
interface RunColumn {
  header: string;
  cell: (run: Run) => string | undefined;
  optional?: boolean;
}

const RUN_COLUMNS: RunColumn[] = [
  { header: 'RUN ID', cell: (r) => r.runId },
  { header: 'SOURCE', cell: (r) => r.source },
  { header: 'STATUS', cell: (r) => r.status },
  { header: 'ATTEMPT', cell: (r) => String(r.attempt) },
  { header: 'SCHEDULED AT', cell: (r) => r.scheduledAt },
  { header: 'DURATION', cell: (r) => durationText(r), optional: true },
  { header: 'ERROR', cell: (r) => runError(r) || undefined },
  { header: 'REASON', cell: (r) => r.reason, optional: true },
  { header: 'RETRY AT', cell: (r) => r.retryAt, optional: true },
];

const durationText = (r: Run) => (r.durationMs === undefined ? undefined : `${r.durationMs} ms`);

/**
 * A task's runs: status, attempt, error; duration, why skipped, and when a failed one is retried when any
 * run has them (so an untracked task's table stays as narrow as before).
 */
export function runTable(runs: Run[], width: number): string {
  if (runs.length === 0) return 'no runs';
  const columns = RUN_COLUMNS.filter((c) => !c.optional || runs.some((r) => c.cell(r) !== undefined));
  return table(
    columns.map((c) => c.header),
    runs.map((r) => columns.map((c) => c.cell(r) ?? '-')),
    width,
  );
}

/** Runs of many tasks (the failed runs across tasks): the task first, then when it ended. */
export function recentRunTable(runs: Run[], width: number): string {
  if (runs.length === 0) return 'no runs';
  return table(
    ['TASK', 'RUN ID', 'STATUS', 'ATTEMPT', 'FINISHED AT', 'DURATION', 'ERROR'],
    runs.map((r) => [
      r.taskId,
      r.runId,
      r.status,
      String(r.attempt),
      r.finishedAt ?? '-',
      durationText(r) ?? '-',
      runError(r) || '-',
    ]),
    width,
  );
}

/** `3 attempts, 30 s then ×2, at most 3600 s apart`. */
export function retryText(retry: Task['retry']): string | undefined {
  if (!retry) return undefined;
  const { maxAttempts, delaySeconds, backoffRate, maxDelaySeconds } = retry;
  return `${maxAttempts} attempts, ${delaySeconds} s then ×${backoffRate}, at most ${maxDelaySeconds} s apart`;
}

/** `skip, at most 1 in progress`. */
export function overlapText(overlap: Task['overlap']): string | undefined {
  return overlap && `${overlap.policy}, at most ${overlap.maxConcurrent} in progress`;
}

export function taskDetails(task: Task): string {
  const target = task.target.qualifier
    ? `${task.target.function}:${task.target.qualifier}`
    : task.target.function;
  return details([
    ['id', task.id],
    ['group', task.group],
    ['state', task.state],
    ['schedule', scheduleText(task.schedule)],
    ['timezone', task.timezone],
    ['target', target],
    ['next run', task.nextRunAt ?? '-'],
    ['last run', task.lastRunAt ?? '-'],
    ['runs', task.runCount],
    ['retry', retryText(task.retry)],
    ['overlap', overlapText(task.overlap)],
    ['last status', task.lastStatus],
    ['last error', task.lastError],
    ['failures in a row', task.consecutiveFailures],
    ['in progress', task.runsInProgress],
    ['queued', task.queuedRuns],
    ['version', task.version],
    ['description', task.description],
    ['payload', task.payload],
  ]);
}
