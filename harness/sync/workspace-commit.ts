import path from 'node:path';
import { commitIdentityEnv } from '../util/git-identity.js';
import { gitComplaint, runGit } from './git.js';

/**
 * Commits one file of the workspace, and only it: other changes, staged or not, stay as they
 * are. Like the agent's own commits it skips hooks and signing, which would stall a nightly
 * run, and falls back to a `porter` identity when the user has none configured.
 */

export type FileCommit = { ok: true; rev: string | null; skipped?: string } | { ok: false; message: string };

export async function commitFile(workspace: string, file: string, message: string): Promise<FileCommit> {
  const inside = await runGit(workspace, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.toString().trim() !== 'true') return { ok: true, rev: null, skipped: 'the workspace is not a git repository' };
  const rel = path.relative(workspace, file);
  const added = await runGit(workspace, ['add', '--', rel]);
  if (added.code !== 0) return { ok: false, message: `git add ${rel} failed in ${workspace}: ${gitComplaint(added)}` };
  const unchanged = await runGit(workspace, ['diff', '--cached', '--quiet', '--', rel]);
  if (unchanged.code === 0) return { ok: true, rev: null, skipped: `${rel} is already committed as it is` };
  const env = await commitIdentityEnv(workspace);
  const commit = await runGit(workspace, ['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', message, '--only', '--', rel], { env });
  if (commit.code !== 0) return { ok: false, message: `git commit of ${rel} failed in ${workspace}: ${gitComplaint(commit)}` };
  const head = await runGit(workspace, ['rev-parse', 'HEAD']);
  return { ok: true, rev: head.stdout.toString().trim() };
}
