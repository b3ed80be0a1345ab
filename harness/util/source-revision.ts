import { runProcess } from './process.js';

/** The commit a folder's checkout is at, and whether the folder has uncommitted changes. */
export interface SourceRevision {
  rev: string;
  /** Files under the folder differ from `rev`: modified, staged, or new and not ignored. */
  dirty: boolean;
}

/**
 * One `git status` gives both, limited to the folder (`-- .`). null outside a git repository,
 * in one without commits, or without git. `GIT_OPTIONAL_LOCKS=0`: looking must not refresh the
 * index of a checkout someone else works in. The header lines come first, so the head of a long
 * output (a tree full of new files) is all that needs keeping.
 */
export async function sourceRevision(dir: string): Promise<SourceRevision | null> {
  const args = ['git', 'status', '--porcelain=v2', '--branch', '-z', '--ignore-submodules=all', '--', '.'];
  const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  const r = await runProcess(args, { cwd: dir, env, keepHead: 64 * 1024, keepTail: 0 });
  if (r.exitCode !== 0) return null;
  let rev: string | null = null;
  let dirty = false;
  for (const entry of r.stdout.text.split('\0')) {
    if (entry.startsWith('# branch.oid ')) rev = entry.slice('# branch.oid '.length);
    else if (entry !== '' && !entry.startsWith('# ') && !entry.startsWith('[... ')) dirty = true;
  }
  return rev !== null && /^[0-9a-f]{40,64}$/.test(rev) ? { rev, dirty } : null;
}
