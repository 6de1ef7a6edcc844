import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SundialStack } from '../../cdk/sundial-stack';
import { ENV } from '../../lib/config';
import { INDEXES, TABLE } from '../../lib/store/schema';

let template: Template;

beforeAll(() => {
  const app = new App({ context: JSON.parse(readFileSync('cdk.json', 'utf8')).context });
  template = Template.fromStack(new SundialStack(app, 'Listing'));
}, 120_000);

const statement = (sid: string) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
    )
    .filter((s) => s.Sid === sid);

describe('the list index and group jobs in the template', () => {
  it('has the keys-only list index of the schema module, its keys declared', () => {
    const index = TABLE.listIndex;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ]),
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: index.partitionKey.name, AttributeType: 'S' },
        { AttributeName: index.sortKey.name, AttributeType: 'S' },
      ]),
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    // The indexes of the schema module, in its order: a version adds at most one (CloudFormation's limit).
    expect(table?.Properties.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual(
      INDEXES.map((i) => i.name),
    );
  });

  it('has a job function of 15 minutes that the API starts and that continues itself, by name', () => {
    const jobs = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'jobs.handler' } });
    const [job] = Object.values(jobs);
    expect(job?.Properties.Timeout).toBe(900);
    const name = job?.Properties.FunctionName as string;
    expect(name).toMatch(/^Listing-.+-jobs$/);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables[ENV.jobFunctionName]).toBe(name);
    }
    for (const sid of ['StartJob', 'ContinueJob']) {
      const [s, ...more] = statement(sid);
      expect(more).toHaveLength(0);
      expect(s?.Action).toBe('lambda:InvokeFunction');
      expect(JSON.stringify(s?.Resource)).toContain(`:function:${name}"`);
    }
    const [table] = statement('JobTable');
    expect(JSON.stringify(table?.Resource)).toContain(`/index/${TABLE.listIndex.name}`);
    expect(JSON.stringify(table?.Resource)).toContain(`/index/${TABLE.groupIndex.name}`);
  });

  it('starts the reindex once per list index, through the job function, after the functions are updated', () => {
    const [id, reindex] = Object.entries(template.findResources('Custom::SundialReindex'))[0] ?? [];
    expect(id).toBeDefined();
    expect(reindex?.Properties.Index).toBe(TABLE.listIndex.name);
    const [jobId] = Object.keys(
      template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'jobs.handler' } }),
    );
    expect(reindex?.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [jobId, 'Arn'] });
    const tickAndApi = Object.keys(template.findResources('AWS::Lambda::Function')).filter(
      (k) => k !== jobId,
    );
    for (const fn of tickAndApi) expect(reindex?.DependsOn).toContain(fn);
  });
});
