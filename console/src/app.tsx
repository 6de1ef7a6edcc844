import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { Badge, NotifyContext } from './components/common';
import { type Live, POLL_MS, useLive } from './live';
import { href, parseRoute, type Route } from './router';
import type { SchedulerState } from './types';
import { GroupsPage } from './views/groups';
import { SchedulerPage } from './views/scheduler';
import { TaskFormPage } from './views/task-form';
import { TaskList } from './views/task-list';
import { TaskPage } from './views/task-view';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** How long an outcome message stays on screen. */
const MESSAGE_MS = 8_000;

const NAV = [
  { view: 'tasks', label: 'Tasks' },
  { view: 'groups', label: 'Groups' },
  { view: 'scheduler', label: 'Scheduler' },
] as const;

function section(route: Route): string {
  return route.view === 'task' || route.view === 'edit' || route.view === 'new' ? 'tasks' : route.view;
}

function View({
  route,
  timeZone,
  scheduler,
}: {
  route: Route;
  timeZone: string;
  scheduler: Live<SchedulerState>;
}) {
  switch (route.view) {
    case 'tasks':
      return (
        <TaskList filters={{ group: route.group, state: route.state, q: route.q }} timeZone={timeZone} />
      );
    case 'task':
      return <TaskPage key={route.id} id={route.id} timeZone={timeZone} />;
    case 'edit':
      return <TaskFormPage key={`edit:${route.id}`} id={route.id} timeZone={timeZone} />;
    case 'new':
      return <TaskFormPage key="new" timeZone={timeZone} />;
    case 'groups':
      return <GroupsPage />;
    case 'scheduler':
      return <SchedulerPage scheduler={scheduler} />;
    case 'not-found':
      return (
        <>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            Nothing at <code>#{route.path}</code>. <a href={href({ view: 'tasks' })}>See the tasks</a>.
          </p>
        </>
      );
  }
}

/** The console: a header with the scheduler's state, the current view, and a status line for outcomes. */
export function App() {
  const route = useRoute();
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const scheduler = useLive((signal) => api.getScheduler(signal), POLL_MS.scheduler, []);
  // An outcome message belongs to the view it was said in (an action that navigates says it after).
  const [message, setMessage] = useState({ text: '', at: '' });
  const notify = useCallback((text: string) => setMessage({ text, at: href(parseRoute(location.hash)) }), []);
  useEffect(() => {
    if (!message.text) return;
    const timer = setTimeout(() => setMessage({ text: '', at: '' }), MESSAGE_MS);
    return () => clearTimeout(timer);
  }, [message]);
  const routeKey = href(route);
  const firstView = useRef(true);
  // A new view takes the focus to its heading, so keyboard and screen reader users start there (the
  // first view keeps the browser's own start).
  useEffect(() => {
    if (!firstView.current) document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
    firstView.current = false;
  }, [routeKey]);
  // A button, not a #main link: the hash is the route.
  const skip = () => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  };
  const current = section(route);
  return (
    <NotifyContext.Provider value={notify}>
      <button type="button" class="skip" onClick={skip}>
        Skip to content
      </button>
      <header class="bar">
        <a class="brand" href={href({ view: 'tasks' })}>
          Sundial
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.view}>
                <a href={`#/${item.view}`} aria-current={current === item.view ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <a class="scheduler-state" href={href({ view: 'scheduler' })}>
          Scheduler{' '}
          {scheduler.data ? (
            <Badge
              status={scheduler.data.state}
              label={scheduler.data.state === 'ENABLED' ? 'running' : 'paused'}
            />
          ) : (
            <span class="muted">{scheduler.error ? 'unknown' : '…'}</span>
          )}
        </a>
      </header>
      <main id="main">
        <View route={route} timeZone={timeZone} scheduler={scheduler} />
      </main>
      <div class="status" role="status" aria-live="polite">
        {message.at === routeKey ? message.text : ''}
      </div>
    </NotifyContext.Provider>
  );
}
