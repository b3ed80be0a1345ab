import { runProcess } from '../util/process.js';

/**
 * Running git for `porter sync`: read-only plumbing on the source project (nothing here changes
 * its checkout, index or refs) and one commit in the workspace, through Porter's one process
 * runner; whole output kept as bytes, since `cat-file --batch` is parsed by byte counts.
 */

export interface GitRun {
  /** Exit code; -1 when git could not be started at all. */
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * `GIT_OPTIONAL_LOCKS=0`: a read-only command such as `git status` would otherwise refresh the
 * index of the checkout it only looks at, and contend for its lock with whoever works there.
 */
const ENV = { GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };

export async function runGit(cwd: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<GitRun> {
  const r = await runProcess(['git', ...args], {
    cwd,
    env: { ...process.env, ...ENV, ...options.env },
    input: options.input ?? '',
    keepHead: Number.POSITIVE_INFINITY,
    keepTail: 0,
    binary: true,
  });
  if (r.startError) {
    const why = r.startError.code === 'ENOENT' ? 'git is not installed or not on PATH' : `cannot run git: ${r.startError.message}`;
    return { code: -1, stdout: Buffer.alloc(0), stderr: why };
  }
  return { code: r.exitCode ?? -1, stdout: r.stdout.raw ?? Buffer.from(r.stdout.text), stderr: r.stderr.text };
}

/** The last lines of git's complaint, on one line, for an error message. */
export function gitComplaint(run: GitRun): string {
  const text = (run.stderr || run.stdout.toString('utf8')).trim();
  return text.split('\n').filter((l) => l.trim() !== '').slice(-2).join(' / ').replace(/^(fatal|error): /, '') || `git exited with ${run.code}`;
}

/** One object of `git cat-file --batch` output, or the input line git could not resolve. */
export type BatchObject = { found: true; oid: string; type: string; content: Buffer } | { found: false; input: string; why: string };

/**
 * Reads many objects with one `git cat-file --batch` process instead of one process per file:
 * on a suite of ~500 files that is the difference between a few milliseconds and a few seconds.
 */
export async function catFileBatch(cwd: string, inputs: readonly string[]): Promise<{ ok: true; objects: BatchObject[] } | { ok: false; message: string }> {
  if (inputs.length === 0) return { ok: true, objects: [] };
  const run = await runGit(cwd, ['cat-file', '--batch'], { input: `${inputs.join('\n')}\n` });
  if (run.code !== 0) return { ok: false, message: gitComplaint(run) };
  const out = run.stdout;
  const objects: BatchObject[] = [];
  let pos = 0;
  for (const input of inputs) {
    const nl = out.indexOf(0x0a, pos);
    if (nl === -1) return { ok: false, message: `git cat-file --batch ended early, after ${objects.length} of ${inputs.length} objects` };
    const header = out.toString('utf8', pos, nl);
    pos = nl + 1;
    // `<oid> <type> <size>`, or `<input> missing` / `<input> ambiguous`.
    const parts = header.split(' ');
    const size = Number(parts[parts.length - 1]);
    if (parts.length !== 3 || !Number.isInteger(size)) {
      objects.push({ found: false, input, why: parts[parts.length - 1] ?? 'missing' });
      continue;
    }
    objects.push({ found: true, oid: parts[0]!, type: parts[1]!, content: out.subarray(pos, pos + size) });
    pos += size + 1;
  }
  return { ok: true, objects };
}
