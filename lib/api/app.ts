import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { StoreUnavailableError, ValidationError } from '../errors';
import type { ApiRequestFigures } from '../observability/reports';
import { PROBLEM_TYPES, type Problem } from '../task/schemas';
import type { GroupAnswer, GroupService } from './group-service';
import { MAX_BODY_BYTES, parseJsonBody } from './json-body';
import { internalError, problemFor, retryAfterSeconds } from './problem';
import { requestMetrics } from './request-metrics';
import { routes } from './routes';
import type { SchedulerService } from './scheduler-service';
import { nameSchemas } from './schema-names';
import type { TaskService } from './task-service';
import { isUnavailable } from './unavailable';

export interface AppDeps {
  tasks: TaskService;
  groups: GroupService;
  scheduler: SchedulerService;
  /** Readiness: resolves when the API can serve requests (its task store answers); absent: always ready. */
  ready?: () => Promise<void>;
  log?: (level: 'error', message: string, fields: Record<string, unknown>) => void;
  /** Receives each request's route, status and latency (the API Lambda publishes them as metrics). */
  recordRequest?: (figures: ApiRequestFigures) => void;
}

/** The OpenAPI document's `info`: the API version follows the package's. */
export const OPENAPI_INFO = {
  title: 'Sundial API',
  version: '1',
  description:
    'Serverless task scheduler: create, change and watch scheduled tasks that invoke Lambda functions by name. Every route is authorized with IAM (SigV4, service `execute-api`). Errors are application/problem+json with a per-field `errors` list.',
};

export const OPENAPI_CONFIG = {
  openapi: '3.1.0',
  info: OPENAPI_INFO,
  security: [{ sigv4: [] }],
};

/** The OpenAPI document, as served at /openapi.json and written to docs/openapi.json. */
export function openApiDocument() {
  // The document depends only on the routes and schemas, never on the services behind them.
  return createApp({
    tasks: undefined as never,
    groups: undefined as never,
    scheduler: undefined as never,
  }).getOpenAPI31Document(OPENAPI_CONFIG);
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    throw new ValidationError([{ path: '', message: 'the body must be a JSON document' }], { cause: error });
  }
}

const JSON_MEDIA_TYPE = /^application\/([a-z.-]+\+)?json/i;

/**
 * Parses a JSON body once, before any validator, refusing what parsing would silently change (numbers
 * beyond a 64-bit float); the route validators and handlers then read the parsed value from Hono's cache.
 */
const exactJsonBody: MiddlewareHandler = async (c, next) => {
  if (c.req.raw.body && JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) {
    // An empty body (a POST without one, sent with the JSON content type) is left to the route.
    const text = await c.req.text();
    if (text !== '') c.req.bodyCache.json = Promise.resolve(parseJsonBody(text));
  }
  await next();
};

const bodyTooLarge = (c: Context) =>
  problem(c, {
    type: PROBLEM_TYPES.validation,
    title: 'Request body too large',
    status: 413,
    detail: `the body must be at most ${MAX_BODY_BYTES} bytes`,
    errors: [{ path: '', message: `must be at most ${MAX_BODY_BYTES} bytes` }],
  });

/** zod issues of a request part → the same {path, message} list the services produce. */
function validationError(error: ZodError): ValidationError {
  return new ValidationError(
    error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      const message =
        issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message;
      return { path, message };
    }),
  );
}

