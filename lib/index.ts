/** The Sundial SDK: a typed client and the contract types it shares with the server. */

export {
  SundialApiError,
  SundialTimeoutError,
  TaskConflictError,
  TaskNotFoundError,
  ValidationError,
  VersionMismatchError,
} from './client/errors';
export type { AwsCredentials, CredentialsInput } from './client/sign';
export {
  type ConditionalOptions,
  ENDPOINT_ENV,
  SundialClient,
  type SundialClientOptions,
} from './client/sundial-client';
export { type FieldError, SundialError } from './errors';
export type { PreviewRequest, PreviewResponse } from './task/preview';
export type {
  BatchCreateRequest,
  BatchRescheduleRequest,
  CreateTaskRequest,
  DeliveryEvent,
  FetchTasksResponse,
  GroupResult,
  Problem,
  Run,
  RunPage,
  SchedulerState,
  Task,
  TaskInput,
  TaskListResult,
  TaskPage,
  TaskPatch,
  TaskState,
} from './task/schemas';
