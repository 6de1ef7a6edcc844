import type { TickReport } from '../dispatch/tick-report';
import type { Log } from '../log';
import type { MetricSink, MetricUnit } from './metric-sink';
import { type FireFigures, publishFireReport, publishTickReport, type TickContext } from './reports';

/** The value at percentile `p` (nearest rank) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/** `fannedOut` → `fanned out`, for the local line. */
const words = (metric: string, prefix: string) =>
  metric
    .slice(prefix.length)
    .replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
    .trim();

/**
 * Local mode's metrics: the same reports, published into this sink instead of CloudWatch, and summed up
 * as one line per tick (fires, failures, lateness p50/p99/max, and whatever else was not zero).
 */
export class LocalFigures implements MetricSink {
  private values = new Map<string, number[]>();

  addMetric(name: string, _unit: MetricUnit, value: number): void {
    this.values.set(name, [...(this.values.get(name) ?? []), value]);
  }
  /** Local mode is one deployment: dimensions add nothing. */
  addDimension(): void {}
  /** The line is written per tick (`tick`), not per publish. */
  publishStoredMetrics(): void {}

  /** A batch of the fire worker: counted into the next tick's line. */
  fire(report: FireFigures): void {
    publishFireReport(this, report);
  }

  /** The line for a tick and the fires since the previous line; undefined when nothing happened. */
  tick(report: TickReport, context: TickContext): string | undefined {
    publishTickReport(this, report, context);
    const line = this.line();
    this.values.clear();
    return line;
  }

  private line(): string | undefined {
    const sum = (name: string) => (this.values.get(name) ?? []).reduce((a, b) => a + b, 0);
    const fires = sum('TickDelivered') + sum('FireDelivered');
    const failed = sum('TickFailed') + sum('FireFailed');
    const parts = [`fires ${fires}`, `failed ${failed}`];
    const lateness = [...(this.values.get('FireLateness') ?? [])].sort((a, b) => a - b);
    if (lateness.length > 0) {
      const [p50, p99, max] = [50, 99, 100].map((p) => Math.round(percentile(lateness, p)));
      parts.push(`lateness p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
    }
    const shown = new Set(['TickDelivered', 'FireDelivered', 'TickFailed', 'FireFailed', 'FireLateness']);
    const others = [...this.values.entries()]
      .filter(([name]) => !shown.has(name) && /^(Tick|Fire)[A-Z]/.test(name))
      .filter(([name]) => name !== 'TickDuration' && name !== 'TickScheduled')
      .filter(([name]) => sum(name) > 0)
      .map(([name]) => `${words(name, name.startsWith('Tick') ? 'Tick' : 'Fire')} ${sum(name)}`);
    if (fires === 0 && failed === 0 && others.length === 0) return undefined;
    return [...parts, ...others, `took ${Math.round(sum('TickDuration'))} ms`].join(' · ');
  }
}

/**
 * What `npm start` does with each tick's report: a line `tick: fires 3 · failed 0 · lateness … · took 812 ms`
 * through the local log, none for a tick that did nothing.
 */
export function localTickReporter(log: Log, figures = new LocalFigures()) {
  return (report: TickReport, durationMs: number) => {
    const line = figures.tick(report, { durationMs, scheduled: true });
    if (line) log('info', `tick: ${line}`);
  };
}