/** The HTTP API: the same app runs in the API Lambda (hono/aws-lambda) and on Node in local mode. */
export function createApp(deps: AppDeps): OpenAPIHono<{ Variables: RequestIdVariables }> {
  nameSchemas();
  const app = new OpenAPIHono<{ Variables: RequestIdVariables }>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as ZodError);
    },
  });
  const { tasks, groups, scheduler } = deps;
  const withEtag = (c: Context, version: number) => c.header('ETag', `"${version}"`);
  // Echoes the caller's X-Request-Id (the SDK sends one per call) or makes one: errors carry it, logs name it.
  app.use(requestId());
  if (deps.recordRequest) app.use(requestMetrics(deps.recordRequest));
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: bodyTooLarge }));
  app.use('*', exactJsonBody);

  app.openapi(routes.health, async (c) => {
    await deps.ready?.();
    return c.json({ status: 'ok' as const }, 200);
  });
  app.openapi(routes.liveness, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(routes.createTask, async (c) => {
    const task = await tasks.createTask(await jsonBody(c));
    withEtag(c, task.version);
    return c.json(task, 201);
  });
  app.openapi(routes.createTasks, async (c) =>
    c.json({ tasks: await tasks.createTasks(await jsonBody(c)) }, 201),
  );
  app.openapi(routes.listTasks, async (c) => {
    const page = await tasks.listTasks(c.req.query());
    return c.json({ tasks: page.items, cursor: page.cursor }, 200);
  });
  app.openapi(routes.getTask, async (c) => {
    const task = await tasks.getTask(c.req.param('id'));
    withEtag(c, task.version);
    return c.json(task, 200);
  });
  app.openapi(routes.updateTask, async (c) => {
    const task = await tasks.updateTask(c.req.param('id'), await jsonBody(c), c.req.header('if-match'));
    withEtag(c, task.version);
    return c.json(task, 200);
  });
  app.openapi(routes.deleteTask, async (c) => {
    await tasks.deleteTask(c.req.param('id'));
    return c.body(null, 204);
  });
  app.openapi(routes.pauseTask, async (c) => {
    const task = await tasks.pauseTask(c.req.param('id'), c.req.header('if-match'));
    withEtag(c, task.version);
    return c.json(task, 200);
  });
  app.openapi(routes.resumeTask, async (c) => {
    const task = await tasks.resumeTask(c.req.param('id'), c.req.header('if-match'));
    withEtag(c, task.version);
    return c.json(task, 200);
  });
  app.openapi(routes.rescheduleTask, async (c) => {
    const task = await tasks.rescheduleTask(c.req.param('id'), await jsonBody(c), c.req.header('if-match'));
    withEtag(c, task.version);
    return c.json(task, 200);
  });
  app.openapi(routes.fetchTasks, async (c) => c.json(await tasks.fetchTasks(await jsonBody(c)), 200));
  app.openapi(routes.pauseTasks, async (c) => c.json(await tasks.pauseTasks(await jsonBody(c)), 200));
  app.openapi(routes.resumeTasks, async (c) => c.json(await tasks.resumeTasks(await jsonBody(c)), 200));
  app.openapi(routes.deleteTasks, async (c) => c.json(await tasks.deleteTasks(await jsonBody(c)), 200));
  app.openapi(routes.rescheduleTasks, async (c) =>
    c.json({ tasks: await tasks.rescheduleTasks(await jsonBody(c)) }, 200),
  );
  app.openapi(routes.runTask, async (c) => c.json(await tasks.runTask(c.req.param('id')), 202));
  app.openapi(routes.listRuns, async (c) => {
    const page = await tasks.listRuns(c.req.param('id'), c.req.query());
    return c.json({ runs: page.items, cursor: page.cursor }, 200);
  });
  app.openapi(routes.listRecentRuns, async (c) => {
    const page = await tasks.listRecentRuns(c.req.query());
    return c.json({ runs: page.items, cursor: page.cursor }, 200);
  });

  const groupAnswer = (c: Context, answer: GroupAnswer) => {
    if (answer.status === 200) return c.json(answer.result, 200);
    c.header('Location', `/v1/jobs/${answer.job.id}`);
    return c.json(answer.job, 202);
  };
  app.openapi(routes.pauseGroup, async (c) =>
    groupAnswer(c, await groups.pauseGroup(c.req.valid('param').group)),
  );
  app.openapi(routes.resumeGroup, async (c) =>
    groupAnswer(c, await groups.resumeGroup(c.req.valid('param').group)),
  );
  app.openapi(routes.deleteGroup, async (c) =>
    groupAnswer(c, await groups.deleteGroup(c.req.valid('param').group)),
  );
  app.openapi(routes.getJob, async (c) => c.json(await groups.getJob(c.req.param('id')), 200));

  app.openapi(routes.getScheduler, async (c) => c.json(await scheduler.getState(), 200));
  app.openapi(routes.pauseScheduler, async (c) => c.json(await scheduler.setState('DISABLED'), 200));
  app.openapi(routes.resumeScheduler, async (c) => c.json(await scheduler.setState('ENABLED'), 200));

  app.openapi(routes.previewSchedule, async (c) => c.json(tasks.previewSchedule(await jsonBody(c)), 200));

  app.openAPIRegistry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'AWS Signature Version 4 for the service `execute-api` (API Gateway IAM authorization)',
  });
  app.doc31('/openapi.json', OPENAPI_CONFIG);

  app.notFound((c) =>
    problem(c, {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: `no route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((error, c) => {
    // Hono's own 4xx (a body that is not JSON) keep their status, in the same problem shape.
    if (error instanceof HTTPException && error.status < 500) {
      return problem(c, {
        type: PROBLEM_TYPES.validation,
        title: 'Invalid request',
        status: error.status,
        detail: error.message,
        errors: [{ path: '', message: error.message }],
      });
    }
    const known = problemFor(error);
    if (known) return problem(c, known);
    // The API calls only the task store synchronously (the scheduler service names its own outages).
    if (isUnavailable(error)) {
      deps.log?.('error', 'task store unavailable', {
        error: String(error),
        path: c.req.path,
        requestId: c.get('requestId'),
      });
      return problem(c, problemFor(new StoreUnavailableError({ cause: error })) ?? internalError);
    }
    deps.log?.('error', 'unhandled error', {
      error: error.stack ?? String(error),
      path: c.req.path,
      requestId: c.get('requestId'),
    });
    return problem(c, internalError);
  });

  return app;
}

function problem(c: Context, p: Problem) {
  const retryAfter = retryAfterSeconds(p);
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...(retryAfter ? { 'retry-after': String(retryAfter) } : {}),
  });
}
