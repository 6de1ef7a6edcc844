/**
 * The Sundial SDK (`sundial-scheduler`): a typed client and the contract types it shares with the server.
 * This entry stays lean: no server, store or AWS service client is in its import graph (the package's
 * build checks it).
 */

export {
  type RequestInfo,
  SundialAbortError,
  SundialApiError,
  SundialCredentialsError,
  SundialNetworkError,
  SundialRequestError,
  SundialResponseError,
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
  type GroupOptions,
  type GroupOutcome,
  type RequestOptions,
  SundialClient,
  type SundialClientOptions,
} from './client/sundial-client';
export { type FieldError, SundialError } from './errors';
export type {
  BatchCreateRequest,
  BatchRescheduleRequest,
  CreateTaskRequest,
  DeliveryEvent,
  FetchTasksResponse,
  GroupAction,
  GroupJob,
  GroupResult,
  ListRunsQuery,
  ListTasksQuery,
  PreviewRequest,
  PreviewResponse,
  Problem,
  Run,
  RunPage,
  RunRequested,
  SchedulerState,
  Task,
  TaskInput,
  TaskListResult,
  TaskPage,
  TaskPatch,
  TaskState,
} from './task/schemas';
