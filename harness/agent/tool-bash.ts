import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../util/process.js';

/**
 * Runs one shell command for the agent: `bash -c` in the workspace, in its own process
 * group so that a timeout kills the command and everything it started. Output goes
 * straight to a file (stdout and stderr interleaved as they happen, memory bounded
 * whatever the command prints); the model sees the head and the tail, and the path of
 * the full file when it was cut.
 */

export interface BashOptions {
  cwd: string;
  /** Folder for full outputs, e.g. `<workspace>/.porter/outputs`. */
  outputsDir: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  headBytes?: number;
  tailBytes?: number;
}

export interface BashRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** Head and tail of the output, or all of it when short. */
  output: string;
  /** The file with the full output when `output` was cut; otherwise null (the file is removed). */
  fullOutputFile: string | null;
  totalBytes: number;
}

export function outputFileName(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${prefix}-${stamp}-${crypto.randomBytes(3).toString('hex')}.log`;
}

export async function runBash(command: string, opts: BashOptions): Promise<BashRun> {
  fs.mkdirSync(opts.outputsDir, { recursive: true });
  const file = path.join(opts.outputsDir, outputFileName('bash'));
  const r = await runProcess(['bash', '-c', command], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    timeoutMs: opts.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
    outputFile: file,
    keepHead: opts.headBytes ?? 10_000,
    keepTail: opts.tailBytes ?? 20_000,
  });
  const out = r.stdout;
  if (!out.cut) fs.rmSync(file, { force: true });
  const output = r.startError ? `porter: could not start bash: ${r.startError.message}\n` : out.text;
  return { exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, aborted: r.aborted, output, fullOutputFile: out.cut ? file : null, totalBytes: out.bytes };
}
