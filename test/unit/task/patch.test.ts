import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { buildTask } from '../../../lib/task/model';
import { applyPatch, pauseTask, resumeTask } from '../../../lib/task/patch';
import { TaskInput, TaskPatch } from '../../../lib/task/schemas';
import { parseOrThrow } from '../../../lib/task/validate';

const T0 = Date.parse('2026-12-01T12:00:00Z');
const base = (over: Record<string, unknown> = {}) =>
  buildTask(
    {
      ...parseOrThrow(TaskInput, {
        target: { function: 'sundial-x' },
        schedule: { cron: '0 * * * *' },
        timezone: 'Europe/Lisbon',
        description: 'hourly',
        maxRuns: 10,
        ...over,
      }),
      id: 't',
    },
    T0,
  );
const patch = (body: unknown) => parseOrThrow(TaskPatch, body);

describe('TaskPatch', () => {
  it('does not re-apply defaults, accepts null for optional fields only, and rejects id and unknown fields', () => {
    expect(patch({ description: 'x' })).toEqual({ description: 'x' });
    expect(patch({ description: null, maxRuns: null })).toEqual({ description: null, maxRuns: null });
    expect(() => patch({ timezone: null })).toThrow(ValidationError);
    expect(() => patch({ id: 'other' })).toThrow(/unknown field/);
    expect(() => patch({ colour: 'red' })).toThrow(/unknown field/);
  });
});

describe('applyPatch', () => {
  it('keeps absent fields, clears null ones, bumps the version and keeps the next run for non-scheduling changes', () => {
    const task = base();
    const next = applyPatch(task, patch({ description: null, payload: { v: 2 } }), T0 + 1000);
    expect(next).toMatchObject({ version: 2, timezone: 'Europe/Lisbon', maxRuns: 10, payload: { v: 2 } });
    expect(next?.description).toBeUndefined();
    expect(next?.nextRunAt).toBe(task.nextRunAt);
    expect(next?.updatedAt).toBe('2026-12-01T12:00:01.000Z');
  });

  it('recomputes the next run from now on a scheduling change, and refuses a schedule that never fires', () => {
    const next = applyPatch(base(), patch({ schedule: { cron: '30 14 * * *' } }), T0);
    expect(next?.nextRunAt).toBe('2026-12-01T14:30:00.000Z');
    expect(() => applyPatch(base(), patch({ schedule: { at: '2020-01-01T00:00:00Z' } }), T0)).toThrow(
      ValidationError,
    );
  });

  it('answers undefined when nothing changes, so a repeated patch is a no-op', () => {
    expect(
      applyPatch(base(), patch({ description: 'hourly', timezone: 'Europe/Lisbon' }), T0),
    ).toBeUndefined();
  });

  it('pauses with enabled: false and resumes with enabled: true, by the misfire policy', () => {
    const paused = applyPatch(base({ misfire: { policy: 'skip' } }), patch({ enabled: false }), T0);
    expect(paused).toMatchObject({ state: 'paused', enabled: false });
    const resumed = applyPatch(paused as never, patch({ enabled: true }), T0 + 2 * 3_600_000);
    expect(resumed).toMatchObject({ state: 'active', nextRunAt: '2026-12-01T14:00:00.000Z' });
  });
});

describe('pauseTask and resumeTask', () => {
  it('are idempotent; with misfire skip, resume skips the occurrences missed while paused', () => {
    const paused = pauseTask(base({ misfire: { policy: 'skip' } }), T0);
    expect(paused).toMatchObject({ state: 'paused', version: 2 });
    expect(pauseTask(paused as never, T0)).toBeUndefined();
    const resumed = resumeTask(paused as never, T0 + 3 * 3_600_000 + 1);
    expect(resumed).toMatchObject({ state: 'active', version: 3, nextRunAt: '2026-12-01T16:00:00.000Z' });
    expect(resumeTask(resumed as never, T0)).toBeUndefined();
  });

  it('with the default misfire policy (once), resume keeps the latest paused-over occurrence, so one fires', () => {
    const paused = pauseTask(base(), T0);
    const resumed = resumeTask(paused as never, T0 + 3 * 3_600_000 + 1);
    expect(resumed).toMatchObject({ state: 'active', nextRunAt: '2026-12-01T15:00:00.000Z' });
  });
});
