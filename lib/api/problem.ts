import {
  type SundialError,
  TaskConflictError,
  TaskNotFoundError,
  ValidationError,
  VersionMismatchError,
} from '../errors';
import type { Problem } from '../task/schemas';

/** The one table from domain errors to HTTP status codes. */
const STATUS: [new (...args: never[]) => SundialError, number, string][] = [
  [ValidationError, 400, 'Invalid request'],
  [TaskNotFoundError, 404, 'Task not found'],
  [TaskConflictError, 409, 'Task already exists'],
  [VersionMismatchError, 412, 'Version mismatch'],
];

/** RFC 9457 problem details for a known error, or undefined for an unexpected one. */
export function problemFor(error: unknown): Problem | undefined {
  for (const [type, status, title] of STATUS) {
    if (error instanceof type) {
      return {
        type: 'about:blank',
        title,
        status,
        detail: error.message,
        errors: error instanceof ValidationError ? error.errors : undefined,
      };
    }
  }
  return undefined;
}

export const internalError: Problem = {
  type: 'about:blank',
  title: 'Internal error',
  status: 500,
  detail: 'an unexpected error occurred; it has been logged',
};
