import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SundialStack } from './sundial-stack';

const app = new App();
const prefixes = app.node.tryGetContext('sundial:targetPrefixes');
const shards = app.node.tryGetContext('sundial:shards');
new SundialStack(app, 'Sundial', {
  description: 'Sundial: serverless task scheduler',
  sundial: {
    targetPrefixes: Array.isArray(prefixes)
      ? prefixes
      : typeof prefixes === 'string'
        ? prefixes.split(',')
        : undefined,
    shards: shards === undefined ? undefined : Number(shards),
  },
});
// cdk-nag's AWS Solutions rules run on every synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
