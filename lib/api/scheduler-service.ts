import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SchedulerNotConfiguredError, SchedulerUnavailableError } from '../errors';
import type { SchedulerState } from '../task/schemas';
import { isUnavailable } from './unavailable';

export interface SchedulerServiceDeps {
  client: SchedulerClient;
  /** The tick schedule; absent when the API runs without one (routes answer 501). */
  scheduleName?: string;
  scheduleGroup: string;
  /** Told of every state set, so the fire worker and the API's nudges see a paused scheduler too. */
  onChange?: (state: SchedulerState['state']) => Promise<void>;
}

/** Reports and switches the EventBridge Scheduler schedule that drives the tick. */
export class SchedulerService {
  constructor(private readonly deps: SchedulerServiceDeps) {}

  async getState(): Promise<SchedulerState> {
    return namingOutages(async () => toState(await this.read()));
  }

  async setState(state: SchedulerState['state']): Promise<SchedulerState> {
    const result = await namingOutages(() => this.changeState(state));
    await this.deps.onChange?.(state);
    return result;
  }

  /**
   * Enables or disables the tick. UpdateSchedule replaces the whole schedule, so the current definition is
   * read and written back with only `State` changed (a field left out would be reset to its default).
   */
  private async changeState(state: SchedulerState['state']): Promise<SchedulerState> {
    const current = await this.read();
    if (current.State === state) return toState(current);
    await this.deps.client.send(
      new UpdateScheduleCommand({
        Name: current.Name,
        GroupName: current.GroupName,
        ScheduleExpression: current.ScheduleExpression,
        ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
        StartDate: current.StartDate,
        EndDate: current.EndDate,
        Description: current.Description,
        KmsKeyArn: current.KmsKeyArn,
        Target: current.Target,
        FlexibleTimeWindow: current.FlexibleTimeWindow,
        ActionAfterCompletion: current.ActionAfterCompletion,
        State: state,
      }),
    );
    return toState({ ...current, State: state });
  }

  private async read(): Promise<GetScheduleCommandOutput> {
    if (!this.deps.scheduleName) throw new SchedulerNotConfiguredError();
    return this.deps.client.send(
      new GetScheduleCommand({ Name: this.deps.scheduleName, GroupName: this.deps.scheduleGroup }),
    );
  }
}

/** An outage of EventBridge Scheduler is named as such, so the API does not blame the task store. */
async function namingOutages<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw isUnavailable(error) ? new SchedulerUnavailableError({ cause: error }) : error;
  }
}

function toState(schedule: GetScheduleCommandOutput): SchedulerState {
  return {
    name: schedule.Name ?? '',
    group: schedule.GroupName ?? 'default',
    state: schedule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    expression: schedule.ScheduleExpression,
    arn: schedule.Arn,
  };
}
