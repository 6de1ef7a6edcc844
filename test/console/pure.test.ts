import { describe, expect, it } from 'vitest';
import {
  emptyForm,
  fieldFor,
  formFromTask,
  previewRequest,
  scheduleGiven,
  type TaskForm,
  taskPatch,
  taskRequest,
} from '../../console/src/form-model';
import {
  formatInstant,
  formatMs,
  knownZone,
  latenessMs,
  median,
  runErrorText,
  scheduleText,
  toneOf,
  zoneOffset,
} from '../../console/src/format';
import { href, parseRoute, type Route } from '../../console/src/router';
import type { TaskView } from '../../console/src/types';

const task: TaskView = {
  id: 'nightly-report',
  group: 'reports',
  description: 'daily',
  target: { function: 'sundial-report', qualifier: 'live' },
  payload: { report: 'daily' },
  schedule: { cron: '0 2 * * *' },
  timezone: 'Europe/Lisbon',
  cronDayMatch: 'or',
  maxRuns: 10,
  runImmediately: false,
  misfire: { graceSeconds: 300, policy: 'once' },
  enabled: true,
  state: 'active',
  nextRunAt: '2026-12-02T02:00:00.000Z',
  lastRunAt: null,
  runCount: 0,
  createdAt: '2026-12-01T12:00:00.000Z',
  updatedAt: '2026-12-01T12:00:00.000Z',
  version: 3,
};

const withValues = (form: TaskForm, values: Record<string, string>, kind = form.kind): TaskForm => ({
  ...form,
  kind,
  values: { ...form.values, ...values },
});

