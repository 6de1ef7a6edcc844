import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { TaskView } from '../types';

// Task items carry no description of their schedule, so the list asks the preview route once per distinct
// schedule (cached for the page's life, a few at a time) rather than once per row and poll.
const cache = new Map<string, Promise<string | undefined>>();
const waiting: (() => void)[] = [];
let active = 0;
const MAX_ACTIVE = 4;

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (active >= MAX_ACTIVE) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

function describe(task: TaskView): Promise<string | undefined> {
  const when = { schedule: task.schedule, timezone: task.timezone, cronDayMatch: task.cronDayMatch };
  const key = JSON.stringify(when);
  let found = cache.get(key);
  if (!found) {
    found = limited(() => api.previewSchedule({ ...when, count: 1 })).then(
      (preview) => preview.description,
      () => undefined,
    );
    cache.set(key, found);
  }
  return found;
}

/** The human description of a task's schedule ("At 09:00, Monday through Friday (Europe/Lisbon)"). */
export function ScheduleDescription({ task }: { task: TaskView }) {
  const [text, setText] = useState<string | undefined>(undefined);
  useEffect(() => {
    let current = true;
    void describe(task).then((description) => current && setText(description));
    return () => {
      current = false;
    };
  }, [task]);
  return text ? <span class="muted small">{text}</span> : null;
}
