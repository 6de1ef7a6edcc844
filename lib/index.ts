/** The Sundial SDK: a typed client and the contract types it shares with the server. */
export { SundialApiError, SundialClient, type SundialClientOptions } from './client/sundial-client';
export {
  type FieldError,
  InvalidScheduleError,
  SundialError,
  TaskConflictError,
  TaskNotFoundError,
  ValidationError,
  VersionMismatchError,
} from './errors';
export type { DeliveryEvent, Run, RunPage, Task, TaskInput, TaskPage, TaskState } from './task/schemas';
