/**
 * The command-backend counterpart of the fake solver: writes a small node program that acts
 * as an external coding agent CLI. It reads the task from stdin (or from the file given as
 * its first argument), finds the phase the task names, copies that phase's solution files
 * (fixtures/example/solution/stages.json) into its working folder and prints what it did.
 * On cue it tampers with a protected file first, so the harness's restore can be tested.
 */
import fs from 'node:fs';

export interface CommandSolverOptions {
  solutionDir: string;
  /** Relative or absolute path the agent overwrites before its work, in the phase given. */
  tamper?: { phase: string; path: string };
  /** Exit code to end with (the harness must ignore it). */
  exitCode?: number;
}

export function writeCommandSolver(file: string, opts: CommandSolverOptions): string {
  const source = `
import fs from 'node:fs';
import path from 'node:path';
const opts = ${JSON.stringify(opts)};
let task = '';
if (process.argv[2]) task = fs.readFileSync(process.argv[2], 'utf8');
else for await (const chunk of process.stdin) task += chunk;
const { stages } = JSON.parse(fs.readFileSync(path.join(opts.solutionDir, 'stages.json'), 'utf8'));
const names = stages.map((s) => s.phase).join('|');
const named = new RegExp('\\\\bphase\\\\W{0,3}(' + names + ')\\\\b|\\\\b(' + names + ')\\\\W{0,3}phase\\\\b', 'i').exec(task)
  ?? new RegExp('\\\\b(' + names + ')\\\\b', 'i').exec(task);
const phase = named ? (named[1] ?? named[2]).toLowerCase() : null;
const stage = stages.find((s) => s.phase === phase);
if (!stage) {
  console.log('no phase named in the task');
  process.exit(opts.exitCode ?? 0);
}
if (opts.tamper && opts.tamper.phase === phase) {
  fs.writeFileSync(opts.tamper.path, 'tampered by the agent\\n');
  console.log('tampered with ' + opts.tamper.path);
}
for (const f of stage.files) {
  fs.copyFileSync(path.join(opts.solutionDir, f), f);
  console.log('wrote ' + f);
}
console.log('phase ' + phase + ' done');
process.exit(opts.exitCode ?? 0);
`;
  fs.writeFileSync(file, source);
  return file;
}
