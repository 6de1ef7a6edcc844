import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SundialStack } from './sundial-stack';

// `-c sundial:shards=16` arrives as a string; anything else is passed on for the construct to reject by name.
const numeric = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

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
    shards: numeric(shards) as number | undefined,
  },
});
// cdk-nag's AWS Solutions rules run on every synth; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
