import { useState } from 'preact/hooks';
import { type ApiError, api } from '../api';
import { Badge, Loading, ProblemAlert } from '../components/common';
import { ScheduleDescription } from '../components/schedule-description';
import { formatInstant, scheduleText } from '../format';
import { POLL_MS, useLive } from '../live';
import { href, type TaskFilters } from '../router';
import type { TaskView } from '../types';

const PAGE_SIZES = [20, 50, 100];
const STATES = ['active', 'paused', 'completed'];

// Uncontrolled inputs (defaultValue), remounted when the filters change: a poll re-rendering the list
// must not reset what someone is typing.
function FilterForm({ filters }: { filters: TaskFilters }) {
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const value = (key: string) => String(data.get(key) ?? '').trim() || undefined;
    location.hash = href({ view: 'tasks', group: value('group'), state: value('state'), q: value('q') });
  };
  return (
    <search aria-label="Filter tasks">
      <form class="filters" onSubmit={onSubmit}>
        <div class="field">
          <label for="filter-q">Search by id</label>
          <input id="filter-q" name="q" type="search" defaultValue={filters.q ?? ''} autocomplete="off" />
        </div>
        <div class="field">
          <label for="filter-group">Group</label>
          <input id="filter-group" name="group" defaultValue={filters.group ?? ''} autocomplete="off" />
        </div>
        <div class="field">
          <label for="filter-state">State</label>
          <select id="filter-state" name="state">
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s} selected={s === filters.state}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field buttons">
          <button type="submit">Apply</button>
          <a href={href({ view: 'tasks' })}>Clear</a>
        </div>
      </form>
    </search>
  );
}

function LastRun({ task, timeZone }: { task: TaskView; timeZone: string }) {
  return (
    <>
      {formatInstant(task.lastRunAt, timeZone)}
      {task.lastStatus && (
        <>
          {' '}
          <Badge status={task.lastStatus} />
        </>
      )}
    </>
  );
}

function TaskRows({ tasks, timeZone }: { tasks: TaskView[]; timeZone: string }) {
  return (
    <table class="stack tasks">
      <caption class="sr-only">Tasks</caption>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Group</th>
          <th scope="col">State</th>
          <th scope="col">Schedule</th>
          <th scope="col">Next run</th>
          <th scope="col">Last run</th>
          <th scope="col">Runs</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.id}>
            <td data-label="Task">
              <a href={href({ view: 'task', id: task.id })}>{task.id}</a>
              {task.description && <div class="muted small">{task.description}</div>}
            </td>
            <td data-label="Group">
              {task.group ? <a href={href({ view: 'tasks', group: task.group })}>{task.group}</a> : '—'}
            </td>
            <td data-label="State">
              <Badge status={task.state} />
            </td>
            <td data-label="Schedule">
              <code>{scheduleText(task.schedule)}</code>
              <div>
                <ScheduleDescription task={task} />
              </div>
            </td>
            <td data-label="Next run">{formatInstant(task.nextRunAt, timeZone)}</td>
            <td data-label="Last run">
              <LastRun task={task} timeZone={timeZone} />
            </td>
            <td data-label="Runs">
              {task.runCount}
              {(task.consecutiveFailures ?? 0) > 0 && (
                <div class="small error-text">{task.consecutiveFailures} failing in a row</div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function findExact(q: string | undefined, signal: AbortSignal): Promise<TaskView | undefined> {
  if (!q) return undefined;
  return api.getTask(q, signal).catch((error: ApiError) => {
    if (error.status === 404 || error.status === 400) return undefined;
    throw error;
  });
}

/** The task list: filtered by group and state on the server, searched by id, a page at a time. */
export function TaskList({ filters, timeZone }: { filters: TaskFilters; timeZone: string }) {
  const [limit, setLimit] = useState(PAGE_SIZES[0] as number);
  // The cursors of the pages visited so far: the last one is the page shown.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const key = JSON.stringify(filters);
  const [listedFor, setListedFor] = useState(key);
  if (listedFor !== key) {
    setListedFor(key);
    setCursors([undefined]);
  }
  const cursor = cursors[cursors.length - 1];
  const page = useLive(
    (signal) => api.listTasks({ group: filters.group, state: filters.state, limit, cursor }, signal),
    POLL_MS.list,
    [filters.group, filters.state, limit, cursor],
  );
  const exact = useLive((signal) => findExact(filters.q, signal), POLL_MS.list, [filters.q]);
  const q = filters.q?.toLowerCase();
  const listed = (page.data?.tasks ?? []).filter((t) => !q || t.id.toLowerCase().includes(q));
  const extra = exact.data && !listed.some((t) => t.id === exact.data?.id) ? [exact.data] : [];
  const tasks = [...extra, ...listed];
  const nextCursor = page.data?.cursor;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Tasks</h1>
        <a class="button primary end" href={href({ view: 'new' })}>
          New task
        </a>
      </div>
      <FilterForm key={key} filters={filters} />
      <ProblemAlert error={page.error} context="Could not list tasks" />
      {!page.data && !page.error && <Loading what="tasks" />}
      {page.data && tasks.length === 0 && (
        <p>
          {filters.q || filters.group || filters.state ? 'No task matches.' : 'No tasks yet.'}{' '}
          <a href={href({ view: 'new' })}>Create a task</a>.
        </p>
      )}
      {tasks.length > 0 && (
        <div class="table-wrap">
          <TaskRows tasks={tasks} timeZone={timeZone} />
          <p class="muted small">
            Times in {timeZone} (your time zone).
            {q && ' Search matches ids on this page, and an exact id anywhere.'}
          </p>
        </div>
      )}
      <nav class="pager" aria-label="Pages of tasks">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!nextCursor} onClick={() => setCursors([...cursors, nextCursor])}>
          Next page
        </button>
        <label for="page-size">Per page</label>
        <select
          id="page-size"
          value={String(limit)}
          onChange={(event) => {
            setLimit(Number((event.currentTarget as HTMLSelectElement).value));
            setCursors([undefined]);
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </nav>
    </>
  );
}
