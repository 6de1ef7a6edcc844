// Hash routes (`#/tasks/nightly-report`): the server serves one page, and links work without it knowing
// the console's views. Pure parse and format, unit-tested in Node.

export interface TaskFilters {
  group?: string;
  state?: string;
  q?: string;
}

export type Route =
  | ({ view: 'tasks' } & TaskFilters)
  | { view: 'task'; id: string }
  | { view: 'edit'; id: string }
  | { view: 'new' }
  | { view: 'groups' }
  | { view: 'scheduler' }
  | { view: 'not-found'; path: string };

function filtersOf(search: string): TaskFilters {
  const params = new URLSearchParams(search);
  const filters: TaskFilters = {};
  for (const key of ['group', 'state', 'q'] as const) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

/** The route a location hash names; an empty hash is the task list. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, id, action] = parts;
  if (parts.length === 0 || (first === 'tasks' && parts.length === 1)) {
    return { view: 'tasks', ...filtersOf(search) };
  }
  if (first === 'tasks' && id && parts.length === 2) return { view: 'task', id };
  if (first === 'tasks' && id && action === 'edit' && parts.length === 3) return { view: 'edit', id };
  if (parts.length === 1 && (first === 'new' || first === 'groups' || first === 'scheduler')) {
    return { view: first };
  }
  return { view: 'not-found', path };
}

/** The hash of a route, for links: `#/tasks?group=reports`, `#/tasks/a%2Fb/edit`. */
export function href(route: Route): string {
  switch (route.view) {
    case 'tasks': {
      const params = new URLSearchParams();
      for (const key of ['group', 'state', 'q'] as const) {
        const value = route[key];
        if (value) params.set(key, value);
      }
      const search = params.toString();
      return `#/tasks${search ? `?${search}` : ''}`;
    }
    case 'task':
      return `#/tasks/${encodeURIComponent(route.id)}`;
    case 'edit':
      return `#/tasks/${encodeURIComponent(route.id)}/edit`;
    case 'not-found':
      return `#/${route.path}`;
    default:
      return `#/${route.view}`;
  }
}
