/**
 * Any coding agent CLI as the agent (pi, `claude -p`, `codex exec`, ...): run once per
 * iteration in the workspace, with the task on stdin and in a prompt file whose path
 * replaces `{prompt_file}` in the command. A wall-clock timeout kills its whole process
 * group. Its exit code decides nothing (the harness re-runs the suite itself); its output
 * is saved to a file and logged as `command-run`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runProcess } from '../../util/process.js';
import type { AgentBackend, IterationContext, IterationResult } from '../types.js';
import { ZERO_USAGE } from '../../reports/usage.js';

export const PROMPT_PLACEHOLDER = '{prompt_file}';

export interface CommandBackendOptions {
  /** argv; any `{prompt_file}` inside an argument is replaced by the prompt file's absolute path. */
  command: string[];
  /** The workspace. */
  cwd: string;
  timeoutMs: number;
  /** Where prompt and output files go (created if missing). */
  outputDir: string;
  /** Between SIGTERM to the group and SIGKILL. Default 5 s. */
  killGraceMs?: number;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
}

/** Characters of output returned as `finalText`. */
const TAIL_CHARS = 4_000;

export function createCommandBackend(opts: CommandBackendOptions): AgentBackend {
  return {
    kind: 'command',
    runIteration: (ctx) => runOnce(opts, ctx),
  };
}

/** The prompt a command agent gets: it has no memory between runs, so the seed comes every time. */
export function commandPrompt(ctx: Pick<IterationContext, 'seed' | 'message'>): string {
  return ctx.seed.trim() === '' ? ctx.message : `${ctx.seed.trimEnd()}\n\n${ctx.message}`;
}

export function substitutePromptFile(command: readonly string[], promptFile: string): string[] {
  return command.map((arg) => arg.split(PROMPT_PLACEHOLDER).join(promptFile));
}

interface RunOutcome {
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError?: string;
}

async function runOnce(opts: CommandBackendOptions, ctx: IterationContext): Promise<IterationResult> {
  fs.mkdirSync(opts.outputDir, { recursive: true });
  const base = path.resolve(opts.outputDir, `iteration-${String(ctx.iteration).padStart(4, '0')}`);
  const promptFile = `${base}.prompt.md`;
  const outputFile = `${base}.output.txt`;
  const prompt = commandPrompt(ctx);
  fs.writeFileSync(promptFile, prompt);
  const argv = substitutePromptFile(opts.command, promptFile);

  const started = Date.now();
  const outcome = await runCommand({ argv, prompt, promptFile, outputFile }, opts, ctx);
  const durationMs = Date.now() - started;
  ctx.session.append({
    type: 'command-run', iteration: ctx.iteration, command: argv, exitCode: outcome.exitCode, timedOut: outcome.timedOut, outputFile, durationMs,
  });

  const result: IterationResult = {
    stop: outcome.spawnError ? 'error' : outcome.aborted ? 'aborted' : outcome.timedOut ? 'timeout' : 'done',
    finalText: readTail(outputFile, TAIL_CHARS),
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    messages: 1,
    toolCalls: 0,
  };
  if (outcome.spawnError) result.error = outcome.spawnError;
  else if (outcome.timedOut) result.error = `the agent command ran past its ${Math.round(opts.timeoutMs / 1000)} s timeout and was killed`;
  return result;
}

interface Invocation {
  argv: string[];
  prompt: string;
  promptFile: string;
  outputFile: string;
}

async function runCommand({ argv, prompt, promptFile, outputFile }: Invocation, opts: CommandBackendOptions, ctx: IterationContext): Promise<RunOutcome> {
  const r = await runProcess(argv, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, PORTER_PROMPT_FILE: promptFile, PORTER_ITERATION: String(ctx.iteration), PORTER_PHASE: ctx.phase },
    input: prompt,
    timeoutMs: opts.timeoutMs,
    killGraceMs: opts.killGraceMs ?? 5_000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    outputFile,
    // The output stays in its file; finalText reads its tail.
    keepHead: 0,
    keepTail: 0,
  });
  const outcome: RunOutcome = { exitCode: r.exitCode, timedOut: r.timedOut, aborted: r.aborted };
  if (r.startError) {
    outcome.spawnError =
      r.startError.code === 'ENOENT'
        ? `agent command not found: ${argv[0]} — install it or fix agent.command in porter.config.yaml`
        : `agent command ${argv[0]} could not start: ${r.startError.message}`;
  }
  return outcome;
}

/** The last `max` characters of a file, read without loading a large file whole. */
export function readTail(file: string, max: number): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, max * 4);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    const text = buf.toString('utf8');
    return text.length > max ? text.slice(text.length - max) : text;
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
