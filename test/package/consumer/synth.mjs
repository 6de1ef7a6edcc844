// Synthesizes a consumer app that embeds the construct, from the installed package (no esbuild, no sources).
// Usage: node synth.mjs OUTDIR. Prints what the test checks, as JSON.
import { App, Stack } from 'aws-cdk-lib';
import { Sundial } from 'sundial-scheduler/cdk';

const app = new App({ outdir: process.argv[2] });
new Sundial(new Stack(app, 'Consumer'), 'Sundial', { targetPrefixes: ['billing-'], shards: 4 });
let invalid = '';
try {
  new Sundial(new Stack(new App(), 'Invalid'), 'Sundial', { shards: 'abc' });
} catch (error) {
  invalid = error.message;
}
const assembly = app.synth();
console.log(JSON.stringify({ template: assembly.getStackByName('Consumer').template, invalid }));
