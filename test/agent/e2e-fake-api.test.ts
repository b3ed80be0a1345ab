/**
 * `porter agent` with the built-in agent end to end: the CLI function, the real Anthropic
 * backend through the SDK, a fake Messages API on loopback whose scripted model solves the
 * bundled example, the real suite runner, git and session log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readSession } from '../../harness/agent/session-log.js';
import { agentCommand } from '../../harness/cli/agent-command.js';
import type { CliIO } from '../../harness/cli/io.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { createSolver } from '../support/fake-anthropic-solver.js';
import { makeWorkspace, solutionDir, type Workspace } from './workspace-fixture.js';

let ws: Workspace | undefined;
let api: FakeAnthropic | undefined;
afterEach(async () => {
  ws?.cleanup();
  await api?.close();
});

function io(env: NodeJS.ProcessEnv): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, env, cwd: ws!.dir };
}

describe('porter agent against the fake Messages API', () => {
  it('takes the example from an empty target to every phase passing, refusing the snapshot write it tries', async () => {
    ws = makeWorkspace();
    const snapshot = path.join(ws.dir, 'overrides', 'test_eval__eval@float_format.txt.snap');
    const solver = createSolver({
      solutionDir,
      targetPrefix: 'target/',
      misbehave: [{ phase: 'parser', kind: 'write-snapshot', path: 'overrides/test_eval__eval@float_format.txt.snap' }, { phase: 'runtime', kind: 'bad-argument' }],
      usage: () => ({ input_tokens: 2000, output_tokens: 300 }),
    });
    api = await startFakeAnthropic({ responder: solver.responder });
    const before = fs.readFileSync(snapshot, 'utf8');
    const cli = io({ ...process.env, CI: '1', ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url });
    const code = await agentCommand(['--json', '-'], cli);
    const stdout = cli.out.join('');
    expect(cli.err.join('')).toMatch(/iteration 1 · lexer 13\/13/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ status: 'all-pass', failing: [] });
    expect(result.summaries.map((s: { phase: string }) => s.phase)).toEqual(['lexer', 'parser', 'runtime']);
    expect(solver.fired.map((m) => m.kind)).toEqual(['write-snapshot', 'bad-argument']);
    expect(fs.readFileSync(snapshot, 'utf8')).toBe(before);

    const log = readSession(result.sessionFile).entries;
    expect(log.filter((e) => e.type === 'tamper')).toEqual([expect.objectContaining({ action: 'refused', path: snapshot })]);
    const git = execFileSync('git', ['log', '--format=%s'], { cwd: ws.dir, encoding: 'utf8' }).trim().split('\n');
    expect(git).toEqual(['porter: runtime 15/15 (+15), iteration 5', 'porter: parser 14/14 (+14), iteration 3', 'porter: lexer 13/13 (+13), iteration 1', 'porter: initial state']);
    // Costs from the usage the API reported, at the default model's list price ($2 / $10 per MTok).
    const requests = result.stats.requests;
    expect(requests).toBe(api.requests.length);
    expect(result.stats.costUsd).toBeCloseTo(requests * (2000 * 2 + 300 * 10) / 1e6, 10);
    expect(fs.readFileSync(result.sessionFile, 'utf8')).not.toContain('sk-ant-test');
  });
});
