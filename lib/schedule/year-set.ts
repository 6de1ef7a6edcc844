/** The years a schedule may fire in, as a sorted list (at most 8,030 of them: 1970-9999). */
export class YearSet {
  private readonly years: number[];

  constructor(years: Iterable<number>) {
    this.years = [...new Set(years)].sort((a, b) => a - b);
  }

  has(year: number): boolean {
    return this.atOrAfter(year) === year;
  }

  /** The first year in the set at or after `year`, or undefined when none is left. */
  atOrAfter(year: number): number | undefined {
    let lo = 0;
    let hi = this.years.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.years[mid] as number) < year) lo = mid + 1;
      else hi = mid;
    }
    return this.years[lo];
  }

  get first(): number | undefined {
    return this.years[0];
  }
}
