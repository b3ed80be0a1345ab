import { performance } from 'node:perf_hooks';
import { forgetGroup, killGroup, spawnInGroup } from '../util/process.js';
import { createRequestSerializer } from './request.js';
import { DEFAULT_CONFIG_REF, checkCommand, describeSpawnError } from './start-check.js';
import { StderrTail } from './stderr-tail.js';
import type { RunnerOptions, TargetOutcome, TargetRequest, TargetRunner } from './types.js';

export type ExecRunnerOptions = RunnerOptions;

/** How long to wait for pipes to drain after the process exited, when something outside its group holds them. */
const DRAIN_FALLBACK_MS = 500;

/**
 * The `exec` protocol: one process per case, the request JSON (one line) on stdin, stdin closed.
 * Exit 0: stdout, as raw text, is the output. It is deliberately not parsed as a JSON response:
 * a target whose real output is JSON (a template rendering an object) would be misread, and exec
 * exists for the simplest adapters. Structured errors need the stdio protocol.
 * Non-zero exit or a signal: `crash` with the stderr tail. Timeout: the process group is
 * SIGKILLed, `timeout`. Stdout beyond `maxOutputBytes`: the group is killed, `error`.
 */
export function createExecRunner(opts: ExecRunnerOptions): TargetRunner {
  const serialize = createRequestSerializer();
  const configRef = opts.configRef ?? DEFAULT_CONFIG_REF;
  const limit = Math.max(1, Math.floor(opts.workers));
  const waiting: Array<() => void> = [];
  const running = new Set<Promise<TargetOutcome>>();
  let slots = limit;
  let closed = false;

  const acquire = (): Promise<void> | undefined => {
    if (slots > 0) {
      slots--;
      return undefined;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const releaseSlot = (): void => {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  };

  return {
    async start() {
      return checkCommand(opts.command, opts.cwd, opts.env, configRef);
    },

    async run(request: TargetRequest): Promise<TargetOutcome> {
      const line = serialize(request);
      const wait = acquire();
      if (wait) await wait;
      if (closed) {
        releaseSlot();
        return { status: 'error', durationMs: 0, message: 'the run was closed before this case ran' };
      }
      const p = runOne(line, opts, configRef);
      running.add(p);
      try {
        return await p;
      } finally {
        running.delete(p);
        releaseSlot();
      }
    },

    async close() {
      closed = true;
      // Queued cases are let through one by one and see `closed`; running ones finish or time out.
      await Promise.all([...running]);
    },
  };
}

function runOne(line: string, opts: ExecRunnerOptions, configRef: string): Promise<TargetOutcome> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const child = spawnInGroup(opts.command, opts.cwd, opts.env);
    const tail = new StderrTail();
    const out: Buffer[] = [];
    let outBytes = 0;
    let settled: TargetOutcome | null = null;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;

    // The first fault decides the outcome; 'close' only reports it once the pipes are done.
    const decide = (outcome: TargetOutcome): void => {
      if (settled) return;
      settled = outcome;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => {
      decide({ status: 'timeout', durationMs: performance.now() - startedAt, stderrTail: tail.text() });
    }, opts.timeoutMs);

    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      forgetGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      const durationMs = performance.now() - startedAt;
      if (settled) return resolve(settled);
      if (exitCode === 0 && exitSignal === null) {
        return resolve({ status: 'output', output: Buffer.concat(out, outBytes).toString('utf8'), durationMs });
      }
      resolve({ status: 'crash', durationMs, exitCode, signal: exitSignal, stderrTail: tail.text() });
    };

    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      outBytes += chunk.length;
      if (outBytes > opts.maxOutputBytes) {
        out.length = 0;
        decide({
          status: 'error',
          durationMs: performance.now() - startedAt,
          message: `the target's output exceeds the output limit of ${opts.maxOutputBytes} bytes (target.max_output; ${outBytes}+ bytes read); the process was killed`,
        });
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
    // EPIPE: a target that does not read its request still gets judged by its exit and output.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      decide({ status: 'error', durationMs: performance.now() - startedAt, message: describeSpawnError(err, opts.command, opts.cwd, configRef) });
      finish();
    });
    child.on('exit', (code, signal) => {
      exitCode = code;
      exitSignal = signal;
      killGroup(child.pid);
      setTimeout(finish, DRAIN_FALLBACK_MS).unref();
    });
    child.on('close', finish);
    child.stdin.end(line);
  });
}
