import { zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  BasicSchedule,
  BatchCreateRequest,
  BatchCreateResponse,
  CreateTaskRequest,
  CronDayMatch,
  Every,
  FailureStatus,
  GroupJob,
  GroupResult,
  Misfire,
  MisfirePolicy,
  Overlap,
  OverlapPolicy,
  PreviewRequest,
  PreviewResponse,
  Problem,
  Retry,
  Run,
  RunAttempt,
  RunPage,
  RunRequested,
  RunSource,
  RunStatus,
  Schedule,
  SchedulerState,
  Solar,
  Target,
  Task,
  TaskInput,
  TaskPage,
  TaskPatch,
  TaskState,
} from '../task/schemas';

/** The contract's schemas by the name they get in the OpenAPI document (`#/components/schemas/<name>`). */
const NAMED: Record<string, z.ZodType> = {
  Task,
  TaskInput,
  CreateTaskRequest,
  BatchCreateRequest,
  BatchCreateResponse,
  TaskPatch,
  TaskPage,
  TaskState,
  Target,
  Schedule,
  BasicSchedule,
  Every,
  Solar,
  CronDayMatch,
  Misfire,
  MisfirePolicy,
  Retry,
  Overlap,
  OverlapPolicy,
  Run,
  RunAttempt,
  RunPage,
  RunRequested,
  RunSource,
  RunStatus,
  FailureStatus,
  GroupResult,
  GroupJob,
  SchedulerState,
  PreviewRequest,
  PreviewResponse,
  Problem,
};

/**
 * Names the contract's schemas so that the OpenAPI document holds each once, as a component, and every use
 * refers to it: generated clients get named types. The name is zod's own `id` metadata, set here rather than
 * with `.meta()` in lib/task/schemas.ts because `.meta()` returns a copy, and the routes use the originals.
 * Idempotent.
 */
export function nameSchemas(): void {
  for (const [id, schema] of Object.entries(NAMED)) {
    const meta = z.globalRegistry.get(schema);
    if (meta?.id !== id) z.globalRegistry.add(schema, { ...meta, id });
    // zod-to-openapi 9 reads the `id` only of schemas it holds an entry for (a `.meta()` copy always has one).
    if (!zodToOpenAPIRegistry.has(schema)) zodToOpenAPIRegistry.add(schema, {});
  }
}
