/** Everything a command touches of its process, so commands run in-process in tests. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is an interactive terminal (live progress allowed). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failures: 1, usage: 2 } as const;

/** Says what is wrong on stderr, one line, and gives the usage exit code. */
export function usageError(io: CliIO, message: string): number {
  io.stderr(`${message}\n`);
  return EXIT.usage;
}
