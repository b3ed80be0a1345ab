import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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

const KILL_GRACE_MS = 1500;

/** Signals a whole process group; a group that is already gone is not an error. */
function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: every member has exited.
  }
}

function readRange(file: string, start: number, length: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, start);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

export function outputFileName(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `${prefix}-${stamp}-${crypto.randomBytes(3).toString('hex')}.log`;
}

export async function runBash(command: string, opts: BashOptions): Promise<BashRun> {
  const head = opts.headBytes ?? 10_000;
  const tail = opts.tailBytes ?? 20_000;
  fs.mkdirSync(opts.outputsDir, { recursive: true });
  const file = path.join(opts.outputsDir, outputFileName('bash'));
  const fd = fs.openSync(file, 'w');
  let timedOut = false;
  let aborted = false;
  const result = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      if (why === 'timeout') timedOut = true;
      else aborted = true;
      if (child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    const onAbort = () => stop('abort');
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      fs.writeSync(fd, `porter: could not start bash: ${e.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      // Background jobs the command left behind do not outlive the call.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      resolve({ code, signal });
    });
  });
  fs.closeSync(fd);
  const totalBytes = fs.statSync(file).size;
  let output: string;
  let fullOutputFile: string | null = null;
  if (totalBytes <= head + tail) {
    output = readRange(file, 0, totalBytes);
    fs.rmSync(file, { force: true });
  } else {
    fullOutputFile = file;
    const omitted = totalBytes - head - tail;
    output = `${readRange(file, 0, head)}\n[... ${omitted} bytes omitted ...]\n${readRange(file, totalBytes - tail, tail)}`;
  }
  return { exitCode: result.code, signal: result.signal, timedOut, aborted, output, fullOutputFile, totalBytes };
}
