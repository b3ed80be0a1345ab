import fs from 'node:fs';
import path from 'node:path';
import { commitIdentityEnv } from '../util/git-identity.js';
import { runProcess } from '../util/process.js';
import { PORTER_DIR } from './porter-dir.js';

/**
 * The workspace's git history, as the ratchet uses it: commit green states, reset to the
 * last green one. Commits that existed before the run are never amended or rewritten.
 *
 * The workspace is normally the root of its own repository. When it is a folder inside
 * a larger repository, every operation is limited to that folder (pathspec `.`), so the
 * rest of the repository is never committed, reset or cleaned.
 */

export class GitError extends Error {}

/** Larger output than this is an error rather than a silently cut answer (a patch goes to a file instead). */
const MAX_OUTPUT = 64 * 1024 * 1024;

/** The output without its final line break, as a shell's `$(...)` gives it. */
function chomp(text: string): string {
  return text.replace(/\r?\n$/, '');
}

export async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runProcess(['git', ...args], {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
    keepHead: MAX_OUTPUT,
    keepTail: 0,
  });
  if (r.startError) throw new GitError(`git ${args.join(' ')} could not start in ${cwd}: ${r.startError.message}`);
  if (r.exitCode !== 0) {
    const why = (chomp(r.stderr.text) || chomp(r.stdout.text) || String(r.exitCode ?? r.signal)).trim().split('\n').slice(-3).join(' / ');
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${why}`);
  }
  if (r.stdout.cut) throw new GitError(`git ${args.join(' ')} printed more than ${MAX_OUTPUT} bytes in ${cwd}`);
  return chomp(r.stdout.text);
}

export async function tryGit(cwd: string, args: string[]): Promise<string | null> {
  try {
    return await git(cwd, args);
  } catch {
    return null;
  }
}

export async function isRepo(dir: string): Promise<boolean> {
  return (await tryGit(dir, ['rev-parse', '--is-inside-work-tree'])) === 'true';
}

async function topLevel(dir: string): Promise<string> {
  return git(dir, ['rev-parse', '--show-toplevel']);
}

/** True when the workspace is its repository's root (not a folder inside a larger one). */
async function isRoot(dir: string): Promise<boolean> {
  return fs.realpathSync(await topLevel(dir)) === fs.realpathSync(dir);
}

export async function headRev(dir: string): Promise<string | null> {
  return tryGit(dir, ['rev-parse', '--verify', '-q', 'HEAD^{commit}']);
}

async function addExcludes(dir: string, patterns: string[]): Promise<void> {
  const rel = await git(dir, ['rev-parse', '--git-path', 'info/exclude']);
  const file = path.resolve(dir, rel);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const have = new Set(text.split('\n').map((l) => l.trim()));
  const missing = patterns.filter((p) => !have.has(p));
  if (missing.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}# Porter\n${missing.join('\n')}\n`);
}

/** Keeps `.porter/` (sessions, lock, outputs) out of every commit and every clean. */
export async function excludePorterDir(dir: string): Promise<void> {
  await addExcludes(dir, [`${PORTER_DIR}/`]);
}

/**
 * Keeps files of the workspace folder (e.g. the maintainer's `notes.md`) out of commits
 * and cleans; each is anchored to its place, so a file of the same name elsewhere is not.
 */
export async function excludePaths(dir: string, relPaths: string[]): Promise<void> {
  const prefix = (await git(dir, ['rev-parse', '--show-prefix'])).trim();
  await addExcludes(dir, relPaths.map((p) => `/${prefix}${p}`));
}

/**
 * Makes sure the workspace is in a git repository with at least one commit, so that the
 * state before the run is a green point to reset to. Returns whether a repository was created.
 */
export async function ensureRepo(dir: string): Promise<{ created: boolean; rev: string }> {
  let created = false;
  if (!(await isRepo(dir))) {
    await git(dir, ['init', '-q']);
    created = true;
  }
  await excludePorterDir(dir);
  let rev = await headRev(dir);
  if (rev === null) {
    await git(dir, ['add', '-A', '--', '.']);
    await git(dir, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '--allow-empty', '-m', 'porter: initial state'], await commitIdentityEnv(dir));
    rev = (await headRev(dir))!;
  }
  return { created, rev };
}

/** Uncommitted changes in the workspace folder, `.porter/` aside; empty when clean. */
export async function dirtyPaths(dir: string): Promise<string[]> {
  // -z: paths verbatim (no quoting); a rename's source path follows as its own entry.
  const out = await git(dir, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.']);
  const prefix = (await git(dir, ['rev-parse', '--show-prefix'])).trim();
  const paths: string[] = [];
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.length < 4) continue;
    paths.push(f.slice(3));
    if (f[0] === 'R' || f[0] === 'C') i++;
  }
  return paths
    .map((p) => (prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p))
    .filter((p) => p !== `${PORTER_DIR}/` && !p.startsWith(`${PORTER_DIR}/`));
}

export async function isDirty(dir: string): Promise<boolean> {
  return (await dirtyPaths(dir)).length > 0;
}

/**
 * Commits every change in the workspace folder as a new commit (never an amend).
 * Returns the new revision, or null when there was nothing to commit.
 */
export async function commitAll(dir: string, message: string): Promise<string | null> {
  await git(dir, ['add', '-A', '--', '.']);
  const staged = await tryGit(dir, ['diff', '--cached', '--quiet', '--', '.']);
  if (staged !== null) return null;
  // Hooks and signing prompts would stall an unattended run; the harness's commits skip them.
  await git(dir, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', message, '--', '.'], await commitIdentityEnv(dir));
  return (await headRev(dir))!;
}

/**
 * Puts the workspace folder back to `rev`: tracked files as they were, untracked files
 * removed (ignored ones such as build outputs, and `.porter/`, are kept).
 */
export async function resetHard(dir: string, rev: string): Promise<void> {
  if (await isRoot(dir)) {
    await git(dir, ['reset', '-q', '--hard', rev]);
  } else {
    await git(dir, ['restore', `--source=${rev}`, '--staged', '--worktree', '--', '.']);
  }
  await git(dir, ['clean', '-fdq', '-e', `${PORTER_DIR}/`, '--', '.']);
}

/**
 * Writes every uncommitted change of the workspace folder (untracked files included) as a
 * patch `git apply` can replay, without changing the working tree.
 */
export async function saveWorkInProgress(dir: string, file: string): Promise<void> {
  await git(dir, ['add', '-A', '--', '.']);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Straight to the file: a patch may be larger than any output worth holding in memory.
  await git(dir, ['diff', '--cached', '--binary', `--output=${path.resolve(file)}`, '--', '.']);
}

/** Moves HEAD back to `rev`, keeping the working tree: commits made after it become uncommitted changes. */
export async function uncommitSince(dir: string, rev: string): Promise<void> {
  await git(dir, ['reset', '-q', '--soft', rev]);
}

/** Whether `ancestor` is `rev` or one of its ancestors. */
export async function isAncestor(dir: string, ancestor: string, rev: string): Promise<boolean> {
  return (await tryGit(dir, ['merge-base', '--is-ancestor', ancestor, rev])) !== null;
}
