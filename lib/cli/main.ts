import { Command, Option } from 'commander';
import { version } from '../../package.json';
import { ENDPOINT_ENV } from '../client/sundial-client';
import { COMMAND_GROUPS } from './commands';
import { type Cli, DEFAULT_ENDPOINT, examples } from './context';
import { type Io, processIo } from './output';
import { reportError, wantsJson } from './report';

/** The `sundial` program: global options, then one command group per file in commands/. */
export function createProgram(cli: Cli, json: boolean): Command {
  const program = new Command('sundial')
    .description('Manage Sundial tasks from the command line (exit codes: 0 ok, 1 the call failed, 2 usage).')
    .version(version, '-V, --version', 'print the version')
    .option(
      '--endpoint <url>',
      `API base URL (default $${ENDPOINT_ENV}, else ${DEFAULT_ENDPOINT}); AWS URLs are signed with SigV4`,
    )
    .option('--region <region>', 'signing region, when the URL does not tell it')
    .addOption(new Option('--output <format>', 'output format').choices(['table', 'json']).default('table'))
    .exitOverride()
    .configureOutput({
      writeOut: (text) => cli.io.out(text),
      writeErr: (text) => cli.io.err(text),
      // Under --output json the error is printed as JSON by reportError instead.
      outputError: (text, write) => (json ? undefined : write(text)),
    })
    .showHelpAfterError(json ? false : '(add --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      examples(
        'sundial tasks create --id ping --target sundial-example-echo --every 5m',
        'sundial tasks list --group reports --output json',
        'sundial tasks create --help',
      ),
    );
  for (const register of COMMAND_GROUPS) register(program, cli);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: Io = processIo(), env = process.env): Promise<number> {
  const json = wantsJson(argv);
  try {
    await createProgram({ io, env }, json).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io, json);
  }
}
