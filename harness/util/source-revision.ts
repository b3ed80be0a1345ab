import { execFile } from 'node:child_process';

/** The commit a folder's checkout is at, and whether the folder has uncommitted changes. */
export interface SourceRevision {
  rev: string;
  /** Files under the folder differ from `rev`: modified, staged, or new and not ignored. */
  dirty: boolean;
}

/**
 * One `git status` gives both, limited to the folder (`-- .`). null outside a git repository,
 * in one without commits, or without git. `GIT_OPTIONAL_LOCKS=0`: looking must not refresh the
 * index of a checkout someone else works in.
 */
export function sourceRevision(dir: string): Promise<SourceRevision | null> {
  return new Promise((resolve) => {
    try {
      const args = ['status', '--porcelain=v2', '--branch', '-z', '--ignore-submodules=all', '--', '.'];
      const env = { ...process.env, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
      const child = execFile('git', args, { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 << 20 }, (err, stdout) => {
        if (err || typeof stdout !== 'string') return resolve(null);
        let rev: string | null = null;
        let dirty = false;
        for (const entry of stdout.split('\0')) {
          if (entry.startsWith('# branch.oid ')) rev = entry.slice('# branch.oid '.length);
          else if (entry !== '' && !entry.startsWith('# ')) dirty = true;
        }
        resolve(rev !== null && /^[0-9a-f]{40,64}$/.test(rev) ? { rev, dirty } : null);
      });
      child.stdin?.end();
    } catch {
      resolve(null);
    }
  });
}
