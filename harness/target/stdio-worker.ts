import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { LineReader } from './line-reader.js';
import { forgetGroup, killGroup, spawnInGroup } from '../util/process.js';
import { StderrTail } from './stderr-tail.js';
import type { TargetOutcome, TargetRequest } from './types.js';

/** One case waiting for or being run by a worker of the stdio pool. */
export interface Job {
  id: string;
  /** Serialised only when sent: 10,000 queued request lines would live long enough to be promoted out of the young GC generation. */
  request: TargetRequest;
  resolve: (outcome: TargetOutcome) => void;
  startedAt: number;
}

export interface WorkerOptions {
  command: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv | undefined;
  timeoutMs: number;
  startupTimeoutMs: number;
  maxOutputBytes: number;
}

/** What a worker reports to its pool; returning false from a line callback stops reading its stdout. */
export interface WorkerEvents {
  onLine(w: Worker, line: string): boolean;
  onOverflow(w: Worker, bytes: number): boolean;
  onTimeout(w: Worker): void;
  onSpawnError(w: Worker, err: NodeJS.ErrnoException): void;
  /** The process is gone and its pipes are drained (or given up on). */
  onClosed(w: Worker): void;
}

/** How long to wait for a dead worker's pipes to drain when something outside its group holds them. */
const DRAIN_FALLBACK_MS = 500;

/**
 * One long-lived target process of the stdio pool: its pipes, its stderr tail, the request in
 * flight and that request's deadline. Policy (what a fault means, restarts) lives in the pool.
 */
export class Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly tail = new StderrTail();
  readonly reader: LineReader;
  job: Job | null = null;
  /**
   * One timer per worker, re-armed only when it fires early: a setTimeout/clearTimeout pair per
   * request is measurable at 10,000 cases per second. `deadline` belongs to the job in flight.
   */
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private deadline = 0;
  spawned = false;
  answered = false;
  /** Set once the pool is done with this worker (killed, dead or closing); later events are ignored. */
  retired = false;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  readonly closed: Promise<void>;
  private readonly timeoutMs: number;
  private readonly startupTimeoutMs: number;
  private sent = 0;

  constructor(
    opts: WorkerOptions,
    private readonly pool: WorkerEvents,
    private readonly serialize: (req: TargetRequest) => string,
  ) {
    this.timeoutMs = opts.timeoutMs;
    this.startupTimeoutMs = opts.startupTimeoutMs;
    this.child = spawnInGroup(opts.command, opts.cwd, opts.env);
    this.reader = new LineReader(
      opts.maxOutputBytes,
      (line) => pool.onLine(this, line),
      (bytes) => pool.onOverflow(this, bytes),
    );
    const child = this.child;
    child.stdout.on('data', (chunk: Buffer) => this.reader.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.tail.push(chunk));
    // EPIPE when the worker is gone: its exit is handled through 'exit'/'close'.
    child.stdin.on('error', () => {});
    child.on('spawn', () => {
      this.spawned = true;
    });
    let finish: () => void = () => {};
    this.closed = new Promise((resolve) => (finish = resolve));
    let done = false;
    const finalize = (): void => {
      if (done) return;
      done = true;
      this.stopTimer();
      forgetGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      finish();
      pool.onClosed(this);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (this.spawned) return; // a failed kill or write; 'exit' still follows
      pool.onSpawnError(this, err);
      finalize();
    });
    child.on('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      // Reap anything the worker left behind, which also closes pipes it inherited.
      killGroup(child.pid);
      setTimeout(finalize, DRAIN_FALLBACK_MS).unref();
    });
    // 'close' comes after stdout and stderr are drained, so a last response or a panic message
    // written just before exiting is read before the case is charged with a crash.
    child.on('close', finalize);
  }

  send(job: Job): void {
    this.job = job;
    job.startedAt = performance.now();
    const limit = this.sent++ === 0 ? this.timeoutMs + this.startupTimeoutMs : this.timeoutMs;
    this.deadline = job.startedAt + limit;
    // The armed timer may be for a longer first-request limit; never let it fire late.
    if (this.timer === undefined || this.timerAt > this.deadline) this.arm(limit);
    this.child.stdin.write(this.serialize(job.request));
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = performance.now() + ms;
    this.timer = setTimeout(this.check, ms).unref();
  }

  private readonly check = (): void => {
    this.timer = undefined;
    if (this.job === null || this.retired) return;
    const left = this.deadline - performance.now();
    if (left <= 0) this.pool.onTimeout(this);
    else this.arm(left);
  };

  /** Takes the in-flight job off this worker (its timer is left to lapse). */
  take(): Job | null {
    const job = this.job;
    this.job = null;
    return job;
  }

  kill(): void {
    this.retired = true;
    this.stopTimer();
    this.reader.stop();
    killGroup(this.child.pid);
  }

  stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