describe('console formatting', () => {
  it('reads an instant on the wall clock of a zone, across DST', () => {
    expect(formatInstant('2026-07-01T12:00:00Z', 'Europe/Lisbon')).toBe('2026-07-01 13:00:00');
    expect(formatInstant('2026-12-01T12:00:00Z', 'Europe/Lisbon')).toBe('2026-12-01 12:00:00');
    expect(formatInstant('2026-12-01T00:30:00Z', 'America/New_York')).toBe('2026-11-30 19:30:00');
    expect(formatInstant(null, 'UTC')).toBe('—');
    expect(zoneOffset('2026-07-01T12:00:00Z', 'America/New_York')).toBe('UTC-04:00');
    expect(zoneOffset('2026-12-01T12:00:00Z', 'UTC')).toBe('UTC+00:00');
  });

  it('computes lateness as firedAt − scheduledAt and prints durations for people', () => {
    expect(latenessMs({ scheduledAt: '2026-12-01T12:00:00.000Z', firedAt: '2026-12-01T12:00:01.250Z' })).toBe(
      1250,
    );
    expect([formatMs(12), formatMs(1250), formatMs(125_000), formatMs(3_840_000), formatMs(-40)]).toEqual([
      '12 ms',
      '1.25 s',
      '2 min 5 s',
      '1 h 4 min',
      '−40 ms',
    ]);
    expect(formatMs(undefined)).toBe('—');
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('prints every schedule kind in one line, and a kind it does not know as JSON', () => {
    expect(scheduleText({ cron: '0 2 * * *' })).toBe('cron 0 2 * * *');
    expect(scheduleText({ every: { hours: 1, minutes: 30 } })).toBe('every 1h30m');
    expect(
      scheduleText({ solar: { event: 'solar_noon', latitude: 38.7, longitude: -9.1, offsetMinutes: -15 } }),
    ).toBe('solar noon -15 min at 38.7, -9.1');
    expect(scheduleText({ fields: { hour: 9 } })).toBe('fields {"hour":9}');
  });

  it('shows a tracked run error as type and message, and an older run error as its string', () => {
    expect(runErrorText({ errorType: 'TypeError', errorMessage: 'x is undefined', error: 'old' })).toBe(
      'TypeError: x is undefined',
    );
    expect(runErrorText({ error: 'ResourceNotFoundException' })).toBe('ResourceNotFoundException');
    expect(runErrorText({})).toBe('');
  });

  it('gives every run status its own tone, so failed, timed out and skipped read apart', () => {
    const tones = ['delivered', 'succeeded', 'failed', 'timed_out', 'skipped', 'claimed'].map(toneOf);
    expect(tones).toEqual(['good', 'good', 'bad', 'late', 'muted', 'warn']);
  });

  it('falls back to UTC for a zone the browser does not know', () => {
    expect(knownZone('Europe/Lisbon')).toBe('Europe/Lisbon');
    expect(knownZone('Europe/Lisb')).toBe('UTC');
  });
});

describe('console routes', () => {
  it('parses and prints every route, ids with any allowed character included', () => {
    const routes: Route[] = [
      { view: 'tasks' },
      { view: 'tasks', group: 'reports', state: 'paused', q: 'night' },
      { view: 'task', id: 'a:b.c-d_e' },
      { view: 'edit', id: 'a:b' },
      { view: 'new' },
      { view: 'groups' },
      { view: 'scheduler' },
    ];
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
    expect(parseRoute('')).toEqual({ view: 'tasks' });
    expect(parseRoute('#/nowhere/at/all')).toEqual({ view: 'not-found', path: '/nowhere/at/all' });
  });
});

describe('the task form model', () => {
  it('turns a form into the body of POST /v1/tasks, leaving empty inputs out', () => {
    const form = withValues(emptyForm('Europe/Lisbon'), {
      id: 'nightly',
      'target.function': 'sundial-report',
      'schedule.cron': '0 2 * * *',
      payload: '{"a":1}',
      maxRuns: '5',
    });
    expect(taskRequest(form)).toEqual({
      errors: [],
      value: {
        id: 'nightly',
        target: { function: 'sundial-report' },
        payload: { a: 1 },
        schedule: { cron: '0 2 * * *' },
        timezone: 'Europe/Lisbon',
        cronDayMatch: 'or',
        maxRuns: 5,
        misfire: { policy: 'once', graceSeconds: 300 },
        enabled: true,
        runImmediately: false,
      },
    });
  });

  it('builds each schedule kind from its inputs', () => {
    const base = emptyForm();
    const schedule = (form: TaskForm) => previewRequest(form).value.schedule;
    expect(
      schedule(withValues(base, { 'schedule.every.minutes': '15', 'schedule.every.seconds': '' }, 'every')),
    ).toEqual({
      every: { minutes: 15 },
    });
    expect(
      schedule(
        withValues(base, { 'schedule.solar.latitude': '38.7', 'schedule.solar.longitude': '-9.1' }, 'solar'),
      ),
    ).toEqual({ solar: { event: 'sunrise', latitude: 38.7, longitude: -9.1 } });
    expect(schedule(withValues(base, { 'schedule.at': '2026-12-01T09:00:00' }, 'at'))).toEqual({
      at: '2026-12-01T09:00:00',
    });
    expect(schedule(withValues(base, { 'schedule.expression': 'rate(5 minutes)' }, 'expression'))).toEqual({
      expression: 'rate(5 minutes)',
    });
    expect(schedule(withValues(base, { schedule: '{"fields":{"hour":9}}' }, 'json'))).toEqual({
      fields: { hour: 9 },
    });
  });

  it('names the field of what it cannot read: a number, a JSON payload', () => {
    const form = withValues(emptyForm(), { 'schedule.every.minutes': 'ten', payload: '{oops' }, 'every');
    expect(taskRequest(form).errors.map((e) => e.path)).toEqual(['payload', 'schedule.every.minutes']);
  });

  it('waits for a schedule before previewing', () => {
    expect(scheduleGiven(emptyForm())).toBe(false);
    expect(scheduleGiven(withValues(emptyForm(), { 'schedule.cron': '* * * * *' }))).toBe(true);
    expect(scheduleGiven(withValues(emptyForm(), { 'schedule.solar.latitude': '1' }, 'solar'))).toBe(false);
  });

  it('edits a stored task and patches only what changed, null for what was cleared', () => {
    const loaded = formFromTask(task);
    expect(loaded.values).toMatchObject({
      'schedule.cron': '0 2 * * *',
      'target.qualifier': 'live',
      maxRuns: '10',
    });
    expect(taskPatch(loaded, loaded).value).toEqual({});
    const edited = withValues(loaded, { description: 'nightly', maxRuns: '', 'target.qualifier': '' });
    expect(taskPatch(loaded, edited).value).toEqual({
      description: 'nightly',
      maxRuns: null,
      target: { function: 'sundial-report' },
    });
    const rescheduled = withValues(loaded, { 'schedule.every.hours': '6' }, 'every');
    expect(taskPatch(loaded, rescheduled).value).toEqual({ schedule: { every: { hours: 6 } } });
  });

  it('sends retry and overlap only when given, and patches them whole, null when cleared', () => {
    const form = withValues(emptyForm(), {
      'target.function': 'sundial-report',
      'schedule.cron': '0 2 * * *',
      'retry.maxAttempts': '3',
      'retry.delaySeconds': '10',
      'overlap.policy': 'skip',
    });
    expect(taskRequest(form).value).toMatchObject({
      retry: { maxAttempts: 3, delaySeconds: 10 },
      overlap: { policy: 'skip' },
    });
    expect(taskRequest(emptyForm()).value).not.toHaveProperty('retry');
    expect(taskRequest(emptyForm()).value).not.toHaveProperty('overlap');
    // Given in part, a policy goes as it is: the API names the missing field beside its input.
    const partial = withValues(emptyForm(), { 'overlap.maxConcurrent': '2' });
    expect(taskRequest(partial).value.overlap).toEqual({ maxConcurrent: 2 });
    expect(taskRequest(withValues(emptyForm(), { 'retry.backoffRate': 'fast' })).errors).toEqual([
      { path: 'retry.backoffRate', message: 'must be a number' },
    ]);

    const stored: TaskView = {
      ...task,
      retry: { maxAttempts: 3, delaySeconds: 30, backoffRate: 2, maxDelaySeconds: 3600 },
      overlap: { policy: 'queue', maxConcurrent: 2 },
    };
    const loaded = formFromTask(stored);
    expect(loaded.values).toMatchObject({ 'retry.maxAttempts': '3', 'overlap.policy': 'queue' });
    expect(taskPatch(loaded, loaded).value).toEqual({});
    const edited = withValues(loaded, {
      'retry.maxAttempts': '5',
      'overlap.policy': '',
      'overlap.maxConcurrent': '',
    });
    expect(taskPatch(loaded, edited).value).toEqual({
      retry: { maxAttempts: 5, delaySeconds: 30, backoffRate: 2, maxDelaySeconds: 3600 },
      overlap: null,
    });
  });

  it('edits a schedule kind it does not know as JSON', () => {
    const form = formFromTask({ ...task, schedule: { fields: { hour: 9 } } as never });
    expect(form.kind).toBe('json');
    expect(JSON.parse(form.values.schedule ?? '')).toEqual({ fields: { hour: 9 } });
  });

  it('finds the field an error path belongs to, or none', () => {
    const fields = new Set(['schedule', 'schedule.every', 'schedule.every.minutes', 'target.function']);
    expect(fieldFor('schedule.every.minutes', fields)).toBe('schedule.every.minutes');
    expect(fieldFor('schedule.every', fields)).toBe('schedule.every');
    expect(fieldFor('schedule.cron', fields)).toBe('schedule');
    expect(fieldFor('target.function', fields)).toBe('target.function');
    expect(fieldFor('replaceExisting', fields)).toBeUndefined();
    expect(fieldFor('', fields)).toBeUndefined();
  });
});
