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

export function runTable(runs: Run[], width: number): string {
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
    ['version', task.version],
    ['description', task.description],
    ['payload', task.payload],
  ]);
}
