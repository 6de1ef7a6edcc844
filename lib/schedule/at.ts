import { parseInstant } from './instant';
import type { CompiledSchedule } from './types';

export function compileAt(at: string, timezone: string, path = 'schedule.at'): CompiledSchedule {
  const instant = parseInstant(at, timezone, path);
  return { next: (after) => (instant > after ? instant : null) };
}
