import fs from 'node:fs';
import path from 'node:path';
import { lastLines } from './stderr-tail.js';

/** Where the command came from, named in every message so the user knows what to edit. */
export const DEFAULT_CONFIG_REF = 'target.command in porter.config.yaml';

/** The command as a user would type it again in a shell: arguments with special characters quoted. */
function shown(command: readonly string[]): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}

/** The cwd setting, named in the same file as the command. */
export function cwdRef(configRef: string): string {
  return configRef.replace(/^target\.command\b/, 'target.cwd');
}

/** The one-line message for a failed `spawn` (the `error` event's code). */
export function describeSpawnError(
  err: NodeJS.ErrnoException,
  command: readonly string[],
  cwd: string,
  configRef: string,
): string {
  const name = command[0] ?? '';
  if (!fs.existsSync(cwd)) {
    return `target working directory "${cwd}" does not exist (${cwdRef(configRef)}): create it or fix the path`;
  }
  switch (err.code) {
    case 'ENOENT':
      return `target command "${name}" not found (${configRef}): check the path (relative paths resolve against ${cwd}) or install it`;
    case 'EACCES':
      return `target command "${name}" is not executable (${configRef}): run chmod +x on it, or start it through its interpreter, e.g. python3 ${name}`;
    default:
      return `target command "${shown(command)}" could not start (${configRef}): ${err.message}`;
  }
}

/** The one-line message for a worker that exited before it was asked anything. */
export function describeEarlyExit(
  command: readonly string[],
  code: number | null,
  signal: string | null,
  stderrTail: string,
  configRef: string,
): string {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = lastLines(stderrTail);
  return `target command "${shown(command)}" ${how} right after starting, before any request (${configRef})${tail ? `; stderr: ${tail}` : '; it printed nothing on stderr'}`;
}

/**
 * Checks without running it that `command[0]` resolves to an executable file the way `spawn`
 * would look it up (a path with a slash against `cwd`, a bare name on PATH). Used by the exec
 * runner, whose start() must not run a case just to find out the command is missing.
 */
export function checkCommand(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv | undefined,
  configRef: string,
): { ok: true } | { ok: false; message: string } {
  const name = command[0];
  if (name === undefined || name === '') return { ok: false, message: `target command is empty (${configRef}): set it to the program that runs your port` };
  if (!fs.existsSync(cwd)) {
    return { ok: false, message: `target working directory "${cwd}" does not exist (${cwdRef(configRef)}): create it or fix the path` };
  }
  const candidates = name.includes('/')
    ? [path.resolve(cwd, name)]
    : ((env ?? process.env).PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.resolve(cwd, dir, name));
  let sawFile = false;
  for (const file of candidates) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue;
    }
    if (!stat.isFile()) continue;
    sawFile = true;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return { ok: true };
    } catch {
      // Not executable here; a later PATH entry may still be.
    }
  }
  const code = sawFile ? 'EACCES' : 'ENOENT';
  return { ok: false, message: describeSpawnError(Object.assign(new Error(code), { code }), command, cwd, configRef) };
}
