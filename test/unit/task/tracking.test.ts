import { describe, expect, it } from 'vitest';
import { MAX_QUEUED, type Overlap } from '../../../lib/task/schemas';
import {
  begin,
  emptyTracking,
  end,
  MAX_IN_PROGRESS,
  overdue,
  resent,
  retryAt,
  slotsTaken,
  sweepAt,
  type Tracking,
  trackingOf,
  WAIT_GRACE_MS,
} from '../../../lib/task/tracking';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const attempt = (runId: string, n = 1) => ({
  runId,
  attempt: n,
  scheduledAt: NOW,
  source: 'schedule' as const,
});
const skip1: Overlap = { policy: 'skip', maxConcurrent: 1 };
const queue1: Overlap = { policy: 'queue', maxConcurrent: 1 };

/** Begins `runId` and returns the tracking written (fails the test when nothing is written). */
function started(tracking: Tracking, runId: string, overlap?: Overlap, now = NOW): Tracking {
  const step = begin(tracking, attempt(runId), overlap, now, now + 10_000);
  expect(step.decision.verdict).toBe('start');
  return step.next as Tracking;
}

describe('begin', () => {
  it('allow (the default) starts every occurrence', () => {
    let t = emptyTracking('c');
    for (const id of ['a', 'b', 'c']) t = started(t, id);
    expect(slotsTaken(t, NOW)).toBe(3);
  });

  it('skip: an occurrence beyond maxConcurrent is skipped, and nothing is written', () => {
    const t = started(emptyTracking('c'), 'a', skip1);
    expect(begin(t, attempt('b'), skip1, NOW, NOW + 1)).toEqual({
      decision: { verdict: 'skip', reason: 'overlap' },
    });
  });

  it('queue: waits up to MAX_QUEUED, then skips with queue-full', () => {
    let t = started(emptyTracking('c'), 'a', queue1);
    for (let i = 0; i < MAX_QUEUED; i++) {
      const step = begin(t, attempt(`q${i}`), queue1, NOW, NOW + 1);
      expect(step.decision.verdict).toBe('queue');
      t = step.next as Tracking;
    }
    expect(begin(t, attempt('late'), queue1, NOW, NOW + 1).decision).toEqual({
      verdict: 'skip',
      reason: 'queue-full',
    });
  });

  it(`at most ${MAX_IN_PROGRESS} runs in progress, even under allow`, () => {
    let t = emptyTracking('c');
    for (let i = 0; i < MAX_IN_PROGRESS; i++) t = started(t, `r${i}`);
    expect(begin(t, attempt('one-more'), undefined, NOW, NOW + 1).decision).toEqual({
      verdict: 'skip',
      reason: 'overlap',
    });
  });

  it('a run past its deadline holds no slot', () => {
    const t = started(emptyTracking('c'), 'a', skip1);
    expect(begin(t, attempt('b'), skip1, NOW + 10_001, NOW + 20_000).decision.verdict).toBe('start');
  });

  it('an attempt started already is stale (never invoked twice), as is another attempt of its run', () => {
    const t = started(emptyTracking('c'), 'a', skip1);
    expect(begin(t, attempt('a'), skip1, NOW, NOW + 1)).toEqual({ decision: { verdict: 'stale' } });
    expect(begin(t, attempt('a', 2), skip1, NOW, NOW + 1).decision.verdict).toBe('stale');
    expect(begin(emptyTracking('c'), attempt('x', 2), undefined, NOW, NOW + 1).decision.verdict).toBe(
      'stale',
    );
  });
});

describe('end', () => {
  it('a retry keeps the slot and waits for attempt + 1', () => {
    const t = started(emptyTracking('c'), 'a', skip1);
    const ended = end(t, { runId: 'a', attempt: 1 }, skip1, NOW, NOW + 30_000);
    expect(ended?.next.running.a).toMatchObject({ phase: 'wait', attempt: 2, deadline: NOW + 30_000 });
    expect(begin(ended?.next as Tracking, attempt('b'), skip1, NOW, NOW + 1).decision.verdict).toBe('skip');
    expect(begin(ended?.next as Tracking, attempt('a', 2), skip1, NOW, NOW + 1).decision.verdict).toBe(
      'start',
    );
  });

  it('a finished run frees its slot for the oldest queued occurrence', () => {
    let t = started(emptyTracking('c'), 'a', queue1);
    t = begin(t, attempt('b'), queue1, NOW, NOW + 1).next as Tracking;
    t = begin(t, attempt('c'), queue1, NOW, NOW + 1).next as Tracking;
    const ended = end(t, { runId: 'a', attempt: 1 }, queue1, NOW + 5);
    expect(ended?.promoted?.runId).toBe('b');
    expect(ended?.next.queued.map((q) => q.runId)).toEqual(['c']);
    expect(ended?.next.running.b).toMatchObject({ phase: 'wait', attempt: 1 });
  });

  it('a duplicate or late outcome changes nothing', () => {
    const t = started(emptyTracking('c'), 'a');
    expect(end(t, { runId: 'a', attempt: 2 }, undefined, NOW)).toBeUndefined();
    expect(end(t, { runId: 'zzz', attempt: 1 }, undefined, NOW)).toBeUndefined();
    const done = end(t, { runId: 'a', attempt: 1 }, undefined, NOW)?.next as Tracking;
    expect(end(done, { runId: 'a', attempt: 1 }, undefined, NOW)).toBeUndefined();
  });
});

describe('the sweeper’s view', () => {
  it('finds runs past their deadline and waits whose message is late; sweepAt is the earliest of them', () => {
    let t = started(emptyTracking('c'), 'a');
    t = end(started(t, 'b'), { runId: 'b', attempt: 1 }, undefined, NOW, NOW + 1_000)?.next as Tracking;
    expect(sweepAt(t)).toBe(Math.min(NOW + 10_000, NOW + 1_000 + WAIT_GRACE_MS));
    const found = overdue(t, NOW + WAIT_GRACE_MS + 1_000);
    expect(found.expired.map(([id]) => id)).toEqual(['a']);
    expect(found.stalled.map(([id]) => id)).toEqual(['b']);
    // A resend moves only the stalled wait of that attempt: never a run that has started since.
    expect(resent(t, 'b', 2, NOW + 5).running.b?.deadline).toBe(NOW + 5);
    expect(resent(t, 'b', 3, NOW + 5)).toBe(t);
    expect(resent(t, 'a', 1, NOW + 5)).toBe(t);
    expect(sweepAt(emptyTracking('c'))).toBeUndefined();
  });

  it('a task created again under its id starts with nothing in progress', () => {
    const t = started(emptyTracking('old'), 'a');
    expect(trackingOf({ ...t, rev: 7 }, 'new')).toEqual({
      createdAt: 'new',
      rev: 7,
      running: {},
      queued: [],
    });
  });
});

describe('retryAt', () => {
  const retry = { maxAttempts: 4, delaySeconds: 10, backoffRate: 3, maxDelaySeconds: 60 };
  it('delay × rate^(n-1), capped, until maxAttempts counts every attempt', () => {
    expect(retryAt(retry, 1, NOW)).toBe(NOW + 10_000);
    expect(retryAt(retry, 2, NOW)).toBe(NOW + 30_000);
    expect(retryAt(retry, 3, NOW)).toBe(NOW + 60_000);
    expect(retryAt(retry, 4, NOW)).toBeUndefined();
    expect(retryAt(undefined, 1, NOW)).toBeUndefined();
  });
});
