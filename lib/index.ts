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
  FailureStatus,
  FetchTasksResponse,
  GroupAction,
  GroupJob,
  GroupResult,
  ListRunsQuery,
  ListTasksQuery,
  Overlap,
  PreviewRequest,
  PreviewResponse,
  Problem,
  RecentRunsQuery,
  Retry,
  Run,
  RunAttempt,
  RunPage,
  RunRequested,
  RunSource,
  RunStatus,
  SchedulerState,
  Task,
  TaskInput,
  TaskListResult,
  TaskPage,
  TaskPatch,
  TaskState,
} from './task/schemas';
