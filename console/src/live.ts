import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** How often views poll the API, in milliseconds (see the README: polling rather than server-sent events). */
export const POLL_MS = { task: 2_000, list: 5_000, scheduler: 10_000 } as const;

export interface Live<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** Loads again now (after an action), without waiting for the next poll. */
  refresh: () => void;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({ type: 'about:blank', title: 'Unexpected error', status: 0, detail: String(error) });
}

/**
 * Loads `load` now and then every `intervalMs` while the page is visible (a hidden tab does not poll and
 * catches up when shown). One request at a time: the next starts `intervalMs` after the previous ends.
 * `keys` restart it (and clear the data) when the thing to load changes.
 */
export function useLive<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  keys: unknown[],
): Live<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => undefined);

  useEffect(() => {
    setData(undefined);
    setError(undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let controller: AbortController | undefined;
    let stopped = false;
    const run = async () => {
      clearTimeout(timer);
      controller?.abort();
      const current = new AbortController();
      controller = current;
      try {
        const value = await loadRef.current(current.signal);
        if (current.signal.aborted) return;
        setData(() => value);
        setError(undefined);
      } catch (failure) {
        if (current.signal.aborted) return;
        setError(asApiError(failure));
      }
      if (!stopped && !document.hidden) timer = setTimeout(run, intervalMs);
    };
    const onVisibility = () => {
      if (!document.hidden && !stopped) void run();
    };
    kick.current = () => void run();
    document.addEventListener('visibilitychange', onVisibility);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller?.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, keys);

  const refresh = useCallback(() => kick.current(), []);
  return { data, error, refresh };
}

/** `value`, once it has stopped changing for `ms` (for the live preview while typing). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
