import { describe, expect, it } from 'vitest';
import { recentRunTable, runError, runTable, taskDetails } from '../../../lib/cli/task-views';
import type { Run, Task } from '../../../lib/task/schemas';

const run = (over: Partial<Run>): Run => ({
  taskId: 't1',
  runId: '01KRUN00000000000000000001',
  scheduledAt: '2026-12-01T13:00:00.000Z',
  firedAt: '2026-12-01T13:00:00.020Z',
  attempt: 1,
  source: 'schedule',
  status: 'delivered',
  ...over,
});

describe('the CLI views of tracked runs', () => {
  it('shows an error as type and message on one line, cut to 60 characters', () => {
    expect(runError(run({ errorType: 'TypeError', errorMessage: 'x is\nundefined' }))).toBe(
      'TypeError: x is undefined',
    );
    expect(runError(run({ error: 'ResourceNotFoundException' }))).toBe('ResourceNotFoundException');
    const long = runError(run({ errorType: 'Error', errorMessage: 'y'.repeat(500) }));
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });

  it('adds duration, reason and retry columns only when a run has them', () => {
    expect(runTable([run({})], 200).split('\n')[0]).toMatch(
      /^RUN ID\s+SOURCE\s+STATUS\s+ATTEMPT\s+SCHEDULED AT\s+ERROR$/,
    );
    const tracked = runTable(
      [
        run({
          status: 'failed',
          attempt: 2,
          durationMs: 12,
          errorType: 'Error',
          retryAt: '2026-12-01T13:01:00.000Z',
        }),
        run({ status: 'skipped', reason: 'queue-full' }),
      ],
      200,
    ).split('\n');
    expect(tracked[0]).toMatch(/\sDURATION\s+ERROR\s+REASON\s+RETRY AT$/);
    expect(tracked[1]).toMatch(/\sfailed\s+2\s+\S+\s+12 ms\s+Error\s+-\s+2026-12-01T13:01:00.000Z$/);
    expect(tracked[2]).toMatch(/\sskipped\s+1\s+\S+\s+-\s+-\s+queue-full\s+-$/);
    expect(
      recentRunTable([run({ status: 'timed_out', finishedAt: '2026-12-01T13:05:00.000Z' })], 200),
    ).toMatch(/^t1\s+01KRUN\S+\s+timed_out\s+1\s+2026-12-01T13:05:00.000Z\s+-\s+-$/m);
  });

  it('shows the policies and the run summary of a task when present', () => {
    const task = {
      id: 't1',
      state: 'active',
      schedule: { every: { minutes: 5 } },
      timezone: 'UTC',
      target: { function: 'sundial-x' },
      nextRunAt: null,
      lastRunAt: null,
      runCount: 3,
      version: 1,
      payload: {},
    } as unknown as Task;
    expect(taskDetails(task)).not.toMatch(/retry|overlap|last status/);
    const text = taskDetails({
      ...task,
      retry: { maxAttempts: 3, delaySeconds: 30, backoffRate: 2, maxDelaySeconds: 3600 },
      overlap: { policy: 'queue', maxConcurrent: 2 },
      lastStatus: 'timed_out',
      lastError: 'Sandbox.Timedout',
      consecutiveFailures: 2,
      runsInProgress: 1,
      queuedRuns: 4,
    });
    expect(text).toMatch(/^retry\s+3 attempts, 30 s then ×2, at most 3600 s apart$/m);
    expect(text).toMatch(/^overlap\s+queue, at most 2 in progress$/m);
    expect(text).toMatch(/^last status\s+timed_out$/m);
    expect(text).toMatch(/^failures in a row\s+2$/m);
    expect(text).toMatch(/^in progress\s+1$/m);
    expect(text).toMatch(/^queued\s+4$/m);
  });
});
