import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { buildTask, nextRunAfter } from '../../../lib/task/model';
import { TaskInput } from '../../../lib/task/schemas';
import { assertTargetAllowed } from '../../../lib/task/targets';
import { parseOrThrow } from '../../../lib/task/validate';

const now = Date.parse('2026-06-01T12:00:00Z');
const input = (over: Record<string, unknown> = {}) =>
  parseOrThrow(TaskInput, { target: { function: 'sundial-x' }, schedule: { cron: '0 * * * *' }, ...over });

describe('buildTask', () => {
  it('counts an interval from the creation second when there is no startAt', () => {
    const created = Date.parse('2026-06-01T12:00:00.503Z');
    const task = buildTask({ ...input({ schedule: { every: { minutes: 5 } } }), id: 'a' }, created);
    expect(task.nextRunAt).toBe('2026-06-01T12:05:00.000Z');
  });

  it('computes the first run and the defaults', () => {
    const task = buildTask({ ...input(), id: 'a' }, now);
    expect(task).toMatchObject({
      id: 'a',
      state: 'active',
      nextRunAt: '2026-06-01T13:00:00.000Z',
      runCount: 0,
      version: 1,
      timezone: 'UTC',
      payload: {},
    });
  });

  it('starts no earlier than startAt (inclusive)', () => {
    const task = buildTask({ ...input({ startAt: '2026-06-02T00:00:00Z' }), id: 'a' }, now);
    expect(task.nextRunAt).toBe('2026-06-02T00:00:00.000Z');
  });

  it('rejects a window with no occurrence', () => {
    expect(() => buildTask({ ...input({ endAt: '2026-06-01T12:30:00Z' }), id: 'a' }, now)).toThrow(
      ValidationError,
    );
  });

  it('is paused when created disabled', () => {
    expect(buildTask({ ...input({ enabled: false }), id: 'a' }, now).state).toBe('paused');
  });
});

describe('nextRunAfter', () => {
  const task = buildTask({ ...input({ maxRuns: 2, endAt: '2026-06-01T15:00:00Z' }), id: 'a' }, now);

  it('stops at maxRuns', () => {
    expect(nextRunAfter(task, now, 2)).toBeNull();
    expect(nextRunAfter(task, now, 1)).toBe(Date.parse('2026-06-01T13:00:00Z'));
  });

  it('includes endAt and stops after it', () => {
    expect(nextRunAfter(task, Date.parse('2026-06-01T14:00:00Z'), 0)).toBe(
      Date.parse('2026-06-01T15:00:00Z'),
    );
    expect(nextRunAfter(task, Date.parse('2026-06-01T15:00:00Z'), 0)).toBeNull();
  });
});

describe('validation names the field', () => {
  it.each([
    [
      { schedule: { cron: '* * * * *' }, target: { function: 'sundial-x' }, bogus: 1 },
      '',
      'unknown field(s): bogus',
    ],
    [
      { schedule: {}, target: { function: 'sundial-x' } },
      'schedule',
      'give exactly one of: cron, every, at, solar, fields, expression',
    ],
    [
      { schedule: { every: {} }, target: { function: 'sundial-x' } },
      'schedule.every',
      'give at least one non-zero unit',
    ],
    [
      { schedule: { cron: '* * * * *' }, target: { function: 'bad name!' } },
      'target.function',
      'a Lambda function name or ARN',
    ],
    [
      { schedule: { cron: '* * * * *' }, target: { function: 'sundial-x' }, id: '-x' },
      'id',
      expect.stringContaining('1-128 characters'),
    ],
    [
      { schedule: { cron: '* * * * *' }, target: { function: 'sundial-x' }, maxRuns: 0 },
      'maxRuns',
      expect.stringContaining('>=1'),
    ],
  ])('%j', (body, path, message) => {
    try {
      parseOrThrow(TaskInput, body);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).errors).toContainEqual({ path, message });
    }
  });

  it('rejects targets outside the allow-list, also as an ARN', () => {
    expect(() => assertTargetAllowed('billing-run', ['sundial-'])).toThrow(/outside the allow-list/);
    expect(() => assertTargetAllowed('sundial-prod-tick', ['sundial-'], ['sundial-prod-tick'])).toThrow(
      /part of Sundial itself/,
    );
    expect(() =>
      assertTargetAllowed('arn:aws:lambda:eu-west-1:123456789012:function:other:live', ['sundial-']),
    ).toThrow(/'other'/);
    expect(() =>
      assertTargetAllowed('arn:aws:lambda:eu-west-1:123456789012:function:sundial-a', ['sundial-']),
    ).not.toThrow();
  });
});
