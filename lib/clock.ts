/** Time as a parameter: production code reads it from here, tests inject their own. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves once `now() >= at`. */
  sleepUntil(at: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (at) => {
    const wait = at - Date.now();
    return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
  },
};
