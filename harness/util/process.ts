import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';

/**
 * The one way Porter runs a child process: the target's workers, the agent's bash tool, a
 * command agent, git. Each runs in its own process group (`detached`), so that a timeout,
 * an abort or Porter's own end reaches the process *and everything it started* (a `sleep`,
 * a compiler, a shell pipeline) with one signal to the group.
 *
 * Detached groups do not get the terminal's Ctrl-C and would outlive Porter, so every group
 * still alive is remembered here, and `killAllGroups()` ends them. This module installs no
 * signal or exit handler: the CLI owns the process and calls `killAllGroups()` when Porter
 * is interrupted or exits.
 */

const live = new Set<number>();

/** Signals the whole group led by `pid`; a group that is already gone is not an error. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
  }
}

/** SIGKILLs every group Porter started that has not been forgotten yet. */
export function killAllGroups(): void {
  for (const pid of live) killGroup(pid);
  live.clear();
}

/** Forgets a group once it has been killed and reaped, so `killAllGroups` does not signal a reused pid. */
export function forgetGroup(pid: number | undefined): void {
  if (pid !== undefined) live.delete(pid);
}

function spawnGroup(argv: readonly string[], options: SpawnOptions): ChildProcess {
  const [file, ...args] = argv;
  const child = spawn(file ?? '', args, { ...options, detached: true, windowsHide: true });
  if (child.pid !== undefined) live.add(child.pid);
  return child;
}

/**
 * A long-lived process with raw pipes, for the target runners, which need nothing else in
 * the 10,000-cases-per-second path. The caller kills it with `killGroup` and calls
 * `forgetGroup` once it is gone.
 */
export function spawnInGroup(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv | undefined): ChildProcessWithoutNullStreams {
  return spawnGroup(command, { cwd, env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
}

export interface RunProcessOptions {
  cwd: string;
  /** The whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
  /** After this, the group gets SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL to the group on a timeout or an abort. Default 1.5 s. */
  killGraceMs?: number;
  /** Aborting it stops the process as a timeout does. Already aborted: the process is not started. */
  signal?: AbortSignal;
  /**
   * Both streams go to this file, interleaved as written, instead of being read into memory;
   * `stdout` then describes the file and `stderr` is empty. Memory stays bounded whatever
   * the process prints.
   */
  outputFile?: string;
  /** Bytes kept from the start of each stream (default 1 MiB); beyond head and tail, bytes are only counted. */
  keepHead?: number;
  /** Bytes kept from the end of each stream (default 1 MiB). */
  keepTail?: number;
  /** Also give each stream's bytes as they came, when none were cut: for output parsed by byte counts (`git cat-file --batch`). */
  binary?: boolean;
}

export interface CapturedOutput {
  /** All of it, or the head and the tail around an `[... N bytes omitted ...]` line. */
  text: string;
  /** Bytes the stream carried in all. */
  bytes: number;
  /** True when `text` leaves bytes out. */
  cut: boolean;
  /** The stream's bytes, with `binary` and when nothing was cut. */
  raw?: Buffer;
}

export interface ProcessResult {
  /** Null when it was killed by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Why it could not start (ENOENT, EACCES, a missing cwd, ...). */
  startError?: NodeJS.ErrnoException;
  stdout: CapturedOutput;
  stderr: CapturedOutput;
}

const DEFAULT_KEEP = 1024 * 1024;
const DEFAULT_GRACE_MS = 1500;
/** How long to wait for pipes to drain after the group is gone, when something outside it holds them. */
const DRAIN_FALLBACK_MS = 500;

const EMPTY: CapturedOutput = { text: '', bytes: 0, cut: false };

/** The head and tail of an output with the middle left out, as the agent and the logs show it. */
export function cutText(head: string, omitted: number, tail: string): string {
  return `${head}\n[... ${omitted} bytes omitted ...]\n${tail}`;
}

/** Keeps the first `keepHead` and the last `keepTail` bytes of a stream and counts the rest. */
class Capture {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private readonly tail: Buffer[] = [];
  private tailLength = 0;
  private bytes = 0;

  constructor(
    private readonly keepHead: number,
    private readonly keepTail: number,
    private readonly binary = false,
  ) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let rest = chunk;
    if (this.headLength < this.keepHead) {
      const take = rest.subarray(0, this.keepHead - this.headLength);
      this.head.push(take);
      this.headLength += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0 || this.keepTail === 0) return;
    this.tail.push(rest);
    this.tailLength += rest.length;
    while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= this.keepTail) this.tailLength -= this.tail.shift()!.length;
  }

  result(): CapturedOutput {
    const head = Buffer.concat(this.head, this.headLength).toString('utf8');
    const tail = Buffer.concat(this.tail, this.tailLength);
    // The tail only holds bytes after the head, so when nothing was dropped the two are contiguous.
    const omitted = this.bytes - this.headLength - Math.min(this.tailLength, this.keepTail);
    if (omitted === 0) {
      const whole: CapturedOutput = { text: head + tail.toString('utf8'), bytes: this.bytes, cut: false };
      if (this.binary) whole.raw = Buffer.concat([...this.head, tail]);
      return whole;
    }
    return { text: cutText(head, omitted, tail.subarray(tail.length - Math.min(tail.length, this.keepTail)).toString('utf8')), bytes: this.bytes, cut: true };
  }
}

