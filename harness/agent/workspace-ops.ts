import { commitAll, dirtyPaths, ensureRepo, excludePaths, headRev, isAncestor, resetHard, saveWorkInProgress, uncommitSince } from './git.js';

/**
 * What the loop and `runAgent` do to the workspace's history: commit green states, reset to
 * the last green one, keep unfinished work aside. Git is the one implementation Porter ships;
 * the interface lets the loop's tests run it against a workspace they can inspect without git.
 */
export interface WorkspaceOps {
  /** Makes the workspace a repository with at least one commit; returns whether it was created. */
  ensureRepo(dir: string): Promise<{ created: boolean; rev: string }>;
  /** Keeps these workspace-relative paths out of every commit and every reset. */
  excludePaths(dir: string, relPaths: string[]): Promise<void>;
  headRev(dir: string): Promise<string | null>;
  /** Uncommitted changes, `.porter/` aside; empty when clean. */
  dirtyPaths(dir: string): Promise<string[]>;
  /** Commits every change as a new commit; null when there was nothing to commit. */
  commitAll(dir: string, message: string): Promise<string | null>;
  /** Puts the workspace back to `rev`, untracked files removed. */
  resetHard(dir: string, rev: string): Promise<void>;
  /** Writes every uncommitted change as a patch to `file`, leaving the workspace as it is. */
  saveWorkInProgress(dir: string, file: string): Promise<void>;
  /** Moves HEAD back to `rev`, keeping the files: later commits become uncommitted changes. */
  uncommitSince(dir: string, rev: string): Promise<void>;
  isAncestor(dir: string, ancestor: string, rev: string): Promise<boolean>;
}

export const gitWorkspaceOps: WorkspaceOps = { ensureRepo, excludePaths, headRev, dirtyPaths, commitAll, resetHard, saveWorkInProgress, uncommitSince, isAncestor };
