import { main } from '../../harness/cli/main.js';
import type { CliIO } from '../../harness/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output; `CI` is set so progress is plain. */
export async function runCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    env: { CI: 'true', PATH: process.env.PATH, ...env },
    cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
