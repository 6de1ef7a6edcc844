import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ValidationError } from '../errors';
import type { Problem } from '../task/schemas';
import { internalError, problemFor } from './problem';
import type { TaskService } from './task-service';

export interface AppDeps {
  tasks: TaskService;
  log?: (level: 'error', message: string, fields: Record<string, unknown>) => void;
}

async function jsonBody(c: { req: { json(): Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    throw new ValidationError([{ path: '', message: 'the body must be a JSON document' }], { cause: error });
  }
}

/** The HTTP API: the same app runs in the API Lambda (hono/aws-lambda) and on Node in local mode. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const { tasks } = deps;

  app.get('/v1/health', (c) => c.json({ status: 'ok' }));

  app.post('/v1/tasks', async (c) => c.json(await tasks.createTask(await jsonBody(c)), 201));

  app.get('/v1/tasks', async (c) => {
    const page = await tasks.listTasks(c.req.query());
    return c.json({ tasks: page.items, cursor: page.cursor });
  });

  app.get('/v1/tasks/:id', async (c) => {
    const task = await tasks.getTask(c.req.param('id'));
    c.header('ETag', `"${task.version}"`);
    return c.json(task);
  });

  app.delete('/v1/tasks/:id', async (c) => {
    await tasks.deleteTask(c.req.param('id'));
    return c.body(null, 204);
  });

  app.get('/v1/tasks/:id/runs', async (c) => {
    const page = await tasks.listRuns(c.req.param('id'), c.req.query());
    return c.json({ runs: page.items, cursor: page.cursor });
  });

  app.notFound((c) =>
    problem(c, {
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: `no route for ${c.req.method} ${c.req.path}`,
    }),
  );

  app.onError((error, c) => {
    const known = problemFor(error);
    if (known) return problem(c, known);
    deps.log?.('error', 'unhandled error', { error: error.stack ?? String(error), path: c.req.path });
    return problem(c, internalError);
  });

  return app;
}

function problem(
  c: { body: (data: string, status: ContentfulStatusCode, headers: Record<string, string>) => Response },
  p: Problem,
) {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
  });
}
