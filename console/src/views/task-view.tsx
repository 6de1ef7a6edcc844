import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api } from '../api';
import { Badge, Loading, ProblemAlert, Section, useNotify } from '../components/common';
import { Confirm } from '../components/confirm';
import { RunChart } from '../components/run-chart';
import { RunTable } from '../components/run-table';
import { formatInstant, scheduleText, zoneOffset } from '../format';
import { POLL_MS, useLive } from '../live';
import { href } from '../router';
import type { PreviewRequest, RunView, TaskView } from '../types';

const INSTANTS = new Set(['nextRunAt', 'lastRunAt', 'createdAt', 'updatedAt', 'startAt', 'endAt']);
/** The order fields are listed in; any other field the API sends (a newer version's) follows as JSON. */
const FIELD_ORDER = [
  'id',
  'state',
  'group',
  'description',
  'target',
  'schedule',
  'normalizedSchedule',
  'timezone',
  'cronDayMatch',
  'startAt',
  'endAt',
  'maxRuns',
  'jitterSeconds',
  'misfire',
  'retry',
  'overlap',
  'runImmediately',
  'enabled',
  'nextRunAt',
  'lastRunAt',
  'runCount',
  'lastStatus',
  'lastError',
  'consecutiveFailures',
  'runsInProgress',
  'queuedRuns',
  'createdAt',
  'updatedAt',
  'version',
  'payload',
];

function FieldValue({ name, value, timeZone }: { name: string; value: unknown; timeZone: string }) {
  if (value === undefined || value === null) return <span class="muted">—</span>;
  if (name === 'target') {
    const { function: fn, qualifier } = value as TaskView['target'];
    return <code>{qualifier ? `${fn}:${qualifier}` : fn}</code>;
  }
  if (name === 'schedule' || name === 'normalizedSchedule') return <code>{scheduleText(value)}</code>;
  if (name === 'misfire') {
    const { policy, graceSeconds } = value as TaskView['misfire'];
    return <>{`${policy} (grace ${graceSeconds} s)`}</>;
  }
  if (name === 'retry') {
    const { maxAttempts, delaySeconds, backoffRate, maxDelaySeconds } = value as NonNullable<
      TaskView['retry']
    >;
    return (
      <>{`${maxAttempts} attempts, ${delaySeconds} s then ×${backoffRate} (at most ${maxDelaySeconds} s apart)`}</>
    );
  }
  if (name === 'overlap') {
    const { policy, maxConcurrent } = value as NonNullable<TaskView['overlap']>;
    return <>{`${policy}, at most ${maxConcurrent} in progress`}</>;
  }
  if (name === 'state' || name === 'lastStatus') return <Badge status={String(value)} />;
  if (INSTANTS.has(name) && typeof value === 'string') {
    return <time dateTime={value}>{formatInstant(value, timeZone)}</time>;
  }
  if (typeof value === 'object') {
    const compact = JSON.stringify(value);
    return compact.length <= 60 ? <code>{compact}</code> : <pre>{JSON.stringify(value, null, 2)}</pre>;
  }
  return <>{String(value)}</>;
}

