/** The adapter protocol between Porter and a target (documented in README "Target protocol"). */

export interface TargetRequest {
  id: string;
  phase: string;
  /** `header_raw`: the JSON header exactly as written in the input file, or null. */
  input: { path: string; header: unknown | null; header_raw: string | null; body: string } | null;
  /** The named groups of the input rule that found the input; `{}` for `input_file` and glob naming. */
  params: Record<string, string>;
  files: Record<string, string>;
  snapshot: { path: string; header: Record<string, unknown> };
}

/** A structured error the target may report; preferred by the error matcher over parsing text. */
export interface TargetError {
  kind?: string;
  message?: string;
  line?: number;
}

/** What running one case produced. Faults are values, never exceptions. */
export type TargetOutcome =
  | { status: 'output'; output: string; error?: TargetError; durationMs: number }
  | { status: 'timeout'; durationMs: number; stderrTail: string }
  | {
      status: 'crash';
      durationMs: number;
      exitCode: number | null;
      signal: string | null;
      stderrTail: string;
      /** Porter's own explanation when it has one, e.g. a case not run because the target keeps dying on startup. */
      message?: string;
    }
  | { status: 'error'; durationMs: number; message: string };

/** A pool that runs requests against the target. */
export interface TargetRunner {
  /** Starts the workers; resolves to a one-line message when the command cannot start at all. */
  start(): Promise<{ ok: true } | { ok: false; message: string }>;
  run(request: TargetRequest): Promise<TargetOutcome>;
  close(): Promise<void>;
}

/** What every runner needs to start the target. */
export interface RunnerOptions {
  command: string[];
  cwd: string;
  /** Target processes (stdio) or cases (exec) at the same time. */
  workers: number;
  timeoutMs: number;
  /** Largest accepted response line (stdio) or stdout (exec), in bytes. */
  maxOutputBytes: number;
  /** The target's whole environment; defaults to Porter's own. */
  env?: NodeJS.ProcessEnv;
  /** Names the setting in messages (default `target.command in porter.config.yaml`). */
  configRef?: string;
}
