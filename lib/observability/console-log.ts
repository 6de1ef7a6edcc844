import type { LogLevel } from '../config';
import type { Log } from '../log';

const RANK = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3, SILENT: 4 } as const;
const LEVEL = { info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * Local mode's log: one line per entry, each starting with its time (ISO 8601, UTC) and level, then the
 * message and its fields as JSON; entries below `level` are dropped.
 */
export function consoleLog(
  level: LogLevel = 'INFO',
  now: () => number = Date.now,
  write: (line: string, level: 'info' | 'warn' | 'error') => void = (line, l) =>
    console[l === 'info' ? 'log' : l](line),
): Log {
  return (entryLevel, message, fields) => {
    if (RANK[LEVEL[entryLevel]] < RANK[level]) return;
    const rest = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    write(`${new Date(now()).toISOString()} ${LEVEL[entryLevel].padEnd(5)} ${message}${rest}`, entryLevel);
  };
}
