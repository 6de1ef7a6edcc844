import { main } from '../../lib/cli/main';
import type { Io } from '../../lib/cli/output';

/** Runs the CLI in-process with buffered streams and an empty environment; for commands that end by themselves. */
export async function runCli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  const code = await main(argv, io, {});
  return { code, stdout: out.join(''), stderr: err.join('') };
}
