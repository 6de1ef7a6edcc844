import { fmt } from './stats';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  /** Whether the target is met; undefined for figures without one. */
  met?: boolean;
  /** The issue's figure (1–5) it belongs to: the final table is in that order. */
  order: number;
  /** Shown in the final table (rows with a target always are). */
  headline: boolean;
}

/** The figures of one bench run, printed as they come and as one table at the end. */
export class Report {
  readonly rows: Row[] = [];

  /** A figure; one that starts with its number (`2. …`) sets the order of the rows after it. */
  add(figure: string, measured: string, target = '', met?: boolean, headline = target !== ''): void {
    const order = Number(/^(\d+)\./.exec(figure)?.[1] ?? this.rows.at(-1)?.order ?? 0);
    this.rows.push({ figure, measured, target, met, order, headline });
    const verdict = met === undefined ? '' : met ? ' [target met]' : ' [TARGET MISSED]';
    console.log(`  ${figure}: ${measured}${target ? `  (target ${target})` : ''}${verdict}`);
  }

  section(title: string): void {
    console.log(`\n${title}`);
  }

  /** The headline figures, in the issue's order (every figure is printed above as it comes). */
  print(title: string, seconds: number): void {
    console.log(`\n${title}\n`);
    const rows = this.rows.filter((r) => r.headline).sort((a, b) => a.order - b.order);
    const cells = rows.map((r) => [
      r.figure,
      r.measured,
      r.target,
      r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
    ]);
    const head = ['figure', 'measured', 'target', ''];
    const widths = head.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] ?? '').length)));
    const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of cells) console.log(line(r));
    console.log(`\n(${fmt(seconds)} s in all)`);
  }
}
