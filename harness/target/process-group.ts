import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/**
 * Target processes run in their own process group so that a timeout or a crash can kill the
 * target *and everything it started* (a `sleep`, a compiler, a shell pipeline) with one signal.
 *
 * We call `node:child_process.spawn` directly rather than execa: per case we need only raw
 * pipes, `detached` (a new process group) and the exit code; execa's per-spawn promise, stream
 * decoding and buffering cost time in the 10,000-cases-per-second path and we would have to
 * turn most of it off again.
 */
export function spawnInGroup(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv | undefined,
): ChildProcessWithoutNullStreams {
  const [file, ...args] = command;
  const child = spawn(file ?? '', args, {
    cwd,
    env: env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    windowsHide: true,
  });
  if (child.pid !== undefined) track(child.pid);
  return child;
}

/** SIGKILLs the whole group led by `pid`; a group that is already gone is not an error. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group. EPERM cannot happen for our own children.
  }
}

/** Forget a group once it has been killed and reaped, so the exit hook does not signal a reused pid. */
export function untrack(pid: number | undefined): void {
  if (pid !== undefined) live.delete(pid);
}

// Last line of defence against orphans: if Porter exits without closing a runner (an uncaught
// exception, process.exit from a signal handler), kill every group still running. Detached
// groups would otherwise outlive us. One listener for all runners keeps Node from warning.
const live = new Set<number>();
let hooked = false;

function track(pid: number): void {
  live.add(pid);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const pid of live) killGroup(pid);
    });
  }
}
