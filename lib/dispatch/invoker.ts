import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { DeliveryEvent, Task } from '../task/schemas';

/** Delivers one event to one target; throws when the target could not be invoked. */
export interface Invoker {
  invoke(target: Task['target'], event: DeliveryEvent): Promise<void>;
}

/** Invokes the target asynchronously (InvocationType Event): Lambda queues it and answers 202. */
export class LambdaInvoker implements Invoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(target: Task['target'], event: DeliveryEvent): Promise<void> {
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: target.function,
        Qualifier: target.qualifier,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    if (out.StatusCode !== 202) throw new Error(`Lambda answered ${out.StatusCode} to an Event invocation`);
  }
}
