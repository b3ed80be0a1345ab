import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequestSerializer } from './request.js';
import { parseResponse } from './response.js';
import { cwdRef, DEFAULT_CONFIG_REF, describeEarlyExit, describeSpawnError } from './start-check.js';
import { lastLines } from './stderr-tail.js';
import { Worker, type Job, type WorkerEvents, type WorkerOptions } from './stdio-worker.js';
import type { RunnerOptions, TargetOutcome, TargetRequest, TargetRunner } from './types.js';

/** `maxOutputBytes` bounds the JSON response line, not the decoded output. */
export interface StdioPoolOptions extends RunnerOptions {
  /** How long start() watches fresh workers for an immediate exit (default 200 ms). */
  startupGraceMs?: number;
  /** Crashes before any answer, in a row, after which the remaining cases are not run (default 3). */
  maxStartupCrashes?: number;
  /**
   * Extra time a fresh worker's first request gets for the worker's own start-up (an interpreter
   * loading, `go run` compiling), so a slow start after a restart is not charged to the next case
   * as a timeout — which would restart the worker again and cascade. Default: `timeoutMs`.
   */
  startupTimeoutMs?: number;
  /** How long close() lets workers exit after their stdin closes before SIGKILL (default 500 ms). */
  closeGraceMs?: number;
}

/**
 * The `stdio` protocol: long-lived workers, one JSON request line in, one JSON response line
 * out, one request in flight per worker, a FIFO queue feeding whichever worker is free.
 *
 * Every fault is a value for the case in flight and never stops the run:
 * - timeout: the worker's process group is SIGKILLed (children too) and a fresh worker replaces it;
 *   a fresh worker's first request also gets `startupTimeoutMs` for the worker's own start-up;
 * - the worker dies: `crash` with its exit status and stderr tail; a fresh worker takes the next case;
 * - a response that is not JSON, answers another id, or outgrows `maxOutputBytes`: `error`, and the
 *   worker is restarted because its stdout is no longer in step with our requests. This includes a
 *   stray line printed between responses (a debug print on stdout): whichever case is in flight when
 *   it arrives gets the error. Adapters must log on stderr;
 * - a response without a string `output`, or with a malformed `error`: `error`; the worker stays.
 * Workers that die before ever answering, `maxStartupCrashes` times in a row while no worker has
 * ever answered, mean the command is broken: the rest of the cases get `crash` at once, with the
 * same stderr tail, instead of one slow restart each.
 */
export function createStdioPool(opts: StdioPoolOptions): TargetRunner {
  return new StdioPool(opts);
}

type StartResult = { ok: true } | { ok: false; message: string };

class StdioPool implements TargetRunner, WorkerEvents {
  private readonly serialize = createRequestSerializer();
  private readonly configRef: string;
  /** FIFO of jobs waiting for a worker; `head` avoids O(n) shifts on a 10,000-case queue. */
  private queue: Job[] = [];
  private head = 0;
  private idle: Worker[] = [];
  /** Workers counted against `workers` (not retired). */
  private active = 0;
  /** Every worker whose process has not been fully closed yet, retired or not. */
  private readonly all = new Set<Worker>();
  private everAnswered = false;
  private startupCrashes = 0;
  private broken: { message: string; stderrTail: string; exitCode: number | null; signal: string | null } | null = null;
  private startFailure: string | null = null;
  private starting: ((message: string) => void) | null = null;
  private startPromise: Promise<StartResult> | null = null;
  private closing = false;

  private readonly size: number;

  private readonly workerOpts: WorkerOptions;

  constructor(private readonly opts: StdioPoolOptions) {
    this.configRef = opts.configRef ?? DEFAULT_CONFIG_REF;
    this.size = Math.max(1, Math.floor(opts.workers));
    this.workerOpts = {
      command: opts.command,
      cwd: opts.cwd,
      env: opts.env,
      timeoutMs: opts.timeoutMs,
      startupTimeoutMs: opts.startupTimeoutMs ?? opts.timeoutMs,
      maxOutputBytes: opts.maxOutputBytes,
    };
  }