function readRange(fd: number, start: number, length: number): string {
  const buf = Buffer.alloc(length);
  const n = fs.readSync(fd, buf, 0, length, start);
  return buf.subarray(0, n).toString('utf8');
}

/** Head and tail of a finished output file, read without loading a large file whole. */
function fileOutput(fd: number, keepHead: number, keepTail: number): CapturedOutput {
  const bytes = fs.fstatSync(fd).size;
  if (bytes <= keepHead + keepTail) return { text: readRange(fd, 0, bytes), bytes, cut: false };
  return { text: cutText(readRange(fd, 0, keepHead), bytes - keepHead - keepTail, readRange(fd, bytes - keepTail, keepTail)), bytes, cut: true };
}

/**
 * Runs `argv` to its end in its own process group and says how it ended. Never throws for a
 * process that fails: a command that cannot start, exits non-zero, times out or is aborted
 * is a result. Whatever the process leaves running in its group goes with it when it exits.
 */
export function runProcess(argv: readonly string[], opts: RunProcessOptions): Promise<ProcessResult> {
  const keepHead = opts.keepHead ?? DEFAULT_KEEP;
  const keepTail = opts.keepTail ?? DEFAULT_KEEP;
  const fd = opts.outputFile === undefined ? undefined : fs.openSync(opts.outputFile, 'w+');
  const result: ProcessResult = { exitCode: null, signal: null, timedOut: false, aborted: false, stdout: EMPTY, stderr: EMPTY };
  const output = (out?: Capture, err?: Capture): void => {
    if (fd !== undefined) {
      result.stdout = fileOutput(fd, keepHead, keepTail);
      fs.closeSync(fd);
    } else {
      result.stdout = out?.result() ?? EMPTY;
      result.stderr = err?.result() ?? EMPTY;
    }
  };
  if (opts.signal?.aborted) {
    result.aborted = true;
    output();
    return Promise.resolve(result);
  }

  return new Promise((resolve) => {
    const input = opts.input === undefined ? 'ignore' : 'pipe';
    let child: ChildProcess;
    try {
      child = spawnGroup(argv, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: fd === undefined ? [input, 'pipe', 'pipe'] : [input, fd, fd],
      });
    } catch (e) {
      // An argument spawn rejects outright (an empty command, a NUL byte) is a start failure too.
      result.startError = e as NodeJS.ErrnoException;
      output();
      resolve(result);
      return;
    }
    const out = new Capture(keepHead, keepTail, opts.binary);
    const err = new Capture(keepHead, keepTail);
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));

    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'abort'): void => {
      if (result.timedOut || result.aborted) return;
      if (why === 'timeout') result.timedOut = true;
      else result.aborted = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), opts.killGraceMs ?? DEFAULT_GRACE_MS);
    };
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), opts.timeoutMs);
    const onAbort = (): void => stop('abort');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      forgetGroup(child.pid);
      child.stdout?.destroy();
      child.stderr?.destroy();
      output(out, err);
      resolve(result);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // After a start, 'error' is a failed kill or write; 'exit' still follows.
      if (child.pid !== undefined) return;
      result.startError = e;
      finish();
    });
    child.on('exit', (code, signal) => {
      result.exitCode = code;
      result.signal = signal;
      // Background jobs the process left behind do not outlive it; this also closes pipes they hold.
      killGroup(child.pid);
      drainTimer = setTimeout(finish, DRAIN_FALLBACK_MS);
    });
    // 'close' comes once the pipes are drained: the last output is in.
    child.on('close', finish);
    if (child.stdin) {
      // A process that does not read its input closes stdin early; that is not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
