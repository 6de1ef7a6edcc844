import { useEffect, useMemo, useState } from 'preact/hooks';
import { SOLAR_EVENTS } from '../../../lib/schedule/types';
import { ApiError, api } from '../api';
import { Loading, ProblemAlert, useNotify } from '../components/common';
import { Field, fieldId } from '../components/field';
import {
  EVERY_UNITS,
  emptyForm,
  type FieldError,
  fieldFor,
  formFromTask,
  OVERLAP_FIELDS,
  previewRequest,
  RETRY_FIELDS,
  SCHEDULE_KINDS,
  type ScheduleKind,
  scheduleGiven,
  type TaskForm,
  taskPatch,
  taskRequest,
} from '../form-model';
import { formatInstant, knownZone } from '../format';
import { useDebounced } from '../live';
import { href } from '../router';
import type { PreviewResponse, TaskView } from '../types';

const KIND_LABELS: Record<ScheduleKind, string> = {
  cron: 'Cron',
  every: 'Interval',
  at: 'Once',
  solar: 'Sun event',
  expression: 'EventBridge expression',
  json: 'JSON',
};

/** The names of the inputs the form shows for a schedule kind (errors find their field among these). */
function fieldNames(kind: ScheduleKind, editing: boolean): Set<string> {
  const names = [
    'group',
    'description',
    'target',
    'target.function',
    'target.qualifier',
    'payload',
    'schedule',
    'timezone',
    'cronDayMatch',
    'startAt',
    'endAt',
    'maxRuns',
    'jitterSeconds',
    'misfire.policy',
    'misfire.graceSeconds',
    ...RETRY_FIELDS,
    ...OVERLAP_FIELDS,
  ];
  if (!editing) names.push('id');
  if (kind === 'cron' || kind === 'at' || kind === 'expression') names.push(`schedule.${kind}`);
  if (kind === 'every') names.push('schedule.every', ...EVERY_UNITS.map((u) => `schedule.every.${u}`));
  if (kind === 'solar') {
    names.push(
      'schedule.solar',
      ...['event', 'latitude', 'longitude', 'offsetMinutes'].map((k) => `schedule.solar.${k}`),
    );
  }
  return new Set(names);
}

const TIME_ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

function usePreview(form: TaskForm) {
  const read = previewRequest(form);
  const body = useDebounced(JSON.stringify(read.value), 300);
  const [result, setResult] = useState<{ data?: PreviewResponse; error?: ApiError }>({});
  const readable = read.errors.length === 0 && scheduleGiven(form);
  useEffect(() => {
    if (!readable) {
      setResult({});
      return;
    }
    const controller = new AbortController();
    api.previewSchedule(JSON.parse(body), controller.signal).then(
      (data) => setResult({ data }),
      (error) => !controller.signal.aborted && setResult({ error: error as ApiError }),
    );
    return () => controller.abort();
  }, [body, readable]);
  return result;
}

