/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);

export const median = (values: readonly number[]) => percentile(ascending(values), 50);

export const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0);

/** Numbers for people: thousands separators, at most `digits` decimals. */
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : String(n);

/** `p50 x ms, p99 y ms, max z ms (n)` of a list of milliseconds. */
export function latencySummary(values: readonly number[]): string {
  const s = ascending(values);
  return `p50 ${fmt(percentile(s, 50))} ms, p99 ${fmt(percentile(s, 99))} ms, max ${fmt(s.at(-1) ?? Number.NaN)} ms (n = ${fmt(s.length)})`;
}

/** `median (min–max, n runs)` of repeated measurements. */
export function medianRange(values: readonly number[], digits = 0, unit = ''): string {
  const s = ascending(values);
  return `${fmt(median(s), digits)}${unit} (${fmt(s[0] ?? Number.NaN, digits)}–${fmt(s.at(-1) ?? Number.NaN, digits)}${unit}, ${s.length} runs)`;
}

/** CPU (user + system) of this process, in milliseconds, since `start` (a process.cpuUsage() reading). */
export const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
export const sleepUntil = (at: number) => sleep(at - Date.now());
