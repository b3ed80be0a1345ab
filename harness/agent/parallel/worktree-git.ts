import fs from 'node:fs';
import path from 'node:path';
import { commitIdentityEnv } from '../../util/git-identity.js';
import { redactUrls } from '../../util/redact-urls.js';
import { git, resetHard, tryGit } from '../git.js';
import { PORTER_DIR } from '../porter-dir.js';

/**
 * The git a parallel run needs beyond the ratchet's: a worktree per worker checked out at
 * an item's base, the item's result branch, and merges onto the green line that either
 * complete or leave no trace. Every call runs the real git.
 */

/** The branch a worker's result for an item lives on. */
export function workBranch(itemId: string): string {
  return `porter/work/${itemId}`;
}

/** The branch the coordinator publishes the green line on, for workers on other machines. */
export const GREEN_BRANCH = 'porter/green';

/**
 * Makes `dir` a worktree of the workspace's repository checked out (detached) at `rev`,
 * clean, reusing it when it exists. Returns the worker's workspace inside it: the same
 * folder of the repository as the coordinator's workspace.
 */
export async function prepareWorktree(workspace: string, dir: string, rev: string): Promise<string> {
  const prefix = (await git(workspace, ['rev-parse', '--show-prefix'])).trim();
  if (fs.existsSync(path.join(dir, '.git'))) {
    await git(dir, ['checkout', '-q', '--detach', '--force', rev]);
  } else {
    // A worktree folder removed by hand is still registered until pruned.
    await git(workspace, ['worktree', 'prune']);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await git(workspace, ['worktree', 'add', '-q', '--detach', '--force', dir, rev]);
  }
  await git(dir, ['clean', '-fdq', '-e', `${PORTER_DIR}/`]);
  // git's prefix ends in a slash; the workspace path does not.
  return prefix ? path.join(dir, prefix).replace(/[\\/]+$/, '') : dir;
}

/** Points the item's branch at the worktree's HEAD and checks it out. */
export async function startBranch(dir: string, branch: string): Promise<void> {
  await git(dir, ['checkout', '-q', '--ignore-other-worktrees', '-B', branch]);
}

/** Leaves the branch, so another worktree may check it out later. */
export async function detach(dir: string): Promise<void> {
  await tryGit(dir, ['checkout', '-q', '--detach']);
}

export async function removeWorktree(workspace: string, dir: string): Promise<void> {
  await tryGit(workspace, ['worktree', 'remove', '--force', dir]);
}

/** Every change from `base` to the working tree (commits and uncommitted work) as one patch. */
export async function saveDiff(dir: string, base: string, file: string): Promise<boolean> {
  await git(dir, ['add', '-A', '--', '.']);
  if ((await tryGit(dir, ['diff', '--cached', '--quiet', base, '--', '.'])) !== null) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await git(dir, ['diff', '--cached', '--binary', `--output=${path.resolve(file)}`, base, '--', '.']);
  return true;
}

export type MergeAttempt = { ok: true; changed: boolean } | { ok: false; conflicts: string[] };

/**
 * Merges `commit` into the workspace's HEAD without committing, so the harness can judge
 * the merged tree first. On a conflict the merge is aborted and the conflicting files named:
 * the workspace is left as it was.
 */
export async function mergeNoCommit(workspace: string, commit: string): Promise<MergeAttempt> {
  const env = await commitIdentityEnv(workspace);
  try {
    await git(workspace, ['-c', 'commit.gpgsign=false', 'merge', '-q', '--no-ff', '--no-commit', '--no-edit', commit], env);
  } catch {
    const listed = (await tryGit(workspace, ['diff', '--name-only', '--diff-filter=U'])) ?? '';
    const conflicts = listed.split('\n').filter(Boolean);
    await tryGit(workspace, ['merge', '--abort']);
    return { ok: false, conflicts: conflicts.length > 0 ? conflicts : ['(git named no file)'] };
  }
  const changed = (await tryGit(workspace, ['diff', '--cached', '--quiet'])) === null;
  return { ok: true, changed };
}

/** Commits a merge in progress (or the staged tree) with the harness's message. */
export async function commitMerge(workspace: string, message: string): Promise<string> {
  await git(workspace, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '--allow-empty', '-m', message], await commitIdentityEnv(workspace));
  return git(workspace, ['rev-parse', 'HEAD']);
}

/** Drops a merge in progress, if any, and puts the workspace back on the green commit. */
export async function abandonMerge(workspace: string, green: string): Promise<void> {
  await tryGit(workspace, ['merge', '--abort']);
  await resetHard(workspace, green);
}

/** Whether a merge was left in progress (the coordinator died while judging it). */
export async function mergeInProgress(workspace: string): Promise<boolean> {
  return (await tryGit(workspace, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])) !== null;
}

/** Whether `commit` is known to the repository (a result pushed from another machine may not be yet). */
export async function hasCommit(dir: string, commit: string): Promise<boolean> {
  return (await tryGit(dir, ['cat-file', '-e', `${commit}^{commit}`])) !== null;
}

/** Fetches a branch of `remote` into the repository; a one-line reason when it cannot. */
export async function fetchBranch(dir: string, remote: string, branch: string): Promise<string | null> {
  try {
    await git(dir, ['fetch', '-q', remote, `+refs/heads/${branch}:refs/porter/fetched/${branch}`]);
    return null;
  } catch (e) {
    // A remote URL may carry credentials; git's message repeats the URL.
    return redactUrls((e as Error).message);
  }
}

/** Pushes `commit` to `branch` of `remote`; a one-line reason when it cannot. */
export async function pushBranch(dir: string, remote: string, commit: string, branch: string): Promise<string | null> {
  try {
    await git(dir, ['push', '-q', '--force', remote, `${commit}:refs/heads/${branch}`]);
    return null;
  } catch (e) {
    return redactUrls((e as Error).message);
  }
}
