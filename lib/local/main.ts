import { parseArgs } from 'node:util';
import { readOperationsConfig } from '../config';
import { consoleLog } from '../observability/console-log';
import { LocalFigures, localTickReporter } from '../observability/local-figures';
import { startLocalCloud } from './cloud';
import { LOCAL_CONFIG_FILE, parseFunctionSpec, readLocalConfig } from './functions';

const USAGE = `Usage: npm start -- [options]

Runs Sundial locally: DynamoDB Local, a Lambda endpoint, the HTTP API and a clock that ticks.

  --port N              HTTP API port on 127.0.0.1 (default 3000)
  --lambda-port N       Lambda endpoint port on 127.0.0.1 (default 3001)
  --data-dir DIR        where DynamoDB Local keeps its data (default .sundial/)
  --tick-seconds N      seconds between ticks (default 60)
  --function NAME=PATH[#export]
                        register a local target function (repeatable); also read from ${LOCAL_CONFIG_FILE}
  -h, --help            this text`;

function fail(message: string): never {
  console.error(`sundial: ${message}`);
  process.exit(2);
}

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number ≥ ${min}, got '${value}'`);
  return n;
}

// Local mode runs on Node 20 by design; the SDK's notice about its 2027 releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main() {
  let values: ReturnType<typeof parse>['values'];
  function parse() {
    return parseArgs({
      options: {
        port: { type: 'string' },
        'lambda-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'tick-seconds': { type: 'string' },
        function: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const root = process.cwd();
  const file = readLocalConfig(root);
  const byName = new Map(file.functions.map((f) => [f.name, f]));
  for (const spec of values.function ?? []) {
    try {
      const fn = parseFunctionSpec(spec, root);
      byName.set(fn.name, fn);
    } catch (error) {
      fail((error as Error).message);
    }
  }
  const port = positiveInt('port', values.port, 3000);
  // Timestamped lines, at the level of POWERTOOLS_LOG_LEVEL as in the Lambdas; a figures line per tick.
  const log = consoleLog(readOperationsConfig(process.env).logLevel);
  // One sum of figures: the fire worker's reports (figures.fire) go into the next tick's line.
  const figures = new LocalFigures();
  const cloud = await startLocalCloud({
    port,
    lambdaPort: positiveInt('lambda-port', values['lambda-port'], 3001),
    dataDir: values['data-dir'] ?? '.sundial',
    tickSeconds: positiveInt('tick-seconds', values['tick-seconds'], 60),
    functions: [...byName.values()],
    targetPrefixes: file.targetPrefixes,
    log,
    onTickReport: localTickReporter(log, figures),
  });
  const at = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`Sundial is running locally.
  Console           ${cloud.consoleUrl}
  HTTP API          ${cloud.apiUrl}
  Lambda endpoint   ${cloud.lambdaUrl}   functions: ${cloud.lambda.names().join(', ')}
  DynamoDB Local    ${cloud.dynamodbEndpoint}   table ${cloud.config.tableName}, data in ${values['data-dir'] ?? '.sundial'}/
  Clock             ticks every ${values['tick-seconds'] ?? 60} s

Try:
  curl -s -X POST ${cloud.apiUrl}/v1/tasks -H 'content-type: application/json' \\
    -d '{"id":"hello","target":{"function":"sundial-example-echo"},"schedule":{"at":"${at}"},"payload":{"hi":1}}'

Ctrl-C stops everything.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nsundial: stopping…');
    await cloud.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  console.error(`sundial: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
