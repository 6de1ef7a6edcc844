import { useState } from 'preact/hooks';
import { type ApiError, api } from '../api';
import { Badge, Loading, ProblemAlert, Section, useNotify } from '../components/common';
import type { Live } from '../live';
import type { SchedulerState } from '../types';

/** The tick schedule: while it is paused no scheduled occurrence fires (run now still delivers). */
export function SchedulerPage({ scheduler }: { scheduler: Live<SchedulerState> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const notify = useNotify();
  const state = scheduler.data;
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const next = state?.state === 'ENABLED' ? await api.pauseScheduler() : await api.resumeScheduler();
      notify(next.state === 'ENABLED' ? 'Scheduler resumed' : 'Scheduler paused');
      scheduler.refresh();
    } catch (failure) {
      setError(failure as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1 tabIndex={-1}>Scheduler</h1>
      <ProblemAlert error={scheduler.error} context="Could not read the scheduler" />
      <ProblemAlert error={error} />
      {!state && !scheduler.error && <Loading what="the scheduler" />}
      {state && (
        <Section id="scheduler-heading" title="Tick schedule">
          <dl class="fields">
            <div>
              <dt>state</dt>
              <dd>
                <Badge status={state.state} label={state.state === 'ENABLED' ? 'running' : 'paused'} />
              </dd>
            </div>
            <div>
              <dt>schedule</dt>
              <dd>
                {state.group}/{state.name}
              </dd>
            </div>
            <div>
              <dt>expression</dt>
              <dd>{state.expression ?? '—'}</dd>
            </div>
            {state.arn && (
              <div class="wide">
                <dt>arn</dt>
                <dd>
                  <code>{state.arn}</code>
                </dd>
              </div>
            )}
          </dl>
          <p class="muted">
            While paused, no scheduled occurrence fires for any task; “Run now” still delivers. Occurrences
            missed meanwhile follow each task's misfire policy on resume.
          </p>
          <div class="actions">
            <button
              type="button"
              class={state.state === 'ENABLED' ? 'danger' : 'primary'}
              disabled={busy}
              onClick={toggle}
            >
              {state.state === 'ENABLED' ? 'Pause the scheduler' : 'Resume the scheduler'}
            </button>
          </div>
        </Section>
      )}
    </>
  );
}
