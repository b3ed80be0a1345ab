import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { runProcess } from '../../util/process.js';
import { outputsDir } from '../porter-dir.js';
import type { AgentTool, ToolOutcome } from './tool.js';

/**
 * `bash {command, timeout_s?}`: one shell command in the workspace, in its own process
 * group so that a timeout kills the command and everything it started. Output goes
 * straight to a file (stdout and stderr interleaved as they happen, memory bounded
 * whatever the command prints); the model sees the head and the tail, and the path of
 * the full file when it was cut.
 */

const HEAD_BYTES = 10_000;
const TAIL_BYTES = 20_000;

const parameters = Type.Object(
  {
    command: Type.String({ minLength: 1, description: 'The command line' }),
    timeout_s: Type.Optional(Type.Number({ minimum: 1, description: 'Timeout in seconds' })),
  },
  { additionalProperties: false },
);

function outputFileName(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `bash-${stamp}-${crypto.randomBytes(3).toString('hex')}.log`;
}

export const bashTool: AgentTool<typeof parameters> = {
  name: 'bash',
  parameters,
  description: (s) =>
    `Run a shell command with bash in the workspace. Killed with its children after timeout_s (default ${s.bashTimeoutS}). Long output shows head and tail; the full output is saved to a file whose path is given.`,
  async execute(args, ctx): Promise<ToolOutcome> {
    const timeoutS = Math.min(args.timeout_s ?? ctx.bashTimeoutS, ctx.bashMaxTimeoutS);
    const dir = outputsDir(ctx.guard.workspace);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, outputFileName());
    const run = await runProcess(['bash', '-c', args.command], {
      cwd: ctx.guard.workspace,
      env: ctx.env,
      timeoutMs: timeoutS * 1000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      outputFile: file,
      keepHead: HEAD_BYTES,
      keepTail: TAIL_BYTES,
    });
    const out = run.stdout;
    if (!out.cut) fs.rmSync(file, { force: true });
    const status = run.startError
      ? `bash could not start: ${run.startError.message}`
      : run.timedOut
        ? `timed out after ${timeoutS}s; the command and its children were killed`
        : run.aborted
          ? 'aborted; the command and its children were killed'
          : run.exitCode === null
            ? `killed by ${run.signal ?? 'a signal'}`
            : `exit code ${run.exitCode}`;
    const saved = out.cut ? `\n[output cut: ${out.bytes} bytes in all, full output in ${ctx.guard.display(file)}]` : '';
    const body = out.text === '' ? '(no output)' : out.text;
    return { content: `${body}${saved}\n[${status}]`, isError: run.timedOut || run.aborted || run.exitCode !== 0 };
  },
};
