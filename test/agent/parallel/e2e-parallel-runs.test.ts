/**
 * Parallel runs end to end on one machine, beyond the merge queue: phases in order with their
 * summaries, a command agent as the workers, a worker that throws, and Ctrl-C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAgent } from '../../../harness/agent/run-agent.js';
import { readSession } from '../../../harness/agent/session-log.js';
import type { AgentBackend } from '../../../harness/agent/types.js';
import { ZERO_USAGE } from '../../../harness/reports/usage.js';
import { createSolver } from '../../support/fake-anthropic-solver.js';
import type { Responder } from '../../support/fake-anthropic.js';
import { parallelWorkspace } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';
import { makeWorkspace, solutionDir } from '../workspace-fixture.js';
import { API_ENV, git, solution, solverFor, useFakeApi } from './parallel-run.js';

const tmp = useTempDir('parallel-e2e-runs');
const fake = useFakeApi();

describe('porter agent --agents 2 on the bundled example', () => {
  it('keeps the phase order: each phase starts when the one before passes, with its summary in the workers\' seed', async () => {
    const example = makeWorkspace();
    try {
      const solve = createSolver({ solutionDir, targetPrefix: 'target/' });
      const api = await fake.start(solve.responder);
      const lines: string[] = [];
      const r = await runAgent({
        configPath: example.configPath, agents: 2, report: false,
        env: { ...process.env, ...API_ENV, ANTHROPIC_BASE_URL: api.url },
        progress: (l) => lines.push(l),
      });
      if (!r.ok) throw new Error(r.message);
      expect(r.status, lines.join('\n')).toBe('all-pass');
      expect(r.summaries.map((x) => x.phase)).toEqual(['lexer', 'parser', 'runtime']);
      // Items went out phase by phase, never a later phase's before the earlier one passed.
      const log = readSession(r.sessionFile).entries;
      const order = log.filter((e) => e.type === 'item' || e.type === 'phase-summary').map((e) => (e.type === 'item' ? `item ${e.phase}` : `summary ${e.phase}`));
      const firstOf = (x: string) => order.indexOf(x);
      expect(firstOf('summary lexer')).toBeLessThan(firstOf('item parser'));
      expect(firstOf('summary parser')).toBeLessThan(firstOf('item runtime'));
      expect(order.lastIndexOf('item lexer')).toBeLessThan(firstOf('summary lexer'));
      // The workers of the parser phase started with the lexer's summary in their seed.
      const parserSeeds = api.requests.map((q) => JSON.stringify(q.body.system ?? '')).filter((t) => t.includes('phase \\"parser\\"'));
      expect(parserSeeds.length).toBeGreaterThan(0);
      for (const seed of parserSeeds) expect(seed).toContain('## lexer');
    } finally {
      example.cleanup();
    }
  }, 120_000);
});

describe('porter agent --agents 2 with a command agent', () => {
  it('merges the work of a coding agent CLI run in each worktree, and undoes its writes to the skip-list there', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const script = path.join(tmp.dir, 'agent.mjs');
    // An external agent: ports the module of the first cluster its task names, and first
    // tries to skip-list every case of the phase, which the harness must undo.
    fs.writeFileSync(script, [
      "import fs from 'node:fs';",
      "const task = fs.readFileSync(process.argv[2], 'utf8');",
      'const m = /test_ops__ops@(wrap|roman|case|count)_/.exec(task);',
      "if (!m) { console.log('Summary: one module per cluster, in target/.'); process.exit(0); }",
      "fs.mkdirSync('skiplist', { recursive: true });",
      "fs.writeFileSync('skiplist/ops.txt', 'test_ops__ops@*\\n');",
      `fs.copyFileSync(${JSON.stringify(solution)} + '/' + m[1] + '.mjs', 'target/' + m[1] + '.mjs');`,
      "console.log('ported ' + m[1]);",
    ].join('\n'));
    fs.appendFileSync(path.join(ws, 'porter.config.yaml'), `\nagent:\n  backend: command\n  command: [node, ${JSON.stringify(script)}, "{prompt_file}"]\n  timeout: 60s\n`);
    const lines: string[] = [];
    const r = await runAgent({ configPath: path.join(ws, 'porter.config.yaml'), agents: 2, progress: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) });
    if (!r.ok) throw new Error(r.message);
    expect(r.status, lines.join('\n')).toBe('all-pass');
    expect(r.merges).toMatchObject({ accepted: 4, rejected: 0 });
    expect(new Set(r.workers!.filter((w) => w.merged > 0).map((w) => w.id))).toEqual(new Set(['w1', 'w2']));
    expect(fs.existsSync(path.join(ws, 'skiplist', 'ops.txt'))).toBe(false);
    // Each worker's log shows its write to the skip-list of its own worktree undone.
    const dir = path.join(path.dirname(r.sessionFile), path.basename(r.sessionFile, '.jsonl'));
    const tampers = fs.readdirSync(dir).flatMap((f) => readSession(path.join(dir, f)).entries.filter((e) => e.type === 'tamper')) as Array<{ path: string; action: string }>;
    expect(tampers.length).toBeGreaterThanOrEqual(4);
    for (const t of tampers) {
      expect(t.action).toBe('restored');
      expect(t.path).toMatch(/\/\.porter\/worktrees\/w[12]\/skiplist\/ops\.txt$/);
    }
  }, 120_000);
});

describe('porter agent --agents 2, a worker failing', () => {
  it('gives the item of a worker that throws back to the queue, and the run goes on to green', async () => {
    const ws = parallelWorkspace(tmp.dir);
    let crashed = false;
    // An agent working through the real tools: it ports the module of the cluster its task
    // names first; the very first iteration throws instead, as a bug in a backend would.
    const backend: AgentBackend = {
      kind: 'test',
      async runIteration(ctx) {
        const m = /test_ops__ops@(wrap|roman|case|count)_/.exec(ctx.message);
        if (m && !crashed) {
          crashed = true;
          throw new Error('the backend blew up');
        }
        if (m) await ctx.tools.execute('write', { path: `target/${m[1]}.mjs`, content: fs.readFileSync(path.join(solution, `${m[1]}.mjs`), 'utf8') });
        return { stop: 'done', finalText: 'Summary: one module per cluster.', usage: ZERO_USAGE, costUsd: 0, messages: 1, toolCalls: m ? 1 : 0 };
      },
    };
    const lines: string[] = [];
    const r = await runAgent({ configPath: path.join(ws, 'porter.config.yaml'), agents: 2, createBackend: () => backend, report: false, progress: (l) => lines.push(l) });
    if (!r.ok) throw new Error(r.message);
    expect(r.status, lines.join('\n')).toBe('all-pass');
    expect(r.merges).toMatchObject({ accepted: 4 });
    expect(lines.filter((l) => l.includes('the worker failed: the backend blew up; the item goes back to the queue'))).toHaveLength(1);
  }, 120_000);
});

describe('porter agent --agents 3, interrupted', () => {
  it('stops the workers, keeps their unfinished work as patches in .porter/wip/, and ends on the green commit', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const solve = solverFor(solution);
    const controller = new AbortController();
    const held: Array<() => void> = [];
    // Each conversation's answer after its write and its run_tests is held; once three wait, Ctrl-C.
    const responder: Responder = (body, index, conversation) => {
      if ((body.messages?.length ?? 0) >= 5) {
        if (held.length === 2) setTimeout(() => controller.abort(), 10);
        return new Promise((resolve) => held.push(() => resolve({ kind: 'drop' })));
      }
      return solve.responder(body, index, conversation);
    };
    try {
      const { r, lines } = await fake.run(ws, responder, { signal: controller.signal });
      expect(r.status, lines).toBe('interrupted');
      expect(r.merges).toMatchObject({ accepted: 0 });
      expect(git(ws, 'log', '--format=%s')).not.toContain('porter: merge');
      expect(git(ws, 'status', '--porcelain')).toBe('');
      // Each worker's work is a patch that applies to the green commit and holds its module.
      const wip = path.join(ws, '.porter', 'wip');
      const patches = fs.readdirSync(wip).filter((f) => f.endsWith('.patch'));
      expect(patches, lines).toHaveLength(3);
      const modules = patches.map((f) => /target\/(\w+)\.mjs/.exec(fs.readFileSync(path.join(wip, f), 'utf8'))?.[1]).sort();
      expect(modules.every((m) => ['wrap', 'roman', 'case', 'count'].includes(m ?? ''))).toBe(true);
      expect(new Set(modules).size).toBe(3);
      for (const f of patches) git(ws, 'apply', '--check', path.join(wip, f));
      // A parallel run is resumed as one, not by a single agent.
      const single = await runAgent({ configPath: path.join(ws, 'porter.config.yaml'), resume: true, report: false, env: { ...process.env, ...API_ENV } });
      expect(single).toEqual({ ok: false, message: `run ${r.run} is a parallel run: resume it as it ran, with --agents N or --queue URL` });
    } finally {
      for (const release of held) release();
    }
  }, 120_000);
});
