/**
 * Ctrl-C while the harness judges: `porter agent` as a real process (the built CLI, whose
 * entry point installs the signal handlers) gets SIGINT while the target is still working
 * on cases. The target's process groups must be left alone, so those cases finish and are
 * judged as usual, and the run must stop as interrupted on its last green commit.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sessionsDir } from '../../harness/agent/porter-dir.js';
import { readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import { makeWorkspace, repoRoot, solutionDir, type Workspace } from './workspace-fixture.js';
import { ensureBuilt } from '../support/built-dist.js';

const bin = path.join(repoRoot, 'dist/harness/cli/bin.js');
const WRONG = 'test_lexer__lexer@numbers.txt';

let ws: Workspace | undefined;
afterEach(() => ws?.cleanup());

/**
 * The lexer the command agent writes: the example's solution behind a gate. The first case
 * to reach it marks `judging`; every case then waits until the test opens the gate. One case
 * is answered wrongly so that the phase is not done and the run has failures left.
 */
function gatedLexer(gate: string): string {
  const solved = JSON.stringify(path.join(solutionDir, 'lexer.mjs'));
  return `import fs from 'node:fs';
export * from ${solved};
import { runCase as solved } from ${solved};
const gate = ${JSON.stringify(gate)};
const pause = new Int32Array(new SharedArrayBuffer(4));
export function runCase(request) {
  if (!fs.existsSync(gate + '/judging')) fs.writeFileSync(gate + '/judging', String(process.pid));
  while (!fs.existsSync(gate + '/open')) Atomics.wait(pause, 0, 0, 20);
  if (request.id === ${JSON.stringify(WRONG)}) return { output: 'deliberately wrong' };
  return solved(request);
}
`;
}

async function waitFor(what: string, done: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; porter said:\n${output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(() => ensureBuilt(), 300_000);

describe('porter agent, interrupted while it judges', () => {
  it('lets the cases in flight finish, then stops as interrupted on the last green commit', async () => {
    ws = makeWorkspace({
      adapter: true,
      // Long enough that the gate, not the case timeout, decides when cases answer.
      extra: { target: { command: 'node adapter.mjs', protocol: 'stdio', workers: 2, timeout: '600s', cwd: 'target' } },
    });
    const gate = fs.mkdtempSync(`${ws.dir}-gate-`);
    const lexer = path.join(gate, 'lexer.mjs');
    fs.writeFileSync(lexer, gatedLexer(gate));
    const agent = path.join(gate, 'agent.mjs');
    fs.writeFileSync(agent, `import fs from 'node:fs';\nfs.copyFileSync(${JSON.stringify(lexer)}, 'target/lexer.mjs');\nconsole.log('wrote target/lexer.mjs');\n`);
    fs.appendFileSync(ws.configPath, `agent:\n  backend: command\n  command: [node, ${JSON.stringify(agent)}]\n  timeout: 600s\n`);
    const jsonFile = path.join(gate, 'result.json');

    try {
      const child = spawn(process.execPath, [bin, 'agent', '--json', jsonFile], { cwd: ws.dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const said = () => `${out}${err}`;
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      await waitFor('the judging run after iteration 1', () => fs.existsSync(path.join(gate, 'judging')), said);
      child.kill('SIGINT');
      // Porter has handled the signal (and, before the fix, killed the target's groups) once it says so.
      await waitFor('porter to take the interruption', () => err.includes('porter agent: SIGINT: finishing the current step'), said);
      fs.writeFileSync(path.join(gate, 'open'), '');
      const code = await exited;

      expect(code, said()).toBe(1);
      expect(out.trimEnd().split('\n').pop()).toMatch(/^porter agent: stopped with \d+ failing case\(s\): interrupted: the run was interrupted$/);
      const result = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
      expect(result).toMatchObject({ status: 'interrupted', exitCode: 1 });

      const sessions = fs.readdirSync(sessionsDir(ws.dir));
      expect(sessions).toHaveLength(1);
      const entries = readSession(path.join(sessionsDir(ws.dir), sessions[0]!)).entries;
      expect(entries.at(-1)).toMatchObject({ type: 'stop', reason: 'interrupted' });

      // The judging run that the signal landed in completed: every case answered, none crashed or timed out.
      const runs = entries.filter((e): e is Extract<SessionEntry, { type: 'test-run' }> => e.type === 'test-run');
      const judged = runs.find((r) => !r.baseline && r.iteration === 1)!;
      expect(judged).toMatchObject({ phase: 'lexer', pass: 12, total: 13 });
      for (const r of runs) {
        for (const p of r.summary.phases as Array<{ phase: string; crash: number; timeout: number; error: number }>) {
          expect({ phase: p.phase, crash: p.crash, timeout: p.timeout }).toEqual({ phase: p.phase, crash: 0, timeout: 0 });
        }
      }
      expect(result.failing).toContain(WRONG);

      // It ended on its last green commit, the gain of iteration 1, with a clean worktree.
      const commits = entries.filter((e): e is Extract<SessionEntry, { type: 'commit' }> => e.type === 'commit');
      expect(commits.map((c) => c.message.split('\n')[0])).toEqual(['porter: lexer 12/13 (+12), iteration 1']);
      expect(entries.some((e) => e.type === 'reset')).toBe(false);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: ws!.dir, encoding: 'utf8' }).trim();
      expect(git('rev-parse', 'HEAD')).toBe(commits[0]!.rev);
      expect(git('status', '--porcelain', '--untracked-files=all')).toBe('');
      expect(fs.existsSync(path.join(ws.dir, '.porter', 'lock'))).toBe(false);
    } finally {
      fs.writeFileSync(path.join(gate, 'open'), '');
      fs.rmSync(gate, { recursive: true, force: true });
    }
  }, 180_000);
});
