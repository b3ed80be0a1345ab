/**
 * `porter agent` and `porter status` through their CLI functions, with a real external
 * agent: a small script run by the command backend once per iteration, which reads its
 * task and writes the next stage of the example's solution.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand, statusCommand } from '../../harness/cli/agent-command.js';
import type { CliIO } from '../../harness/cli/io.js';
import { makeWorkspace, solutionDir, type Workspace } from './workspace-fixture.js';

let ws: Workspace;
afterEach(() => ws?.cleanup());

const AGENT_SCRIPT = `
import fs from 'node:fs';
const task = fs.readFileSync(process.argv[2], 'utf8');
const stdin = fs.readFileSync(0, 'utf8');
if (stdin !== task) { console.error('stdin and the prompt file differ'); process.exit(3); }
if (/Write the phase summary/.test(task)) {
  const phase = /Phase "(\\w+)" is done/.exec(task)[1];
  console.log('Built ' + phase + '.mjs; nothing left.');
  process.exit(0);
}
const phase = /Iteration \\d+ · phase "(\\w+)"/.exec(task)[1];
const files = { lexer: ['adapter.mjs', 'lexer.mjs'], parser: ['parser.mjs'], runtime: ['runtime.mjs'] }[phase];
for (const f of files) fs.copyFileSync(${JSON.stringify(solutionDir)} + '/' + f, 'target/' + f);
console.log('wrote ' + files.join(', '));
`;

function io(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false, env: { ...process.env, CI: '1' }, cwd: ws.dir };
}

function withCommandAgent(extra: Record<string, unknown> = {}): void {
  const script = path.join(ws.dir, '..', `${path.basename(ws.dir)}-agent.mjs`);
  fs.writeFileSync(script, AGENT_SCRIPT);
  const cfg = fs.readFileSync(ws.configPath, 'utf8');
  fs.writeFileSync(ws.configPath, `${cfg}agent:\n  backend: command\n  command: [node, ${JSON.stringify(script)}, "{prompt_file}"]\n  timeout: 60s\n${Object.entries(extra).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}\n`).join('')}`);
}

describe('porter agent (CLI)', () => {
  it('drives a command agent to every phase passing, exit 0, with JSON stats, and porter status shows the run', async () => {
    ws = makeWorkspace();
    withCommandAgent();
    const a = io();
    const code = await agentCommand(['--json', 'out/agent.json'], a);
    expect(a.err.join('')).toBe('');
    expect(code).toBe(0);
    const text = a.out.join('');
    expect(text).toMatch(/iteration 1 · lexer 13\/13/);
    expect(text).toMatch(/Summary of parser:\nBuilt parser\.mjs; nothing left\./);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^porter agent: every phase passes \(run \S+\)$/);
    const json = JSON.parse(fs.readFileSync(path.join(ws.dir, 'out/agent.json'), 'utf8'));
    expect(json).toMatchObject({ status: 'all-pass', exitCode: 0, failing: [], stats: { iterations: 3, commits: 3, summaries: 3 } });
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: ws.dir, encoding: 'utf8' }).split('\n')[0]).toBe('porter: runtime 15/15 (+15), iteration 5');

    const s = io();
    expect(await statusCommand([], s)).toBe(0);
    const status = s.out.join('');
    expect(status).toMatch(/^Run \S+: stopped: all-pass: every phase passes/);
    expect(status).toMatch(/Wall time .* · 3 iterations \(\+3 phase summaries\)/);
    expect(status).toMatch(/^runtime +15\/15 +1 /m);
    const sj = io();
    expect(await statusCommand(['--json'], sj)).toBe(0);
    expect(JSON.parse(sj.out.join(''))).toMatchObject({ running: false, stats: { commits: 3 } });
  });

  it('exits 1 with the reason on the last line when a limit stops it, and 2 on usage errors', async () => {
    ws = makeWorkspace();
    withCommandAgent();
    const a = io();
    expect(await agentCommand(['--max-iterations', '1'], a)).toBe(1);
    expect(a.out.join('').trimEnd().split('\n').pop()).toBe('porter agent: stopped with 29 failing case(s): max-iterations: 1 iterations done (limit 1)');

    const bad = io();
    expect(await agentCommand(['--stall', 'x'], bad)).toBe(2);
    expect(bad.err.join('')).toBe('porter agent: --stall needs a positive whole number, got "x"\n');
    const dirty = io();
    fs.writeFileSync(path.join(ws.dir, 'target', 'wip.mjs'), '');
    expect(await agentCommand([], dirty)).toBe(2);
    expect(dirty.err.join('')).toMatch(/^porter: the workspace .* has uncommitted changes \(target\/wip\.mjs\)/);
    // --resume continues the stopped run, on its own work-in-progress.
    const resumed = io();
    expect(await agentCommand(['--resume', '--max-iterations', '2'], resumed)).toBe(1);
    expect(resumed.out.join('')).toMatch(/iteration 3 · parser 14\/14/);
  });
});
