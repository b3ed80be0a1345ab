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
  if (pid === undefined) return;
  live.delete(pid);
  if (live.size === 0) unhookSignals();
}

// Last line of defence against orphans. Detached groups do not get the terminal's Ctrl-C and
// would outlive Porter, so while any group runs: on process exit (an uncaught exception,
// process.exit) kill them all; on SIGINT, SIGTERM or SIGHUP kill them too, and when nobody else
// handles the signal, re-raise it so Porter still ends the way the signal means. One set of
// listeners for all runners, installed only while groups are alive.
const live = new Set<number>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let exitHooked = false;
let signalsHooked = false;

function killAll(): void {
  for (const pid of live) killGroup(pid);
}

function onSignal(signal: NodeJS.Signals): void {
  killAll();
  live.clear();
  const othersListen = process.listenerCount(signal) > 1;
  unhookSignals();
  if (!othersListen) process.kill(process.pid, signal);
}

function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

function unhookSignals(): void {
  if (!signalsHooked) return;
  signalsHooked = false;
  for (const sig of SIGNALS) process.removeListener(sig, onSignal);
}

function track(pid: number): void {
  live.add(pid);
  hookSignals();
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', killAll);
  }
}
