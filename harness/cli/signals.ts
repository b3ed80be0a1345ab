import { killAllGroups } from '../util/process.js';

/**
 * Porter's signal policy. Only the CLI's entry point installs process-wide handlers; the
 * library below it takes an AbortSignal instead.
 *
 * Every child Porter starts runs in its own process group, out of reach of the terminal's
 * Ctrl-C, so whichever way Porter ends — it exits, an exception escapes, or SIGINT, SIGTERM
 * or SIGHUP arrives — the groups still alive are killed here. After a signal Porter then
 * ends the way that signal means. A command that stops gracefully (`porter agent`) takes
 * SIGINT and SIGTERM over with `onInterrupt` while it runs: then nothing is killed here,
 * so the cases being judged finish as they would have.
 */

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const INTERRUPTS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM']);

let installed = false;
let interrupt: ((signal: NodeJS.Signals) => void) | null = null;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupt && INTERRUPTS.has(signal)) {
    interrupt(signal);
    return;
  }
  killAllGroups();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
}

/** Installs the handlers; once per process, by the CLI's entry point. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllGroups);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/**
 * Hands SIGINT and SIGTERM to `handler` until the returned function is called. The handler
 * decides what a signal means (a first one: finish and stop; a second: leave at once, where
 * `process.exit` still kills the groups through the exit handler).
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  interrupt = handler;
  return () => {
    if (interrupt === handler) interrupt = null;
  };
}

/**
 * The graceful stop of a long command: the first SIGINT or SIGTERM says `message` on stderr
 * and aborts the returned signal, so the command winds down on its own; a second one quits
 * at once. `release` gives the signals back.
 */
export function stopGently(stderr: (text: string) => void, message: (signal: NodeJS.Signals) => string): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  let signals = 0;
  const release = onInterrupt((sig) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    stderr(`${message(sig)}\n`);
    controller.abort();
  });
  return { signal: controller.signal, release };
}
