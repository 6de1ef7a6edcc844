import { formatInstant, formatMs, latenessMs, runErrorText } from '../format';
import type { RunView } from '../types';
import { Badge } from './common';

/**
 * The run history, newest first. Duration appears when tracked runs report it; the error column shows a
 * tracked run's type and message, or an older run's error string.
 */
export function RunTable({
  runs,
  timeZone,
  fresh,
}: {
  runs: RunView[];
  timeZone: string;
  fresh: ReadonlySet<string>;
}) {
  if (runs.length === 0) return <p class="muted">No runs yet.</p>;
  const hasDuration = runs.some((r) => r.durationMs !== undefined);
  return (
    <div class="table-wrap">
      <table class="stack" aria-describedby="runs-zone">
        <caption class="sr-only">Runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Source</th>
            <th scope="col">Attempt</th>
            <th scope="col">Status</th>
            <th scope="col">Scheduled at</th>
            <th scope="col">Fired at</th>
            <th scope="col">Lateness</th>
            {hasDuration && <th scope="col">Duration</th>}
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const key = `${run.runId}#${run.attempt}`;
            const error = runErrorText(run);
            return (
              <tr key={key} class={fresh.has(key) ? 'fresh' : undefined} data-run-id={run.runId}>
                <td data-label="Run">
                  <code title={run.runId}>{run.runId.slice(-8)}</code>
                </td>
                <td data-label="Source">{run.source}</td>
                <td data-label="Attempt">{run.attempt}</td>
                <td data-label="Status">
                  <Badge status={run.status} />
                  {run.reason && <span class="muted small"> {run.reason}</span>}
                  {run.retryAt && (
                    <div class="small">
                      retry at <time dateTime={run.retryAt}>{formatInstant(run.retryAt, timeZone)}</time>
                    </div>
                  )}
                </td>
                <td data-label="Scheduled at">{formatInstant(run.scheduledAt, timeZone)}</td>
                <td data-label="Fired at">{formatInstant(run.firedAt, timeZone)}</td>
                <td data-label="Lateness">{formatMs(latenessMs(run))}</td>
                {hasDuration && <td data-label="Duration">{formatMs(run.durationMs)}</td>}
                <td data-label="Error" class="error-text">
                  {error || <span class="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p id="runs-zone" class="muted small">
        Times in {timeZone} (your time zone).
      </p>
    </div>
  );
}