function Preview({
  preview,
  timezone,
  viewerZone,
}: {
  preview: ReturnType<typeof usePreview>;
  timezone: string;
  viewerZone: string;
}) {
  const zone = knownZone(timezone);
  return (
    <section class="card preview" aria-labelledby="preview-heading">
      <h2 id="preview-heading">Preview</h2>
      <div aria-live="polite">
        {!preview.data && !preview.error && <p class="muted">Give a schedule to see when it runs.</p>}
        {preview.error && <p class="error-text">The schedule is not valid yet: see the fields marked.</p>}
        {preview.data && !preview.error && (
          <>
            <p class="description">{preview.data.description}</p>
            {preview.data.occurrences.length === 0 ? (
              <p class="muted">No occurrence after now.</p>
            ) : (
              <ol class="occurrences">
                {preview.data.occurrences.map((iso) => (
                  <li key={iso}>
                    <time dateTime={iso}>{formatInstant(iso, zone)}</time>
                    {zone !== viewerZone && (
                      <span class="muted small"> · {formatInstant(iso, viewerZone)} yours</span>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </>
        )}
      </div>
    </section>
  );
}

/** Errors by the field they name; the ones no field shown has go in the summary. */
function placeErrors(errors: FieldError[], names: Set<string>) {
  const byField = new Map<string, string[]>();
  const unplaced: FieldError[] = [];
  for (const error of errors) {
    const field = fieldFor(error.path, names);
    if (field) byField.set(field, [...(byField.get(field) ?? []), error.message]);
    else unplaced.push(error);
  }
  return { byField, unplaced };
}

function ErrorSummary({ errors, names }: { errors: FieldError[]; names: Set<string> }) {
  if (errors.length === 0) return null;
  const focus = (path: string) => (event: Event) => {
    event.preventDefault();
    const field = fieldFor(path, names);
    if (field) document.getElementById(fieldId(field))?.focus();
  };
  return (
    <div class="alert" role="alert" aria-labelledby="error-summary-title">
      <p id="error-summary-title">
        <strong>The task was not saved:</strong>
      </p>
      <ul>
        {errors.map((e) => (
          <li key={`${e.path}:${e.message}`}>
            {fieldFor(e.path, names) ? (
              <a href={`#${fieldId(fieldFor(e.path, names) as string)}`} onClick={focus(e.path)}>
                {e.path}: {e.message}
              </a>
            ) : (
              `${e.path || 'request'}: ${e.message}`
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface EditorProps {
  initial: TaskForm;
  /** The task being edited (its version goes in If-Match); absent when creating. */
  original?: TaskView;
  timeZone: string;
  /** Reads the task again (after a 412), replacing the form. */
  onReload?: () => void;
}

function TaskEditor({ initial, original, timeZone, onReload }: EditorProps) {
  const [form, setForm] = useState(initial);
  const [saveErrors, setSaveErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<ApiError | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  // The summary of what stops a save appears once a save was tried; each field shows its own at once.
  const [submitted, setSubmitted] = useState(false);
  const notify = useNotify();
  const editing = original !== undefined;
  const [policiesGiven] = useState(() =>
    [...RETRY_FIELDS, ...OVERLAP_FIELDS].some((name) => (initial.values[name] ?? '') !== ''),
  );
  const names = useMemo(() => fieldNames(form.kind, editing), [form.kind, editing]);
  const preview = usePreview(form);
  const read = editing ? taskPatch(initial, form) : taskRequest(form);
  const previewErrors = preview.error?.problem.errors ?? [];
  const shown = placeErrors([...read.errors, ...saveErrors, ...previewErrors], names);

  const set = (name: string, value: string) => {
    setForm({ ...form, values: { ...form.values, [name]: value } });
    setSaveErrors(saveErrors.filter((e) => fieldFor(e.path, names) !== name));
  };
  const text = (
    name: string,
    label: string,
    options: { hint?: string; numeric?: boolean; placeholder?: string } = {},
  ) => (
    <Field name={name} label={label} hint={options.hint} errors={shown.byField.get(name)}>
      {(props) => (
        <input
          {...props}
          name={name}
          type="text"
          inputMode={options.numeric ? 'decimal' : undefined}
          placeholder={options.placeholder}
          value={form.values[name] ?? ''}
          onInput={(event) => set(name, (event.currentTarget as HTMLInputElement).value)}
          autocomplete="off"
        />
      )}
    </Field>
  );
  const select = (name: string, label: string, choices: readonly string[]) => (
    <Field name={name} label={label} errors={shown.byField.get(name)}>
      {(props) => (
        <select
          {...props}
          name={name}
          value={form.values[name] ?? ''}
          onChange={(event) => set(name, (event.currentTarget as HTMLSelectElement).value)}
        >
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice === '' ? 'none' : choice.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  const save = async (event: Event) => {
    event.preventDefault();
    setSubmitted(true);
    if (read.errors.length > 0) return;
    setSaving(true);
    setFailure(undefined);
    try {
      const task = original
        ? await api.updateTask(original.id, read.value, original.version)
        : await api.createTask(read.value);
      location.hash = href({ view: 'task', id: task.id });
      notify(original ? `Saved ${task.id} (version ${task.version})` : `Created task ${task.id}`);
    } catch (error) {
      const apiError = error as ApiError;
      setSaveErrors(apiError.problem?.errors ?? []);
      setFailure(apiError.status === 400 ? undefined : apiError);
    } finally {
      setSaving(false);
    }
  };

  const scheduleFields = () => {
    switch (form.kind) {
      case 'cron':
        return text('schedule.cron', 'Cron expression', {
          hint: '5 fields (minute hour day month weekday) or 6 with leading seconds, e.g. 0 9 * * MON-FRI',
        });
      case 'expression':
        return text('schedule.expression', 'EventBridge expression', {
          hint: 'cron(0 12 ? * MON-FRI *), rate(5 minutes) or at(2026-12-01T10:00:00)',
        });
      case 'at':
        return text('schedule.at', 'At', {
          hint: 'ISO 8601; without an offset it is read in the time zone below',
          placeholder: '2026-12-01T09:00:00',
        });
      case 'every':
        return (
          <fieldset
            class="inline"
            aria-describedby={
              shown.byField.has('schedule.every') ? `${fieldId('schedule.every')}-error` : undefined
            }
          >
            <legend>Every</legend>
            {EVERY_UNITS.map((unit) => text(`schedule.every.${unit}`, unit, { numeric: true }))}
            {shown.byField.has('schedule.every') && (
              <p id={`${fieldId('schedule.every')}-error`} class="field-error">
                {shown.byField.get('schedule.every')?.join('; ')}
              </p>
            )}
          </fieldset>
        );
      case 'solar':
        return (
          <fieldset class="inline">
            <legend>Sun event</legend>
            {select('schedule.solar.event', 'Event', SOLAR_EVENTS)}
            {text('schedule.solar.latitude', 'Latitude', { numeric: true })}
            {text('schedule.solar.longitude', 'Longitude', { numeric: true })}
            {text('schedule.solar.offsetMinutes', 'Offset (minutes)', { numeric: true })}
          </fieldset>
        );
      case 'json':
        return (
          <Field
            name="schedule"
            label="Schedule (JSON)"
            errors={shown.byField.get('schedule')}
            hint='Any schedule the API accepts, e.g. {"cron": "0 9 * * *"}'
          >
            {(props) => (
              <textarea
                {...props}
                name="schedule"
                rows={4}
                value={form.values.schedule ?? ''}
                onInput={(e) => set('schedule', (e.currentTarget as HTMLTextAreaElement).value)}
              />
            )}
          </Field>
        );
    }
  };

  return (
    <form class="task-form" onSubmit={save} noValidate aria-labelledby="form-heading">
      {submitted && <ErrorSummary errors={[...saveErrors, ...read.errors]} names={names} />}
      <ProblemAlert
        error={failure}
        context={
          failure?.status === 412 ? 'Not saved: someone changed this task since you opened it' : 'Not saved'
        }
      />
      {failure?.status === 412 && onReload && (
        <p>
          <button type="button" onClick={onReload}>
            Load the task as it is now (discards your changes here)
          </button>
        </p>
      )}
      <div class="columns">
        <div>
          <fieldset>
            <legend>Task</legend>
            {!editing &&
              text('id', 'Id', { hint: 'Letters, digits and . _ : - (up to 128); empty: one is generated' })}
            {text('group', 'Group')}
            {text('description', 'Description')}
            {text('target.function', 'Target function', {
              hint: 'A Lambda function name or ARN the allow-list accepts (default prefix sundial-)',
            })}
            {text('target.qualifier', 'Qualifier (version or alias)')}
          </fieldset>
          <fieldset
            aria-describedby={
              shown.byField.has('schedule') && form.kind !== 'json'
                ? `${fieldId('schedule')}-error`
                : undefined
            }
          >
            <legend>Schedule</legend>
            <div class="kinds" role="radiogroup" aria-label="Schedule kind">
              {SCHEDULE_KINDS.map((kind) => (
                <label key={kind} class="radio">
                  <input
                    type="radio"
                    name="kind"
                    value={kind}
                    checked={form.kind === kind}
                    onChange={() => setForm({ ...form, kind })}
                  />
                  {KIND_LABELS[kind]}
                </label>
              ))}
            </div>
            {form.kind !== 'json' && shown.byField.has('schedule') && (
              <p id={`${fieldId('schedule')}-error`} class="field-error">
                {shown.byField.get('schedule')?.join('; ')}
              </p>
            )}
            {scheduleFields()}
            <Field
              name="timezone"
              label="Time zone"
              errors={shown.byField.get('timezone')}
              hint="IANA name, e.g. Europe/Lisbon"
            >
              {(props) => (
                <input
                  {...props}
                  name="timezone"
                  list="time-zones"
                  value={form.values.timezone ?? ''}
                  onInput={(e) => set('timezone', (e.currentTarget as HTMLInputElement).value)}
                  autocomplete="off"
                />
              )}
            </Field>
            <datalist id="time-zones">
              {TIME_ZONES.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            {(form.kind === 'cron' || form.kind === 'expression') &&
              select('cronDayMatch', 'Day of month and weekday both given: match', ['or', 'and'])}
            {text('startAt', 'Start at', {
              hint: 'Inclusive; ISO 8601 with an offset',
              placeholder: '2026-12-01T00:00:00Z',
            })}
            {text('endAt', 'End at', { hint: 'Inclusive; ISO 8601 with an offset' })}
            {text('maxRuns', 'Max runs', { numeric: true })}
            {text('jitterSeconds', 'Jitter (seconds)', { numeric: true })}
            {select('misfire.policy', 'Missed occurrences', ['once', 'skip', 'all'])}
            {text('misfire.graceSeconds', 'Grace (seconds)', { numeric: true })}
          </fieldset>
          <details
            class="policies"
            // Open when the task has a policy, and whenever one of its inputs has an error to show.
            open={policiesGiven || [...RETRY_FIELDS, ...OVERLAP_FIELDS].some((n) => shown.byField.has(n))}
          >
            <summary>Retries and overlap</summary>
            <p class="muted small">
              For targets whose outcomes Sundial sees (registered with addTarget, or local ones).
            </p>
            <fieldset>
              <legend>Retry a failed run</legend>
              {text('retry.maxAttempts', 'Attempts in all (1-10)', {
                numeric: true,
                hint: 'The first included: 3 is one try and two retries; empty: no retries',
              })}
              {text('retry.delaySeconds', 'First delay (seconds)', { numeric: true, placeholder: '30' })}
              {text('retry.backoffRate', 'Backoff rate', { numeric: true, placeholder: '2' })}
              {text('retry.maxDelaySeconds', 'Longest delay (seconds)', {
                numeric: true,
                placeholder: '3600',
              })}
            </fieldset>
            <fieldset>
              <legend>Overlapping runs</legend>
              {select('overlap.policy', 'While runs are in progress', ['', 'allow', 'skip', 'queue'])}
              {text('overlap.maxConcurrent', 'Runs in progress at most', { numeric: true, placeholder: '1' })}
            </fieldset>
          </details>
          <fieldset>
            <legend>Payload</legend>
            <Field
              name="payload"
              label="Payload (JSON)"
              errors={shown.byField.get('payload')}
              hint="Sent to the target as the event's payload"
            >
              {(props) => (
                <textarea
                  {...props}
                  name="payload"
                  rows={5}
                  value={form.values.payload ?? ''}
                  onInput={(e) => set('payload', (e.currentTarget as HTMLTextAreaElement).value)}
                />
              )}
            </Field>
            {!editing && (
              <>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={!form.enabled}
                    onChange={(e) =>
                      setForm({ ...form, enabled: !(e.currentTarget as HTMLInputElement).checked })
                    }
                  />
                  Start paused
                </label>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={form.runImmediately}
                    onChange={(e) =>
                      setForm({ ...form, runImmediately: (e.currentTarget as HTMLInputElement).checked })
                    }
                  />
                  Also run once as soon as it is created
                </label>
              </>
            )}
          </fieldset>
        </div>
        <Preview preview={preview} timezone={form.values.timezone ?? 'UTC'} viewerZone={timeZone} />
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={saving}>
          {editing ? 'Save changes' : 'Create task'}
        </button>
        <a href={original ? href({ view: 'task', id: original.id }) : href({ view: 'tasks' })}>Cancel</a>
      </div>
    </form>
  );
}

/** Create a task, or edit one (`If-Match` with the version loaded: a concurrent edit is refused, not lost). */
export function TaskFormPage({ id, timeZone }: { id?: string; timeZone: string }) {
  const [loaded, setLoaded] = useState<{ task?: TaskView; error?: ApiError }>({});
  const [reads, setReads] = useState(0);
  useEffect(() => {
    if (!id) return;
    setLoaded({});
    const controller = new AbortController();
    api.getTask(id, controller.signal).then(
      (task) => setLoaded({ task }),
      (error) =>
        !controller.signal.aborted && setLoaded({ error: error instanceof ApiError ? error : undefined }),
    );
    return () => controller.abort();
  }, [id, reads]);
  return (
    <>
      {id && (
        <p class="crumbs">
          <a href={href({ view: 'tasks' })}>Tasks</a> / <a href={href({ view: 'task', id })}>{id}</a> /
        </p>
      )}
      <h1 id="form-heading" tabIndex={-1}>
        {id ? `Edit ${id}` : 'New task'}
      </h1>
      {!id && <TaskEditor initial={emptyForm(timeZone)} timeZone={timeZone} />}
      {id && <ProblemAlert error={loaded.error} context={`Could not read ${id}`} />}
      {id && !loaded.task && !loaded.error && <Loading what="the task" />}
      {id && loaded.task && (
        <TaskEditor
          key={loaded.task.version}
          initial={formFromTask(loaded.task)}
          original={loaded.task}
          timeZone={timeZone}
          onReload={() => setReads(reads + 1)}
        />
      )}
    </>
  );
}
