import type { DueTask } from '../store/items';
import { planDue } from '../task/plan';
import type { Run } from '../task/schemas';
import { scheduledRunId } from './run-id';

export interface Occurrence {
  runId: string;
  scheduledAt: number;
  fireAt: number;
  source: Run['source'];
}

/** One due task's work in this tick: its occurrences, in order, and what came of them. */
export interface TaskWork {
  due: DueTask;
  occurrences: Occurrence[];
  plan?: ReturnType<typeof planDue>;
  manualDone: number;
  /** The last scheduled occurrence settled (delivered, failed, or found acknowledged). */
  lastSettled?: number;
  /** The first scheduled occurrence another tick still held: the acknowledgement never moves past it. */
  firstHeld?: Occurrence;
  /** Scheduled occurrences this tick delivered (or failed for good): what it adds to runCount. */
  fired: number;
  lastError?: string;
  stopped: boolean;
  /** Backing off before another invocation attempt. */
  retrying: boolean;
  chain: Promise<void>;
}

/** The occurrences a due task fires in this tick: pending manual runs first, then the schedule's. */
export function planWork(due: DueTask, now: number, horizon: number, manualOnly = false): TaskWork {
  const { task } = due;
  const occurrences: Occurrence[] = due.manualRuns.map((m) => ({
    runId: m.runId,
    scheduledAt: m.requestedAt,
    fireAt: m.requestedAt,
    source: 'manual',
  }));
  let plan: TaskWork['plan'];
  if (!manualOnly && task.state === 'active' && task.nextRunAt !== null) {
    plan = planDue(task, Date.parse(task.nextRunAt), now, horizon);
    for (const fire of plan.fire) {
      occurrences.push({
        runId: scheduledRunId(task.id, task.createdAt, fire.scheduledAt),
        scheduledAt: fire.scheduledAt,
        fireAt: fire.fireAt,
        source: 'schedule',
      });
    }
  }
  return {
    due,
    occurrences,
    plan,
    manualDone: 0,
    fired: 0,
    stopped: false,
    retrying: false,
    chain: Promise.resolve(),
  };
}

/** Records that an occurrence needs nothing more from this tick; `fired` when this tick delivered it. */
export function settled(work: TaskWork, occurrence: Occurrence, fired: boolean) {
  if (occurrence.source === 'manual') {
    work.manualDone++;
    return;
  }
  work.lastSettled = Math.max(work.lastSettled ?? Number.NEGATIVE_INFINITY, occurrence.scheduledAt);
  if (fired) work.fired++;
}
