import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { SchedulerService } from '../../../lib/api/scheduler-service';
import { SchedulerUnavailableError } from '../../../lib/errors';
import { LOCAL_REGION } from '../../../lib/local/dynamodb-local';
import { LocalSchedulerEndpoint } from '../../../lib/local/scheduler-endpoint';

describe('SchedulerService', () => {
  it('names an EventBridge Scheduler outage as such, not as a task store outage', async () => {
    // A real outage: the local scheduler endpoint answers once, then is closed.
    const endpoint = new LocalSchedulerEndpoint('tick', 'default', 'sundial-tick');
    const client = new SchedulerClient({
      endpoint: await endpoint.listen(0),
      region: LOCAL_REGION,
      credentials: endpoint.credentials,
      maxAttempts: 1,
    });
    const service = new SchedulerService({ client, scheduleName: 'tick', scheduleGroup: 'default' });
    expect(await service.getState()).toMatchObject({ state: 'ENABLED' });
    await endpoint.close();
    await expect(service.getState()).rejects.toBeInstanceOf(SchedulerUnavailableError);
    await expect(service.setState('DISABLED')).rejects.toBeInstanceOf(SchedulerUnavailableError);
    client.destroy();
  });
});
