/** The units Sundial's metrics use (CloudWatch's names). */
export type MetricUnit = 'Count' | 'Milliseconds';

/**
 * Where reports are published: Powertools `Metrics` in the Lambdas (CloudWatch embedded metric format on
 * stdout), a summary line per tick in local mode (LocalFigures), a recorder in tests.
 */
export interface MetricSink {
  addMetric(name: string, unit: MetricUnit, value: number): unknown;
  /** Applies to every metric stored until the next publish. */
  addDimension(name: string, value: string): unknown;
  /** Writes what was stored (one EMF document in Lambda) and clears it, dimensions included. */
  publishStoredMetrics(): unknown;
}
