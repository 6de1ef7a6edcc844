import { vi } from 'vitest';

/** One CloudWatch embedded-metric-format document, as Powertools Metrics writes it on stdout. */
export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/**
 * Captures what is written to stdout and stderr (Powertools writes warnings and errors there) until
 * `restore()`: log lines and EMF documents, in order.
 */
export function captureStdout() {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
  ];
  const json = () =>
    lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    lines,
    json,
    emf: () => json().filter((d): d is EmfDocument => '_aws' in d),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** name → values (a number, or the values array) across documents, and each metric's unit. */
export function metricsOf(docs: EmfDocument[]) {
  const values: Record<string, number[]> = {};
  const units: Record<string, string> = {};
  for (const doc of docs) {
    for (const directive of doc._aws.CloudWatchMetrics) {
      for (const { Name, Unit } of directive.Metrics) {
        const v = doc[Name] as number | number[];
        values[Name] = [...(values[Name] ?? []), ...(Array.isArray(v) ? v : [v])];
        units[Name] = Unit;
      }
    }
  }
  return { values, units };
}
