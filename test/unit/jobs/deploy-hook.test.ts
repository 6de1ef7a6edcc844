import { describe, expect, it } from 'vitest';
import { answerDeploy, type DeployAnswer, DeployEvent } from '../../../lib/jobs/deploy-hook';

const event = (RequestType: 'Create' | 'Update' | 'Delete') =>
  DeployEvent.parse({
    RequestType,
    ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/answer?X-Amz-Signature=x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Sundial/1',
    RequestId: 'request-1',
    LogicalResourceId: 'SundialReindex',
    ResourceType: 'Custom::SundialReindex',
    ResourceProperties: { ServiceToken: 'arn', Index: 'list' },
  });

function recorder() {
  const sent: { url: string; answer: DeployAnswer }[] = [];
  return { sent, send: async (url: string, answer: DeployAnswer) => void sent.push({ url, answer }) };
}

describe('the reindex deploy hook', () => {
  it.each(['Create', 'Update'] as const)(
    'on %s starts the reindex, then answers SUCCESS with the ids echoed',
    async (type) => {
      const { sent, send } = recorder();
      let starts = 0;
      await answerDeploy(event(type), async () => void starts++, send);
      expect(starts).toBe(1);
      expect(sent).toEqual([
        {
          url: event(type).ResponseURL,
          answer: {
            Status: 'SUCCESS',
            Reason: 'reindex started',
            PhysicalResourceId: 'SundialReindex-reindex',
            StackId: event(type).StackId,
            RequestId: 'request-1',
            LogicalResourceId: 'SundialReindex',
          },
        },
      ]);
    },
  );

  it('on Delete touches nothing and answers SUCCESS with the resource id it was given', async () => {
    const { sent, send } = recorder();
    let starts = 0;
    await answerDeploy({ ...event('Delete'), PhysicalResourceId: 'given' }, async () => void starts++, send);
    expect(starts).toBe(0);
    expect(sent[0]?.answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'given' });
  });

  it('a reindex that cannot start fails the deploy with the reason, rather than leaving CloudFormation waiting', async () => {
    const { sent, send } = recorder();
    await answerDeploy(event('Update'), async () => Promise.reject(new Error('AccessDenied')), send);
    expect(sent[0]?.answer).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('AccessDenied'),
    });
  });

  it('job events are not deploy events', () => {
    expect(DeployEvent.safeParse({ jobId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }).success).toBe(false);
    expect(DeployEvent.safeParse({ reindex: true }).success).toBe(false);
  });
});