function TaskFields({ task, timeZone }: { task: TaskView; timeZone: string }) {
  const record = task as unknown as Record<string, unknown>;
  const names = [
    ...FIELD_ORDER.filter((n) => n in record),
    ...Object.keys(record).filter((n) => !FIELD_ORDER.includes(n)),
  ];
  return (
    <dl class="fields">
      {names.map((name) => (
        <div key={name} class={name === 'payload' ? 'wide' : undefined}>
          <dt>{name}</dt>
          <dd>
            <FieldValue name={name} value={record[name]} timeZone={timeZone} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** What to ask the preview route for the task's next occurrences, anchored as the task itself is. */
export function occurrencesRequest(task: TaskView): PreviewRequest | undefined {
  const remaining = task.maxRuns === undefined ? undefined : task.maxRuns - task.runCount;
  if (task.state === 'completed' || (remaining !== undefined && remaining <= 0)) return undefined;
  // An interval counts from startAt, else from the creation second: anchor the preview the same way.
  const interval =
    'every' in task.schedule || (task.normalizedSchedule && 'every' in task.normalizedSchedule);
  const created = new Date(Math.floor(Date.parse(task.createdAt) / 1000) * 1000).toISOString();
  return {
    schedule: task.schedule,
    timezone: task.timezone,
    cronDayMatch: task.cronDayMatch,
    startAt: task.startAt ?? (interval ? created : undefined),
    endAt: task.endAt,
    maxRuns: remaining,
    count: 10,
  };
}

function Instant({ iso, timeZone }: { iso: string; timeZone: string }) {
  return (
    <span class="instant">
      <time dateTime={iso}>{formatInstant(iso, timeZone)}</time>{' '}
      <span class="muted small offset">{zoneOffset(iso, timeZone)}</span>
    </span>
  );
}

function NextOccurrences({ task, timeZone }: { task: TaskView; timeZone: string }) {
  const body = occurrencesRequest(task);
  const preview = useLive(
    (signal) => (body ? api.previewSchedule(body, signal) : Promise.resolve(undefined)),
    60_000,
    [task.id, task.version],
  );
  return (
    <Section id="next-heading" title="Next 10 occurrences">
      {preview.data?.description && <p>{preview.data.description}</p>}
      {task.state === 'paused' && <p class="muted">Paused: these occur only if the task is resumed.</p>}
      <ProblemAlert error={preview.error} context="Could not compute the occurrences" />
      {!body && <p class="muted">None: the task will not run again.</p>}
      {body && preview.data && preview.data.occurrences.length === 0 && <p class="muted">None.</p>}
      {body && preview.data && preview.data.occurrences.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{task.timezone} (task)</th>
                <th scope="col">{timeZone} (yours)</th>
              </tr>
            </thead>
            <tbody>
              {preview.data.occurrences.map((iso, i) => (
                <tr key={iso}>
                  <td data-label="#">{i + 1}</td>
                  <td data-label="Task's zone">
                    <Instant iso={iso} timeZone={task.timezone} />
                  </td>
                  <td data-label="Your zone">
                    <Instant iso={iso} timeZone={timeZone} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}

const runKey = (run: RunView) => `${run.runId}#${run.attempt}`;
const newestFirst = (a: RunView, b: RunView) =>
  b.firedAt.localeCompare(a.firedAt) || b.runId.localeCompare(a.runId) || b.attempt - a.attempt;

/**
 * The run history: the newest page is polled; every run seen since the page opened is kept (so polls
 * never drop rows), and older pages load on demand. Runs that arrive while watching are marked fresh.
 */
function useRuns(id: string) {
  const latest = useLive((signal) => api.listRuns(id, { limit: 50 }, signal), POLL_MS.task, [id]);
  const seen = useRef(new Map<string, RunView>());
  const [runs, setRuns] = useState<RunView[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [older, setOlder] = useState<{ cursor?: string; loaded: boolean; loading: boolean }>({
    loaded: false,
    loading: false,
  });
  const notify = useNotify();
  const merge = (page: RunView[]) => {
    const added = page.filter((run) => !seen.current.has(runKey(run)));
    for (const run of page) seen.current.set(runKey(run), run);
    setRuns([...seen.current.values()].sort(newestFirst));
    return added;
  };
  useEffect(() => {
    if (!latest.data) return;
    const first = seen.current.size === 0;
    const added = merge(latest.data.runs);
    if (!older.loaded) setOlder({ cursor: latest.data.cursor, loaded: false, loading: false });
    if (first || added.length === 0) return;
    setFresh(new Set(added.map(runKey)));
    notify(
      `${added.length} new run${added.length === 1 ? '' : 's'}: ${added.map((r) => r.status).join(', ')}`,
    );
  }, [latest.data]);
  const loadOlder = async () => {
    if (!older.cursor) return;
    setOlder({ ...older, loading: true });
    try {
      const page = await api.listRuns(id, { limit: 50, cursor: older.cursor });
      merge(page.runs);
      setOlder({ cursor: page.cursor, loaded: true, loading: false });
    } catch {
      setOlder({ ...older, loading: false });
    }
  };
  return {
    runs,
    fresh,
    error: latest.error,
    loaded: latest.data !== undefined,
    older,
    loadOlder,
    refresh: latest.refresh,
  };
}

function useAction(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const notify = useNotify();
  const perform = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      notify(await work());
      onDone();
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, perform };
}

function Actions({ task, onDone }: { task: TaskView; onDone: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const { busy, error, perform } = useAction(onDone);
  const remove = () => {
    setConfirming(false);
    void perform(async () => {
      await api.deleteTask(task.id);
      location.hash = href({ view: 'tasks' });
      return `Deleted task ${task.id}`;
    });
  };
  return (
    <>
      <fieldset class="actions">
        <legend class="sr-only">Task actions</legend>
        {task.state === 'active' && (
          <button
            type="button"
            disabled={busy}
            onClick={() => perform(() => api.pauseTask(task.id).then(() => `Paused ${task.id}`))}
          >
            Pause
          </button>
        )}
        {task.state === 'paused' && (
          <button
            type="button"
            disabled={busy}
            onClick={() => perform(() => api.resumeTask(task.id).then(() => `Resumed ${task.id}`))}
          >
            Resume
          </button>
        )}
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            perform(async () => `Run ${(await api.runTask(task.id)).runId} queued for ${task.id}`)
          }
        >
          Run now
        </button>
        <a class="button" href={href({ view: 'edit', id: task.id })}>
          Edit
        </a>
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>
          Delete
        </button>
      </fieldset>
      <ProblemAlert error={error} context="The action failed" />
      <Confirm
        open={confirming}
        title={`Delete task ${task.id}?`}
        confirmLabel="Delete task"
        onConfirm={remove}
        onCancel={() => setConfirming(false)}
      >
        <p>The task and its run history are deleted. This cannot be undone.</p>
      </Confirm>
    </>
  );
}

function RunsSection({
  id,
  timeZone,
  runs,
}: {
  id: string;
  timeZone: string;
  runs: ReturnType<typeof useRuns>;
}) {
  const more: ComponentChildren = runs.older.cursor && (
    <button type="button" disabled={runs.older.loading} onClick={runs.loadOlder}>
      Load older runs
    </button>
  );
  return (
    <>
      <Section id="chart-heading" title="Recent runs">
        <RunChart runs={runs.runs} />
      </Section>
      <Section id="runs-heading" title="Run history">
        <ProblemAlert error={runs.error} context={`Could not list the runs of ${id}`} />
        {!runs.loaded && !runs.error ? (
          <Loading what="runs" />
        ) : (
          <RunTable runs={runs.runs} timeZone={timeZone} fresh={runs.fresh} />
        )}
        {more}
      </Section>
    </>
  );
}

/** One task: every field, its next occurrences, its runs (live), and what can be done to it. */
export function TaskPage({ id, timeZone }: { id: string; timeZone: string }) {
  const task = useLive((signal) => api.getTask(id, signal), POLL_MS.task, [id]);
  const runs = useRuns(id);
  const refresh = () => {
    task.refresh();
    runs.refresh();
  };
  return (
    <>
      <p class="crumbs">
        <a href={href({ view: 'tasks' })}>Tasks</a> /
      </p>
      <div class="page-head">
        <h1 tabIndex={-1}>Task {id}</h1>
        {task.data && <Badge status={task.data.state} />}
      </div>
      <ProblemAlert
        error={task.error}
        context={task.error?.status === 404 ? undefined : `Could not read ${id}`}
      />
      {!task.data && !task.error && <Loading what="the task" />}
      {task.data && (
        <>
          <Actions task={task.data} onDone={refresh} />
          <div class="columns even">
            <Section id="fields-heading" title="Fields">
              <TaskFields task={task.data} timeZone={timeZone} />
            </Section>
            <NextOccurrences task={task.data} timeZone={timeZone} />
          </div>
          <RunsSection id={id} timeZone={timeZone} runs={runs} />
        </>
      )}
    </>
  );
}