  start(): Promise<StartResult> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<StartResult> {
    const { command, cwd } = this.opts;
    if (command.length === 0 || command[0] === '') {
      return this.failStart(`target command is empty (${this.configRef}): set it to the program that runs your port`);
    }
    if (!fs.existsSync(cwd)) {
      return this.failStart(`target working directory "${cwd}" does not exist (${cwdRef(this.configRef)}): create it or fix the path`);
    }
    const failed = new Promise<string>((resolve) => (this.starting = resolve));
    // run() may already have spawned some workers on demand.
    while (this.active < this.size) this.idle.push(this.spawnWorker());
    // Watch the fresh workers for a while: a missing interpreter module or a syntax error kills
    // them within milliseconds, and that is one clear message rather than a crash per case.
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<null>((resolve) => {
      graceTimer = setTimeout(resolve, this.opts.startupGraceMs ?? 200, null);
    });
    const message = await Promise.race([failed, grace]);
    clearTimeout(graceTimer);
    this.starting = null;
    if (message !== null) return this.failStart(message);
    this.pump();
    return { ok: true };
  }

  private async failStart(message: string): Promise<StartResult> {
    this.startFailure = message;
    this.starting = null;
    for (const w of this.all) {
      const job = w.take();
      w.kill();
      if (job) job.resolve({ status: 'error', durationMs: performance.now() - job.startedAt, message });
    }
    this.idle = [];
    this.active = 0;
    await Promise.all([...this.all].map((w) => w.closed));
    this.flushQueue();
    return { ok: false, message };
  }

