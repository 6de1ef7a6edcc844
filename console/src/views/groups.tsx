import { useState } from 'preact/hooks';
import { type ApiError, api } from '../api';
import { Loading, ProblemAlert, Section, useNotify } from '../components/common';
import { Confirm } from '../components/confirm';
import { POLL_MS, useLive } from '../live';
import { href } from '../router';
import type { GroupJob, GroupResult } from '../types';

/** Tasks read to find the groups: the API lists tasks, not groups, so the scan is bounded. */
export const GROUP_SCAN_LIMIT = 500;

interface GroupCounts {
  name: string;
  active: number;
  paused: number;
  completed: number;
  total: number;
}

async function scanGroups(signal: AbortSignal): Promise<{ groups: GroupCounts[]; complete: boolean }> {
  const counts = new Map<string, GroupCounts>();
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await api.listTasks({ limit: 100, cursor }, signal);
    for (const task of page.tasks) {
      if (!task.group) continue;
      const row = counts.get(task.group) ?? {
        name: task.group,
        active: 0,
        paused: 0,
        completed: 0,
        total: 0,
      };
      row[task.state] += 1;
      row.total += 1;
      counts.set(task.group, row);
    }
    read += page.tasks.length;
    cursor = page.cursor;
  } while (cursor && read < GROUP_SCAN_LIMIT);
  return { groups: [...counts.values()].sort((a, b) => a.name.localeCompare(b.name)), complete: !cursor };
}

type Verb = 'pause' | 'resume' | 'delete';
/** How often a group job's progress is read. */
const JOB_POLL_MS = 1000;
const DONE: Record<Verb, string> = { pause: 'paused', resume: 'resumed', delete: 'deleted' };

function useGroupAction(onDone: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const notify = useNotify();
  const perform = async (verb: Verb, name: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const call = { pause: api.pauseGroup, resume: api.resumeGroup, delete: api.deleteGroup }[verb];
      let out: GroupResult | GroupJob = await call(name);
      // A large group runs as a job: follow it until done, showing how far it got.
      while ('status' in out && out.status === 'running') {
        setResult(`Group ${out.group}: ${out.done} of ${out.total ?? '?'} tasks done…`);
        await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
        out = await api.getJob(out.id);
      }
      const counts = 'status' in out ? { matched: out.done, changed: out.changed } : out;
      const failed = 'status' in out && out.failed > 0 ? `, ${out.failed} failed` : '';
      const text = `Group ${out.group}: ${counts.matched} tasks, ${counts.changed} ${DONE[verb]}${failed}`;
      setResult(text);
      notify(text);
      onDone();
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, result, perform };
}

function GroupButtons({
  name,
  busy,
  act,
}: {
  name: string;
  busy: boolean;
  act: (verb: Verb, name: string) => void;
}) {
  return (
    <fieldset class="actions">
      <legend class="sr-only">Actions on group {name}</legend>
      <button type="button" disabled={busy} onClick={() => act('pause', name)}>
        Pause<span class="sr-only"> group {name}</span>
      </button>
      <button type="button" disabled={busy} onClick={() => act('resume', name)}>
        Resume<span class="sr-only"> group {name}</span>
      </button>
      <button type="button" class="danger" disabled={busy} onClick={() => act('delete', name)}>
        Delete<span class="sr-only"> group {name}</span>
      </button>
    </fieldset>
  );
}

/** Groups with their task counts by state, and pause, resume or delete of a whole group. */
export function GroupsPage() {
  const scan = useLive(scanGroups, POLL_MS.list * 3, []);
  const { busy, error, result, perform } = useGroupAction(() => scan.refresh());
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const [other, setOther] = useState('');
  const act = (verb: Verb, name: string) => (verb === 'delete' ? setDeleting(name) : perform(verb, name));
  return (
    <>
      <h1 tabIndex={-1}>Groups</h1>
      <ProblemAlert error={error} context="The group action failed" />
      {result && <p class="result">{result}</p>}
      <Section id="groups-heading" title="Groups">
        <ProblemAlert error={scan.error} context="Could not list tasks" />
        {!scan.data && !scan.error && <Loading what="groups" />}
        {scan.data && scan.data.groups.length === 0 && <p class="muted">No task has a group.</p>}
        {scan.data && scan.data.groups.length > 0 && (
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">Active</th>
                  <th scope="col">Paused</th>
                  <th scope="col">Completed</th>
                  <th scope="col">Total</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {scan.data.groups.map((g) => (
                  <tr key={g.name}>
                    <td data-label="Group">
                      <a href={href({ view: 'tasks', group: g.name })}>{g.name}</a>
                    </td>
                    <td data-label="Active">{g.active}</td>
                    <td data-label="Paused">{g.paused}</td>
                    <td data-label="Completed">{g.completed}</td>
                    <td data-label="Total">{g.total}</td>
                    <td data-label="Actions">
                      <GroupButtons name={g.name} busy={busy} act={act} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {scan.data && !scan.data.complete && (
          <p class="muted small">
            Counted from the first {GROUP_SCAN_LIMIT} tasks; a group beyond them can be named below.
          </p>
        )}
      </Section>
      <Section id="other-group-heading" title="Any group by name">
        <div class="field">
          <label for="other-group">Group name</label>
          <input
            id="other-group"
            value={other}
            onInput={(e) => setOther((e.currentTarget as HTMLInputElement).value.trim())}
            autocomplete="off"
          />
        </div>
        {other && <GroupButtons name={other} busy={busy} act={act} />}
      </Section>
      <Confirm
        open={deleting !== undefined}
        title={`Delete group ${deleting}?`}
        confirmLabel="Delete every task of the group"
        onConfirm={() => {
          const name = deleting as string;
          setDeleting(undefined);
          void perform('delete', name);
        }}
        onCancel={() => setDeleting(undefined)}
      >
        <p>Every task of the group and their run history are deleted. This cannot be undone.</p>
      </Confirm>
    </>
  );
}
