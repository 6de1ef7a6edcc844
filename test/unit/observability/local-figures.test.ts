import { describe, expect, it } from 'vitest';
import { emptyTickReport } from '../../../lib/dispatch/tick-report';
import type { Log } from '../../../lib/log';
import { consoleLog } from '../../../lib/observability/console-log';
import { LocalFigures, localTickReporter, percentile } from '../../../lib/observability/local-figures';

const T = Date.parse('2026-12-01T14:00:00.112Z');

describe('LocalFigures', () => {
  it('sums a tick and the fires since the last line: fires, failures, lateness p50/p99/max, the rest if not zero', () => {
    const figures = new LocalFigures();
    figures.fire({ delivered: 3, failed: 1, redelivered: 0, skipped: 0, lateness: [12, 40, 7] });
    figures.fire({ delivered: 1, failed: 0, redelivered: 1, skipped: 0, lateness: [1_200] });
    const line = figures.tick(
      { ...emptyTickReport(), claimed: 5, lost: 2, fannedOut: 1 },
      {
        durationMs: 812.4,
        scheduled: true,
      },
    );
    expect(line).toBe(
      'fires 4 · failed 1 · lateness p50 12 ms, p99 1200 ms, max 1200 ms · redelivered 1 · claimed 5 · lost 2 · fanned out 1 · took 812 ms',
    );
    // The next line starts from zero: a tick that did nothing prints nothing.
    expect(figures.tick(emptyTickReport(), { durationMs: 3, scheduled: true })).toBeUndefined();
  });

  it('reads the fires of today’s tick, which delivers itself', () => {
    const figures = new LocalFigures();
    expect(
      figures.tick(
        { ...emptyTickReport(), claimed: 2, delivered: 1, failed: 1 },
        { durationMs: 40, scheduled: true },
      ),
    ).toBe('fires 1 · failed 1 · claimed 2 · took 40 ms');
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([50, 99, 100].map((p) => percentile(values, p))).toEqual([50, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
  });
});

describe('the local log', () => {
  it('starts every line with its time and level, drops lines below the level, and prints a tick line', () => {
    const lines: string[] = [];
    const log: Log = consoleLog(
      'INFO',
      () => T,
      (line) => lines.push(line),
    );
    log('info', 'DynamoDB Local restarted');
    log('error', 'task store unavailable', { error: 'ECONNREFUSED' });
    localTickReporter(log)({ ...emptyTickReport(), claimed: 1, delivered: 1 }, 15);
    localTickReporter(log)(emptyTickReport(), 2);
    consoleLog(
      'WARN',
      () => T,
      (line) => lines.push(line),
    )('info', 'hidden');
    expect(lines).toEqual([
      '2026-12-01T14:00:00.112Z INFO  DynamoDB Local restarted',
      '2026-12-01T14:00:00.112Z ERROR task store unavailable {"error":"ECONNREFUSED"}',
      '2026-12-01T14:00:00.112Z INFO  tick: fires 1 · failed 0 · claimed 1 · took 15 ms',
    ]);
  });
});