  run(request: TargetRequest): Promise<TargetOutcome> {
    return new Promise((resolve) => {
      const job: Job = { id: request.id, request, resolve, startedAt: 0 };
      if (this.closing || this.startFailure !== null || this.broken !== null) {
        this.reject(job);
        return;
      }
      const w = this.idle.pop();
      if (w !== undefined) {
        w.send(job);
        return;
      }
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.flushQueue();
    for (const w of this.all) {
      const job = w.take();
      if (job) job.resolve({ status: 'error', durationMs: performance.now() - job.startedAt, message: 'the run was closed while this case was running' });
      w.retired = true;
      w.stopTimer();
      w.child.stdin.end();
    }
    this.idle = [];
    this.active = 0;
    const pending = [...this.all];
    if (pending.length === 0) return;
    // A polite end first (stdin EOF lets a worker flush and exit), then SIGKILL to the group.
    const grace = setTimeout(() => {
      for (const w of pending) w.kill();
    }, this.opts.closeGraceMs ?? 500);
    await Promise.all(pending.map((w) => w.closed));
    clearTimeout(grace);
  }

  // --- events from workers -------------------------------------------------------------------

  onLine(w: Worker, line: string): boolean {
    if (w.retired) return false;
    w.answered = true;
    this.everAnswered = true;
    this.startupCrashes = 0;
    const job = w.take();
    if (job === null) {
      // Output while nothing was asked: the worker prints more than one line per request.
      this.retire(w);
      return false;
    }
    const durationMs = performance.now() - job.startedAt;
    const res = parseResponse(line, job.id);
    if (!res.ok && res.desync) {
      this.retire(w);
      job.resolve({ status: 'error', durationMs, message: res.message + ' (worker restarted)' });
      return false;
    }
    this.release(w);
    if (res.ok) {
      job.resolve(
        res.error === undefined
          ? { status: 'output', output: res.output, durationMs }
          : { status: 'output', output: res.output, error: res.error, durationMs },
      );
    } else {
      job.resolve({ status: 'error', durationMs, message: res.message });
    }
    return true;
  }

  onOverflow(w: Worker, bytes: number): boolean {
    if (w.retired) return false;
    const job = w.take();
    this.retire(w);
    job?.resolve({
      status: 'error',
      durationMs: performance.now() - job.startedAt,
      message: `protocol error: the response line exceeds the output limit of ${this.opts.maxOutputBytes} bytes (target.max_output; ${bytes}+ bytes read); the rest was discarded and the worker restarted`,
    });
    return false;
  }

  onTimeout(w: Worker): void {
    if (w.retired) return;
    const job = w.take();
    this.retire(w);
    if (job) job.resolve({ status: 'timeout', durationMs: performance.now() - job.startedAt, stderrTail: w.tail.text() });
  }

  onSpawnError(w: Worker, err: NodeJS.ErrnoException): void {
    if (w.retired) return;
    const message = describeSpawnError(err, this.opts.command, this.opts.cwd, this.configRef);
    if (this.starting) return this.starting(message);
    const job = w.take();
    this.dropWorker(w);
    job?.resolve({ status: 'error', durationMs: performance.now() - job.startedAt, message });
    this.countStartupCrash(w, message);
    this.pump();
  }

  onClosed(w: Worker): void {
    this.all.delete(w);
    if (w.retired) return;
    if (this.starting && !w.answered) {
      return this.starting(describeEarlyExit(this.opts.command, w.exitCode, w.exitSignal, w.tail.text(), this.configRef));
    }
    const job = w.take();
    this.dropWorker(w);
    job?.resolve({
      status: 'crash',
      durationMs: performance.now() - job.startedAt,
      exitCode: w.exitCode,
      signal: w.exitSignal,
      stderrTail: w.tail.text(),
    });
    if (!w.answered) {
      const how = w.exitSignal !== null ? `killed by ${w.exitSignal}` : `exited with code ${w.exitCode}`;
      const tail = lastLines(w.tail.text(), 1, 200);
      this.countStartupCrash(w, tail ? `${how}; stderr: ${tail}` : how);
    }
    this.pump();
  }

  // --- bookkeeping ---------------------------------------------------------------------------

  private spawnWorker(): Worker {
    const w = new Worker(this.workerOpts, this, this.serialize);
    this.all.add(w);
    this.active++;
    return w;
  }

  /** The worker is free: give it the next job, or park it. */
  private release(w: Worker): void {
    if (this.head < this.queue.length) {
      w.send(this.nextJob());
    } else {
      this.idle.push(w);
    }
  }

  /** Kill a worker the pool gives up on and let a fresh one take the queue. */
  private retire(w: Worker): void {
    w.kill();
    this.dropWorker(w);
    this.pump();
  }

  private dropWorker(w: Worker): void {
    w.retired = true;
    w.stopTimer();
    this.active--;
    const i = this.idle.indexOf(w);
    if (i !== -1) this.idle.splice(i, 1);
  }

  private pump(): void {
    if (this.closing || this.startFailure !== null) return;
    if (this.broken) return this.flushQueue();
    while (this.head < this.queue.length) {
      let w = this.idle.pop();
      if (w === undefined) {
        if (this.active >= this.size) return;
        w = this.spawnWorker();
      }
      w.send(this.nextJob());
    }
  }

  private nextJob(): Job {
    const job = this.queue[this.head++] as Job;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return job;
  }

  private countStartupCrash(w: Worker, why: string): void {
    this.startupCrashes++;
    const max = this.opts.maxStartupCrashes ?? 3;
    if (this.everAnswered || this.startupCrashes < max || this.broken) return;
    this.broken = {
      message: `not run: the target died ${this.startupCrashes} times in a row before answering any request (last one ${why})`,
      stderrTail: w.tail.text(),
      exitCode: w.exitCode,
      signal: w.exitSignal,
    };
    this.flushQueue();
  }

  private flushQueue(): void {
    const jobs = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    for (const job of jobs) this.reject(job);
  }

  private reject(job: Job): void {
    if (this.broken) {
      const b = this.broken;
      job.resolve({ status: 'crash', durationMs: 0, exitCode: b.exitCode, signal: b.signal, stderrTail: b.stderrTail, message: b.message });
    } else if (this.startFailure !== null) {
      job.resolve({ status: 'error', durationMs: 0, message: this.startFailure });
    } else {
      job.resolve({ status: 'error', durationMs: 0, message: 'the run was closed before this case ran' });
    }
  }
}
