/**
 * What keeps an unattended run honest: tests it cannot change, skips only through the
 * tool, the maintainer's notes, and the refusals before a run starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent, type AgentRunOptions, type AgentRunResult } from '../../harness/agent/run-agent.js';
import { readSession } from '../../harness/agent/session-log.js';
import type { SessionEntry } from '../../harness/agent/types.js';
import { inProcessSuite } from '../support/in-process-target.js';
import { memoryWorkspace, type MemoryWorkspace } from './memory-workspace.js';
import { idle, scriptedBackend, writes, type ScriptedBackend, type Step } from './scripted-backend.js';
import { makeWorkspace, stageFiles, type Workspace, type WorkspaceOptions } from './workspace-fixture.js';

let ws: Workspace | undefined;
let history: MemoryWorkspace | undefined;
afterEach(() => {
  ws?.cleanup();
  ws = undefined;
  history = undefined;
});

const file = (rel: string) => path.join(ws!.dir, rel);
/** The workspace's history (in memory: the suite runs in-process and git is not needed). */
const hist = () => (history ??= memoryWorkspace());

async function run(steps: Step[], opts: WorkspaceOptions & Partial<AgentRunOptions> & { kind?: 'command' } = {}): Promise<{ r: AgentRunResult; backend: ScriptedBackend; log: SessionEntry[] }> {
  ws ??= makeWorkspace(opts);
  const backend = scriptedBackend(steps, opts.kind ? { kind: opts.kind } : {});
  const r = await runAgent({ configPath: ws!.configPath, createBackend: () => backend, runSuite: inProcessSuite, workspaceOps: hist(), ...opts });
  return { r, backend, log: r.ok ? readSession(r.sessionFile).entries : [] };
}

