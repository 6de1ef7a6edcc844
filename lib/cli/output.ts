/** Where the CLI writes: the real streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Terminal width, or undefined when stdout is not a terminal. */
  columns?: number;
  /** True when stderr is a terminal: progress lines are drawn in place. */
  interactive: boolean;
}

export const processIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  interactive: Boolean(process.stderr.isTTY),
});

const GAP = 2;

/**
 * A plain text table that fits `width`: when it is too wide, the widest column is shortened first,
 * with an ellipsis, down to a floor of 8 characters.
 */
export function table(headers: string[], rows: string[][], width = 120): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total() > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= 8) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const cell = (text: string, i: number) => {
    const w = widths[i] ?? 0;
    const fitted = text.length > w ? `${text.slice(0, Math.max(0, w - 1))}…` : text;
    return i === widths.length - 1 ? fitted : fitted.padEnd(w);
  };
  return [headers, ...rows].map((r) => r.map(cell).join(' '.repeat(GAP)).trimEnd()).join('\n');
}

/** Key: value lines, for one object. */
export function details(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(width)}  ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

/** A progress line: redrawn in place on a terminal, one line per update otherwise. */
export function progress(io: Io, label: string) {
  let last = '';
  return {
    update(done: number, total: number) {
      last = `${label} ${done}/${total}`;
      io.err(io.interactive ? `\r${last}` : `${last}\n`);
    },
    done() {
      if (io.interactive && last) io.err('\n');
    },
  };
}

/** A spinner on a terminal while a long call runs; nothing when stderr is not a terminal. */
export async function withSpinner<T>(io: Io, label: string, work: Promise<T>): Promise<T> {
  if (!io.interactive) return work;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let i = 0;
  const timer = setInterval(() => io.err(`\r${frames[i++ % frames.length]} ${label}`), 80);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    io.err(`\r${' '.repeat(label.length + 2)}\r`);
  }
}
