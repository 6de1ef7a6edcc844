import { fmt } from './stats';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  /** Whether the target is met; undefined for figures without one. */
  met?: boolean;
}

/** The figures of one bench run, printed as they come and as one table at the end. */
export class Report {
  readonly rows: Row[] = [];

  add(figure: string, measured: string, target = '', met?: boolean): void {
    this.rows.push({ figure, measured, target, met });
    const verdict = met === undefined ? '' : met ? ' [target met]' : ' [TARGET MISSED]';
    console.log(`  ${figure}: ${measured}${target ? `  (target ${target})` : ''}${verdict}`);
  }

  section(title: string): void {
    console.log(`\n${title}`);
  }

  print(title: string, seconds: number): void {
    console.log(`\n${title}\n`);
    const cells = this.rows.map((r) => [
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
