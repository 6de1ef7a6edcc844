import type { Clock } from '../../lib/clock';

/** A clock that moves only when told; `sleepUntil` jumps the clock forward instead of waiting. */
export class ManualClock implements Clock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  set(at: number | string): void {
    this.current = typeof at === 'string' ? Date.parse(at) : at;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  async sleepUntil(at: number): Promise<void> {
    if (at > this.current) this.current = at;
  }
}
