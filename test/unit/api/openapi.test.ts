import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPENAPI_FILE, renderOpenApi } from '../../../scripts/write-openapi';

describe('docs/openapi.json', () => {
  it('is the document the schemas generate (run `npm run openapi` after changing them)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('documents every route of the API with its problem answers', () => {
    const doc = JSON.parse(renderOpenApi());
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/groups/{group}',
      '/v1/groups/{group}/pause',
      '/v1/groups/{group}/resume',
      '/v1/health',
      '/v1/health/live',
      '/v1/jobs/{id}',
      '/v1/runs',
      '/v1/scheduler',
      '/v1/scheduler/pause',
      '/v1/scheduler/resume',
      '/v1/schedules/preview',
      '/v1/tasks',
      '/v1/tasks/batch',
      '/v1/tasks/delete',
      '/v1/tasks/fetch',
      '/v1/tasks/pause',
      '/v1/tasks/reschedule',
      '/v1/tasks/resume',
      '/v1/tasks/{id}',
      '/v1/tasks/{id}/pause',
      '/v1/tasks/{id}/reschedule',
      '/v1/tasks/{id}/resume',
      '/v1/tasks/{id}/run',
      '/v1/tasks/{id}/runs',
    ]);
    expect(doc.paths['/v1/tasks/{id}'].patch.responses['412'].content).toHaveProperty(
      'application/problem+json',
    );
    expect(doc.paths['/v1/tasks/reschedule'].post.responses['404'].content).toHaveProperty(
      'application/problem+json',
    );
    expect(doc.paths['/v1/schedules/preview'].post.responses['422'].content).toHaveProperty(
      'application/problem+json',
    );
  });

  it('names its component schemas and refers to them, so generated clients get named types', () => {
    const doc = JSON.parse(renderOpenApi());
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Task',
        'TaskInput',
        'TaskPatch',
        'TaskPage',
        'Run',
        'RunPage',
        'Problem',
        'Schedule',
      ]),
    );
    expect(doc.paths['/v1/tasks/{id}'].get.responses['200'].content['application/json'].schema).toEqual(
      ref('Task'),
    );
    expect(doc.paths['/v1/tasks'].post.requestBody.content['application/json'].schema).toEqual(
      ref('CreateTaskRequest'),
    );
    expect(
      doc.paths['/v1/tasks/{id}'].patch.responses['412'].content['application/problem+json'].schema,
    ).toEqual(ref('Problem'));
    expect(doc.components.schemas.TaskPage.properties.tasks.items).toEqual(ref('Task'));
    expect(doc.components.schemas.Task.properties.schedule).toEqual(ref('Schedule'));
    expect(doc.components.schemas.TaskInput.properties.retry).toEqual(ref('Retry'));
    expect(doc.components.schemas.TaskInput.properties.overlap).toEqual(ref('Overlap'));
    expect(doc.components.schemas.Run.properties.attempts.items).toEqual(ref('RunAttempt'));
  });

  it('documents tracked runs: the run filters, the cross-task listing and the outcome fields', () => {
    const doc = JSON.parse(renderOpenApi());
    const param = (path: string, name: string) =>
      doc.paths[path].get.parameters.find((p: { name: string }) => p.name === name);
    expect(param('/v1/tasks/{id}/runs', 'status').schema).toEqual({
      $ref: '#/components/schemas/RunStatus',
    });
    expect(param('/v1/runs', 'status')).toMatchObject({ required: true });
    expect(doc.paths['/v1/runs'].get.responses['400'].content).toHaveProperty('application/problem+json');
    expect(doc.components.schemas.RunStatus.enum).toEqual([
      'claimed',
      'delivered',
      'succeeded',
      'failed',
      'timed_out',
      'skipped',
    ]);
    expect(Object.keys(doc.components.schemas.Run.properties)).toEqual(
      expect.arrayContaining(['reason', 'finishedAt', 'durationMs', 'errorType', 'errorMessage', 'retryAt']),
    );
    expect(Object.keys(doc.components.schemas.Run.properties)).not.toContain('leaseUntil');
    expect(Object.keys(doc.components.schemas.Task.properties)).toEqual(
      expect.arrayContaining([
        'lastStatus',
        'lastError',
        'consecutiveFailures',
        'runsInProgress',
        'queuedRuns',
      ]),
    );
  });
});
