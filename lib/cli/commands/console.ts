import { type Command, InvalidArgumentError } from 'commander';
import {
  ConsoleStartError,
  DEFAULT_CONSOLE_PORT,
  type StartedConsole,
  startConsole,
} from '../../console/start';
import { type Cli, CommandError, examples, session } from '../context';
import { parseInteger } from '../task-options';

function parsePort(text: string): number {
  const port = parseInteger(text);
  if (port < 0 || port > 65535) throw new InvalidArgumentError('expected a port, 0-65535 (0: any free port)');
  return port;
}

/** Resolves on Ctrl-C or SIGTERM: the console runs until then. */
const stopSignal = () =>
  new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

function startedText(started: StartedConsole): string {
  const how = started.signed
    ? `signed with SigV4 (execute-api, ${started.region}) from the default credential chain`
    : 'unsigned (a local endpoint, and no AWS credentials found)';
  return `Sundial console for ${started.endpoint}
  ${started.url}
API calls are forwarded ${how}; the browser holds no credential.
Ctrl-C stops it.`;
}

/** `sundial console`: the web console on 127.0.0.1 for the API at --endpoint, signing what it forwards. */
export function registerConsole(program: Command, cli: Cli): void {
  program
    .command('console')
    .description(
      'serve the web console on 127.0.0.1 for the API at --endpoint, its API calls signed with SigV4 from the default credential chain; Ctrl-C stops it',
    )
    .option(
      '--port <n>',
      `port on 127.0.0.1 (default ${DEFAULT_CONSOLE_PORT}; 0 picks a free one)`,
      parsePort,
    )
    .addHelpText(
      'after',
      examples(
        'sundial console --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com',
        'AWS_PROFILE=prod sundial console --endpoint https://abc123.execute-api.eu-west-1.amazonaws.com --port 8080',
        'sundial console --endpoint http://127.0.0.1:3000 --output json',
      ),
    )
    .action(async (flags: { port?: number }, command: Command) => {
      const s = session(cli, command);
      const { region } = command.optsWithGlobals<{ region?: string }>();
      const started = await startConsole({
        endpoint: s.client.endpoint,
        region,
        port: flags.port,
        env: cli.env,
      }).catch((error: unknown) => {
        if (error instanceof ConsoleStartError)
          throw new CommandError(error.reason, error.message, { cause: error });
        throw error;
      });
      const { close, ...shown } = started;
      s.print(shown, () => startedText(started));
      await stopSignal();
      await close();
    });
}
