#!/usr/bin/env node
// The installed package runs the compiled CLI (dist/cli.js). In this repository, where the TypeScript
// sources are, tsx compiles them on the fly instead, as it does for `npm start`: no build step.
import { existsSync } from 'node:fs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sources = new URL('../lib/cli/main.ts', import.meta.url);
let cli;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(sources.href);
} else {
  cli = await import('../dist/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
