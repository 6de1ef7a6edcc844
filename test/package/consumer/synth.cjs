// The same app from CommonJS (the `require` entry of sundial-scheduler/cdk).
const { App, Stack } = require('aws-cdk-lib');
const { Sundial } = require('sundial-scheduler/cdk');

const app = new App({ outdir: process.argv[2] });
new Sundial(new Stack(app, 'Consumer'), 'Sundial', { targetPrefixes: ['billing-'] });
console.log(JSON.stringify({ template: app.synth().getStackByName('Consumer').template }));
