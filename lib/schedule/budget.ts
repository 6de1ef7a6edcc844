import { ScheduleSearchLimitError } from '../errors';

/**
 * How much searching one request may do for occurrences: every candidate time or day a schedule looks
 * at spends one step. When the steps run out, or `timeUp` says the request has used its time, the
 * search stops with ScheduleSearchLimitError naming the bound. Pure: the caller supplies `timeUp`.
 */
export interface SearchBudget {
  spend(steps?: number): void;
}

export interface SearchLimits {
  /** Candidate times one request may examine. */
  maxSteps: number;
  /** Milliseconds of search one request may take (reported in the error; checked through `timeUp`). */
  maxMs: number;
}

/** Sundial's defaults (bench/preview-bounds.ts prints what they cost on this machine). */
export const DEFAULT_SEARCH_LIMITS: SearchLimits = { maxSteps: 200_000, maxMs: 500 };

/** `timeUp` is asked every this many steps: reading a clock per step would cost more than the step. */
const CHECK_EVERY = 1_024;

/** A budget for one request; `timeUp()` answers whether `limits.maxMs` has passed since it began. */
export function searchBudget(limits: SearchLimits, timeUp: () => boolean = () => false): SearchBudget {
  let spent = 0;
  let nextCheck = CHECK_EVERY;
  return {
    spend(steps = 1) {
      spent += steps;
      if (spent > limits.maxSteps) throw new ScheduleSearchLimitError('steps', limits);
      if (spent >= nextCheck) {
        nextCheck = spent + CHECK_EVERY;
        if (timeUp()) throw new ScheduleSearchLimitError('time', limits);
      }
    },
  };
}

/** No bound beyond each schedule's own horizon: for callers that bound their work otherwise. */
export const UNBOUNDED: SearchBudget = { spend() {} };
