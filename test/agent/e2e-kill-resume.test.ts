/**
 * The night-run promise: `porter agent` as a real process, killed with SIGKILL in the middle
 * of an iteration, then `porter agent --resume` goes on to green without repeating any tool
 * call that had completed. Runs the built CLI, built first when a source is newer.
 */
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import { startFakeAnthropic, type FakeAnthropic, type ScriptItem } from '../support/fake-anthropic.js';
import { ensureBuilt } from '../support/built-dist.js';
import { createSolver } from '../support/fake-anthropic-solver.js';
import { makeWorkspace, repoRoot, solutionDir, type Workspace } from './workspace-fixture.js';

const bin = path.join(repoRoot, 'dist/harness/cli/bin.js');

beforeAll(() => ensureBuilt(), 300_000);

let ws: Workspace | undefined;
let api: FakeAnthropic | undefined;
afterEach(async () => {
  await api?.close();
  ws?.cleanup();
});

function runPorter(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: ws!.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

function sessionEntries(dir: string): SessionEntry[] {
  const sessions = path.join(dir, '.porter', 'sessions');
  return fs
    .readdirSync(sessions)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readSession(path.join(sessions, f)).entries);
}

describe('porter agent, killed with SIGKILL and resumed', () => {
  it('continues from the last completed step to green, with no completed tool call run twice', async () => {
    ws = makeWorkspace();
    const solver = createSolver({ solutionDir, targetPrefix: 'target/' });
    let hung: ((item: ScriptItem) => void) | null = null;
    let hangAt = -1;
    api = await startFakeAnthropic({
      responder: (body, index) => {
        // Hang once, on the first request that carries a tool result of the parser phase:
        // by then the lexer phase is committed and parser tool calls are in the log.
        const text = JSON.stringify(body.messages ?? []);
        if (hangAt < 0 && text.includes('phase \\"parser\\"') && body.messages.at(-1)?.content?.some?.((b: { type: string }) => b.type === 'tool_result')) {
          hangAt = index;
          return new Promise<ScriptItem>((resolve) => (hung = resolve));
        }
        return solver.responder(body, index);
      },
    });
    const env = { ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-kill', ANTHROPIC_BASE_URL: api.url };

    const first = runPorter(['agent'], env);
    const deadline = Date.now() + 60_000;
    while (hung === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hung, first.output()).not.toBeNull();
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    // Let the hung request end now that nobody is listening.
    (hung as unknown as (item: ScriptItem) => void)({ kind: 'drop' });

    const before = sessionEntries(ws.dir);
    const doneBefore = before.filter((e) => e.type === 'tool-result').map((e) => (e as { toolUseId: string }).toolUseId);
    expect(doneBefore.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(ws.dir, '.porter', 'lock'))).toBe(true);

    const second = runPorter(['agent', '--resume', '--json', path.join(ws.dir, '.porter', 'result.json')], env);
    const code = await second.exited;
    expect(code, second.output()).toBe(0);
    const result = JSON.parse(fs.readFileSync(path.join(ws.dir, '.porter', 'result.json'), 'utf8'));
    expect(result.status).toBe('all-pass');

    const after = sessionEntries(ws.dir);
    const results = after.filter((e) => e.type === 'tool-result').map((e) => (e as { toolUseId: string }).toolUseId);
    expect(new Set(results).size).toBe(results.length);
    for (const id of doneBefore) expect(results.filter((r) => r === id)).toHaveLength(1);
    expect(after.some((e) => e.type === 'run-start' && (e as { resumedFrom?: number }).resumedFrom !== undefined)).toBe(true);

    const git = execFileSync('git', ['log', '--format=%s'], { cwd: ws.dir, encoding: 'utf8' });
    expect(git).toMatch(/porter: runtime 15\/15/);
    expect(git).toMatch(/porter: parser 14\/14/);
    expect(git).toMatch(/porter: lexer 13\/13/);
    expect(fs.existsSync(path.join(ws.dir, '.porter', 'lock'))).toBe(false);
  }, 120_000);
});
