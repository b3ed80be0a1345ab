import path from 'node:path';

/**
 * The harness's own place in a workspace, `.porter/`: kept out of every commit and clean
 * (git excludes it), readable by the agent's tools but never writable. Every path in it is
 * built here, so its layout can be read in one place:
 *
 *     .porter/lock                              the running `porter agent` (pid, host, run)
 *     .porter/sessions/<run>.jsonl              each run's durable session log (a parallel run's: the coordinator's)
 *     .porter/sessions/<run>/<worker>-<item>-<attempt>-<claim>.jsonl   a parallel worker's log of one item
 *     .porter/failures/iteration-<n>.md         the full failure report behind a task message
 *     .porter/wip/<run>-iteration-<n>.patch     work that never turned green, set aside at a stop
 *     .porter/wip/<run>-<item>[-iteration-<n>].patch   a parallel worker's, when the run is stopped
 *     .porter/worktrees/<worker>/               a parallel worker's git worktree
 *     .porter/outputs/                          command-agent prompts and outputs, full bash outputs
 */

export const PORTER_DIR = '.porter';

export function porterDir(workspace: string): string {
  return path.join(workspace, PORTER_DIR);
}

export function lockPath(workspace: string): string {
  return path.join(porterDir(workspace), 'lock');
}

export function sessionsDir(workspace: string): string {
  return path.join(porterDir(workspace), 'sessions');
}

export function sessionPath(workspace: string, runId: string): string {
  return path.join(sessionsDir(workspace), `${runId}.jsonl`);
}

export function failureReportPath(workspace: string, iteration: number): string {
  return path.join(porterDir(workspace), 'failures', `iteration-${iteration}.md`);
}

export function wipPatchPath(workspace: string, runId: string, iteration: number): string {
  return path.join(porterDir(workspace), 'wip', `${runId}-iteration-${iteration}.patch`);
}

/** `.porter/worktrees/<worker>`: a parallel worker's checkout. */
export function worktreeDir(workspace: string, workerId: string): string {
  return path.join(porterDir(workspace), 'worktrees', workerId);
}

/** A parallel worker's unfinished work on an item when the run is stopped (`suffix`: which part of it). */
export function itemWipPath(workspace: string, runId: string, itemId: string, suffix = ''): string {
  return path.join(porterDir(workspace), 'wip', `${runId}-${itemId}${suffix}.patch`);
}

/** The folder of a parallel run's worker logs, beside the coordinator's session file. */
export function workerSessionsDir(sessionFile: string): string {
  return path.join(path.dirname(sessionFile), path.basename(sessionFile, '.jsonl'));
}

/** Where a command agent's prompt and output files and the bash tool's full outputs go. */
export function outputsDir(workspace: string): string {
  return path.join(porterDir(workspace), 'outputs');
}