describe('tests are not the agent\'s to change', () => {
  it('refuses tool writes to protected files, and restores what the agent changed behind the tools', async () => {
    ws = makeWorkspace({ adapter: true, agent: { max_iterations: 1 } });
    const override = 'overrides/test_eval__eval@float_format.txt.snap';
    const original = fs.readFileSync(file(override), 'utf8');
    const config = fs.readFileSync(file('porter.config.yaml'), 'utf8');
    const tamper: Step = async ({ tool }) => {
      expect((await tool('write', { path: override, content: 'anything' })).content).toMatch(/^tests are read-only to the agent: overrides\//);
      expect((await tool('edit', { path: 'porter.config.yaml', old_text: 'skiplist', new_text: 'x' })).content).toMatch(/belongs to the porter config/);
      // The refusal's path is a value, not parsed from the message: a space does not cut it.
      expect((await tool('write', { path: 'overrides/my case.snap', content: 'x' })).isError).toBe(true);
      // A shell (or a command agent's own tools) gets past the guard; the photograph does not.
      await tool('bash', { command: `echo hacked > ${override}; printf '* # all\\n' > skiplist/lexer.txt; echo "# x" >> porter.config.yaml` });
    };
    const { r, log } = await run([tamper]);
    expect(r.ok && r.status).toBe('max-iterations');
    const tampers = log.filter((e): e is Extract<SessionEntry, { type: 'tamper' }> => e.type === 'tamper');
    expect(tampers.map((t) => [path.relative(ws!.dir, t.path), t.action])).toEqual([
      [override, 'refused'],
      ['porter.config.yaml', 'refused'],
      ['overrides/my case.snap', 'refused'],
      [override, 'restored'],
      ['porter.config.yaml', 'restored'],
      ['skiplist/lexer.txt', 'restored'],
    ]);
    expect(tampers[2]!.detail).toMatch(/^write refused: tests are read-only to the agent: overrides\/my case\.snap belongs to /);
    expect(tampers[5]!.detail).toMatch(/added by the agent in a protected place; removed/);
    expect(fs.readFileSync(file(override), 'utf8')).toBe(original);
    expect(fs.readFileSync(file('porter.config.yaml'), 'utf8')).toBe(config);
    expect(fs.existsSync(file('skiplist/lexer.txt'))).toBe(false);
    expect(fs.existsSync(file('overrides/my case.snap'))).toBe(false);
    if (r.ok) expect(r.stats.tampers).toBe(6);
  });

  it('lets a command agent tamper only until the iteration ends', async () => {
    ws = makeWorkspace({ adapter: true, agent: { max_iterations: 1 } });
    const direct: Step = async () => void fs.writeFileSync(file('skiplist/parser.txt'), 'test_parser__* # skip them all\n');
    const { r, log } = await run([direct], { kind: 'command' });
    expect(r.ok && r.status).toBe('max-iterations');
    expect(log.find((e) => e.type === 'tamper')).toMatchObject({ action: 'restored', path: file('skiplist/parser.txt') });
    // The verdict came after the restore: nothing was skipped.
    const verdict = log.find((e) => e.type === 'test-run' && !e.baseline) as Extract<SessionEntry, { type: 'test-run' }>;
    expect((verdict.summary.phases as Array<{ skip: number }>).every((p) => p.skip === 0)).toBe(true);
  });
});

describe('skip_case', () => {
  it('parks a failing case in the skip-list with its reason, never a protected or passing one', async () => {
    const skip: Step = async ({ tool, ctx }) => {
      expect(ctx.tools.definitions.map((d) => d.name)).toContain('skip_case');
      expect((await tool('skip_case', { id: 'test_lexer__lexer@program.txt', reason: 'hard' })).content).toMatch(/protected: it must pass exactly/);
      expect((await tool('skip_case', { id: 'nope', reason: 'x' })).content).toMatch(/there is no case "nope"/);
      const r = await tool('skip_case', { id: 'test_parser__parser@let.txt', reason: 'needs a float type first' });
      expect(r).toMatchObject({ isError: false });
    };
    const { r, log } = await run([writes(stageFiles('lexer')), skip], { agent: { allow_skip: true, max_iterations: 2 } });
    expect(r.ok && r.status).toBe('max-iterations');
    expect(fs.readFileSync(file('skiplist/parser.txt'), 'utf8')).toMatch(/^test_parser__parser@let\.txt {2}# needs a float type first \(skipped by the agent, iteration 3\)$/m);
    expect(log.filter((e) => e.type === 'skip-case')).toEqual([expect.objectContaining({ iteration: 3, id: 'test_parser__parser@let.txt', reason: 'needs a float type first' })]);
    const last = log.filter((e) => e.type === 'test-run').pop() as Extract<SessionEntry, { type: 'test-run' }>;
    expect((last.summary.phases as Array<{ phase: string; skip: number }>).find((p) => p.phase === 'parser')!.skip).toBe(1);
    // The skip-list entry is the harness's record: the final reset to green does not undo it; it is committed.
    expect(await hist().dirtyPaths(ws!.dir)).toEqual([]);
    expect(hist().subjects()[0]).toBe('porter: keep the skip-list entries the agent added');
  });

  it('is not offered when the config does not allow it', async () => {
    const check: Step = async ({ tool, ctx }) => {
      expect(ctx.tools.definitions.map((d) => d.name)).not.toContain('skip_case');
      expect((await tool('skip_case', { id: 'test_parser__parser@let.txt', reason: 'x' })).content).toMatch(/not enabled/);
    };
    const { r } = await run([check], { adapter: true, agent: { max_iterations: 1 } });
    expect(r.ok && r.status).toBe('max-iterations');
  });
});

describe('steering', () => {
  it('brings a --note once and notes.md whenever it changes, and notes.md is not the agent\'s', async () => {
    ws = makeWorkspace({ adapter: true, agent: { max_iterations: 3 } });
    const maintainerWrites: Step = async ({ tool }) => {
      expect((await tool('write', { path: 'notes.md', content: 'agent note' })).content).toMatch(/read-only to the agent: it belongs to the maintainer's notes/);
      fs.writeFileSync(file('notes.md'), 'Keep HTML escaping as the snapshots show.\n');
    };
    const { r, backend, log } = await run([maintainerWrites, idle, idle], { note: 'Start with the lexer.' });
    expect(r.ok).toBe(true);
    const work = backend.seen.filter((s) => !s.summary);
    expect(work[0]!.message).toContain('Note from the maintainer:\n> Start with the lexer.');
    expect(work[1]!.message).toContain('> Keep HTML escaping as the snapshots show.');
    expect(work[1]!.message).not.toContain('Start with the lexer.');
    expect(work[2]!.message).not.toContain('Note from the maintainer');
    expect(log.filter((e) => e.type === 'note').map((e) => (e as { from: string }).from)).toEqual(['flag', 'notes.md']);
    // Excluded from git: never committed, never cleaned away by a reset.
    expect(fs.existsSync(file('notes.md'))).toBe(true);
    expect(hist().tracked('notes.md')).toBe(false);
    if (r.ok) expect(r.stats.humanPrompts).toBe(3);
  });

  it('uses the phase\'s model and guidance, and --phase starts at a phase', async () => {
    const { r, backend } = await run([idle], {
      solved: ['lexer'],
      phase: 'runtime',
      agent: { max_iterations: 1, phases: { runtime: { model: 'claude-opus-5-5', guidance: 'Floats print like Rust.' } } },
    });
    expect(r.ok).toBe(true);
    expect(backend.seen[0]).toMatchObject({ phase: 'runtime', model: 'claude-opus-5-5' });
    expect(backend.seen[0]!.seed).toContain('Guidance from the maintainer for phase "runtime": Floats print like Rust.');
  });
});

describe('before a run starts', () => {
  it('refuses uncommitted changes unless --allow-dirty, which commits them first', async () => {
    ws = makeWorkspace({ adapter: true, agent: { max_iterations: 1 } });
    await hist().commitAll(ws.dir, 'mine');
    fs.appendFileSync(file('target/adapter.mjs'), 'edit\n');
    fs.writeFileSync(file('target/new.mjs'), 'new\n');
    const refused = await run([]);
    expect(refused.r).toEqual({ ok: false, message: expect.stringMatching(/has uncommitted changes \(target\/adapter\.mjs, target\/new\.mjs\); commit or stash them, or pass --allow-dirty$/) });
    const allowed = await run([idle], { allowDirty: true });
    expect(allowed.r.ok).toBe(true);
    expect(hist().subjects().join('\n')).toBe('porter: uncommitted changes present when the agent started\nmine');
  });

  it('refuses a second run on a locked workspace, naming the holder', async () => {
    ws = makeWorkspace();
    const holder = spawn('sleep', ['30']);
    try {
      fs.mkdirSync(file('.porter'), { recursive: true });
      fs.writeFileSync(file('.porter/lock'), JSON.stringify({ pid: holder.pid, hostname: (await import('node:os')).hostname(), startedAt: '2026-11-20T01:00:00.000Z', runId: 'night' }));
      const { r } = await run([]);
      expect(r).toEqual({ ok: false, message: expect.stringMatching(new RegExp(`is in use by porter pid ${holder.pid} .*\\(run night\\)`)) });
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('needs an API key for the built-in agent, a known phase, and something to resume', async () => {
    ws = makeWorkspace();
    expect(await runAgent({ configPath: ws.configPath, env: {} })).toEqual({
      ok: false, message: 'no API key: set ANTHROPIC_API_KEY for the built-in agent, or configure agent.backend: command to use another coding agent',
    });
    expect((await run([], { phase: 'typer' })).r).toMatchObject({ ok: false, message: expect.stringMatching(/^--phase typer: there is no such phase/) });
    expect((await run([], { resume: 'no-such-run' })).r).toMatchObject({ ok: false, message: expect.stringMatching(/^nothing to resume: there is no run no-such-run/) });
  });

  it('a bare --resume with no earlier run starts a new one, so one cron line serves every night', async () => {
    ws = makeWorkspace({ adapter: true, agent: { max_iterations: 1 } });
    const warnings: string[] = [];
    const { r, log } = await run([], { resume: true, warn: (w) => warnings.push(w) });
    expect(r.ok).toBe(true);
    expect(warnings).toContain('no earlier run to resume in this workspace: starting a new one');
    const start = log.find((e) => e.type === 'run-start') as { resumedFrom?: number } | undefined;
    expect(start).toBeDefined();
    expect(start!.resumedFrom).toBeUndefined();
  });
});
