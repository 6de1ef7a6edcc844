import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { ApiRequestFigures } from '../observability/reports';

/** Label of a request that matched no route (a 404): one value for every unknown path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template a request was served by, as the OpenAPI document writes it (`GET /v1/tasks/{id}`),
 * or `unmatched`: a metric dimension must take few values, so never the raw path.
 */
export function routeTemplate(routes: readonly { method: string; path: string }[]): string {
  // Middleware is registered for ALL methods; the last route with a method of its own served the request.
  const route = routes.findLast((r) => r.method !== 'ALL');
  if (!route) return UNMATCHED_ROUTE;
  return `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')}`;
}

/**
 * Measures every request (errors included: the app's error handler has shaped the response by the time
 * `next` returns) and hands the figures to `record`.
 */
export function requestMetrics(
  record: (figures: ApiRequestFigures) => void,
  now: () => number = () => performance.now(),
): MiddlewareHandler {
  return async (c, next) => {
    const started = now();
    await next();
    record({ route: routeTemplate(matchedRoutes(c)), status: c.res.status, latencyMs: now() - started });
  };
}
