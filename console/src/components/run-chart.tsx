import { formatMs, latenessMs, median } from '../format';
import type { RunView } from '../types';

const WIDTH = 600;
const HEIGHT = 110;
const TOP = 24;

interface Series {
  id: string;
  title: string;
  values: { runId: string; value: number | undefined }[];
}

// Hand-drawn SVG rather than a chart library: two bar series need ~40 lines, and SVG bars carry <title>s
// that a screen reader and a mouse both reach (a canvas chart would hide them).
function Bars({ series }: { series: Series }) {
  const known = series.values.map((v) => v.value).filter((v): v is number => v !== undefined);
  const max = Math.max(1, ...known);
  const step = WIDTH / Math.max(series.values.length, 1);
  const mid = median(known);
  const summary = `${series.title} of the last ${known.length} runs: median ${formatMs(mid)}, max ${formatMs(known.length ? max : undefined)}`;
  return (
    <figure class="chart">
      <figcaption id={`${series.id}-caption`}>
        {series.title}{' '}
        <span class="muted small">
          (median {formatMs(mid)}, max {formatMs(known.length ? max : undefined)})
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT + TOP}`}
        role="img"
        aria-label={summary}
        class={`bars ${series.id}`}
      >
        <text x="2" y="17" class="axis">
          {formatMs(max)}
        </text>
        <line x1="0" x2={WIDTH} y1={HEIGHT + TOP - 0.5} y2={HEIGHT + TOP - 0.5} class="baseline" />
        {series.values.map(({ runId, value }, i) => {
          const height = value === undefined ? 0 : Math.max(1, (Math.max(0, value) / max) * HEIGHT);
          return (
            <rect
              key={runId}
              x={i * step + step * 0.15}
              y={HEIGHT + TOP - height}
              width={step * 0.7}
              height={height}
            >
              <title>{`run ${runId}: ${formatMs(value)}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

/** Lateness (firedAt − scheduledAt) and, when tracked runs report it, duration of recent runs, oldest first. */
export function RunChart({ runs }: { runs: RunView[] }) {
  const recent = runs.slice(0, 30).reverse();
  if (recent.length === 0) return <p class="muted">No runs yet.</p>;
  const lateness: Series = {
    id: 'lateness',
    title: 'Lateness',
    values: recent.map((r) => ({ runId: `${r.runId}#${r.attempt}`, value: latenessMs(r) })),
  };
  const hasDuration = recent.some((r) => r.durationMs !== undefined);
  const duration: Series = {
    id: 'duration',
    title: 'Duration',
    values: recent.map((r) => ({ runId: `${r.runId}#${r.attempt}`, value: r.durationMs })),
  };
  return (
    <div class="charts">
      <Bars series={lateness} />
      {hasDuration ? (
        <Bars series={duration} />
      ) : (
        <p class="muted small">Durations appear once runs report their outcome.</p>
      )}
    </div>
  );
}
