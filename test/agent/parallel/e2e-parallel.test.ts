/**
 * `porter agent --agents 3` end to end on one machine: the real coordinator, workers in real
 * git worktrees, the built-in agent through the SDK against the fake Messages API (one
 * conversation per item, served at once), the real suite runner and the real merge queue.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent, type AgentRunOptions } from '../../../harness/agent/run-agent.js';
import { readSession } from '../../../harness/agent/session-log.js';
import type { AgentBackend, SessionEntry } from '../../../harness/agent/types.js';
import { ZERO_USAGE } from '../../../harness/reports/usage.js';
import { clusterStageOf, createSolver, type Solver } from '../../support/fake-anthropic-solver.js';
import { startFakeAnthropic, type FakeAnthropic, type Responder } from '../../support/fake-anthropic.js';
import { CLUSTERS, parallelExample, parallelWorkspace } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';
import { makeWorkspace, solutionDir } from '../workspace-fixture.js';

const tmp = useTempDir('parallel-e2e');
let api: FakeAnthropic | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
const solution = path.join(parallelExample, 'solution');
const solverFor = (dir: string): Solver => createSolver({ solutionDir: dir, stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });

/** A solution folder of the test's own: the example's files, some replaced, and a stage list. */
function solutionVariant(name: string, files: Record<string, string>, stages: Array<{ name: string; files: string[] }>): string {
  const dir = path.join(tmp.dir, name);
  fs.cpSync(solution, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const full = stages.map((s) => ({ ...CLUSTERS.find((c) => c.name === s.name)!, files: s.files }));
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({ stages: full }));
  return dir;
}

const firstUserText = (body: { messages?: Array<{ role: string; content: unknown }> }): string => {
  const first = body.messages?.find((m) => m.role === 'user');
  const content = first?.content;
  return typeof content === 'string' ? content : Array.isArray(content) ? content.filter((b) => b?.type === 'text').map((b) => b.text).join('\n') : '';
};

/**
 * Sends each conversation to a solver by the cluster its first task names: the first `times`
 * conversations about any of a route's clusters go to that route's solver for the cluster
 * (after `before` resolves), the rest to the example's own solution.
 */
interface Route {
  solvers: Record<string, Solver>;
  times?: number;
  before?: () => Promise<void>;
}
function routed(routes: Route[]): Responder {
  const fallback = solverFor(solution);
  const owner = new Map<string, { solver: Solver; before?: () => Promise<void> }>();
  const used = new Map<Route, number>();
  return async (body, index, conversation = '') => {
    let route = owner.get(conversation);
    if (!route) {
      const name = clusterStageOf(firstUserText(body), CLUSTERS)?.name ?? '';
      const r = routes.find((x) => x.solvers[name] && (used.get(x) ?? 0) < (x.times ?? Infinity));
      if (r) used.set(r, (used.get(r) ?? 0) + 1);
      route = r ? { solver: r.solvers[name]!, ...(r.before ? { before: r.before } : {}) } : { solver: fallback };
      owner.set(conversation, route);
      await route.before?.();
    }
    return route.solver.responder(body, index, conversation);
  };
}

async function run(ws: string, responder: Responder, extra: Partial<AgentRunOptions> = {}) {
  api = await startFakeAnthropic({ responder });
  const lines: string[] = [];
  const r = await runAgent({
    configPath: path.join(ws, 'porter.config.yaml'), agents: 3, ...extra,
    env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url },
    progress: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`),
  });
  if (!r.ok) throw new Error(r.message);
  return { r, lines: lines.join('\n') };
}

const merges = (file: string) => readSession(file).entries.filter((e): e is Extract<SessionEntry, { type: 'merge' }> => e.type === 'merge');
const mergeSubjects = (ws: string) => git(ws, 'log', '--first-parent', '--format=%s').split('\n').filter((s) => s.startsWith('porter: merge '));

describe('porter agent --agents 3', () => {
  it('reaches green with merges from several workers, each judged on the green line', async () => {
    const ws = parallelWorkspace(tmp.dir);
    fs.writeFileSync(path.join(ws, 'notes.md'), 'Keep each module to its own file.\n');
    const { r, lines } = await run(ws, solverFor(solution).responder, { note: 'Prefer plain loops.' });
    expect(r.status, lines).toBe('all-pass');
    // The maintainer's note and notes.md reach every worker's first message.
    const firsts = api!.requests.filter((q) => q.body.messages.length === 1 && !JSON.stringify(q.body.messages).includes('is done: all'));
    expect(firsts.length).toBeGreaterThanOrEqual(4);
    for (const q of firsts) expect(JSON.stringify(q.body.messages)).toMatch(/Prefer plain loops\.[\s\S]*Keep each module to its own file\./);
    expect(r.failing).toEqual([]);
    expect(r.merges).toEqual({ accepted: 4, rejected: 0, conflicts: 0, superseded: 0 });
    expect(r.workers!.filter((w) => w.merged > 0).length).toBeGreaterThanOrEqual(2);
    expect(r.workers!.reduce((n, w) => n + w.merged, 0)).toBe(4);
    expect(mergeSubjects(ws)).toHaveLength(4);
    for (const s of mergeSubjects(ws)) expect(s).toMatch(/^porter: merge w-[0-9a-f]{12} from w\d: ops \d+\/14 \(\+[34]\)$/);
    expect(git(ws, 'log', '-1', '--format=%B')).toMatch(/Porter-Item: w-[0-9a-f]{12} attempt 1\nPorter-Worker: w\d\nPorter-Run: /);
    expect(git(ws, 'status', '--porcelain')).toBe('');
    const log = readSession(r.sessionFile).entries;
    expect(log.filter((e) => e.type === 'phase-summary').map((e) => (e as { phase: string }).phase)).toEqual(['ops']);
    expect(fs.readFileSync(r.sessionFile, 'utf8')).not.toContain('sk-ant-test');
    // The workers' spending is the run's: every request the API answered is counted once.
    expect(r.stats.requests).toBe(api!.requests.length);
    // The history record and latest.md carry the workers and the merge queue.
    const history = fs.readFileSync(path.join(ws, 'reports', 'history.jsonl'), 'utf8').trim().split('\n');
    const record = JSON.parse(history.at(-1)!);
    expect(record.agent.merges).toEqual(r.merges);
    expect(record.agent.workers).toEqual(r.workers);
    const latest = fs.readFileSync(path.join(ws, 'reports', 'latest.md'), 'utf8');
    expect(latest).toContain('Merge queue: 4 accepted, 0 rejected, 0 conflicts, 0 superseded');
    for (const w of r.workers!) expect(latest).toMatch(new RegExp(`\\| ${w.id} +\\| +${w.items} +\\| +${w.merged} +\\|`));
  });

  it('counts worker iterations against --max-iterations, and stops there with the green line intact', async () => {
    const ws = parallelWorkspace(tmp.dir);
    api = await startFakeAnthropic({ responder: solverFor(solution).responder });
    const r = await runAgent({
      configPath: path.join(ws, 'porter.config.yaml'), agents: 3, limits: { maxIterations: 2 }, report: false,
      env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url },
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.status).toBe('max-iterations');
    expect(r.detail).toMatch(/^2 worker iterations done \(limit 2\)$/);
    expect(r.stats.iterations).toBe(2);
    expect(r.merges!.accepted).toBe(2);
    expect(mergeSubjects(ws)).toHaveLength(2);
    expect(git(ws, 'status', '--porcelain')).toBe('');
  });

  it('rejects a result that breaks cases on the green line, leaving it untouched, while the others merge', async () => {
    const ws = parallelWorkspace(tmp.dir);
    // The adapter of this result mangles what the wrap and case modules print. Those two are
    // the largest clusters, so they and one of roman and count go out first, all from the
    // same base where wrap and case are stubs: its own worker sees no regression. Its first
    // answer waits until two results are on the green line, so the merge meets them there.
    const adapter = fs.readFileSync(path.join(solution, 'adapter.mjs'), 'utf8').replace(
      'return module.run(request.input.body, args);',
      "const out = module.run(request.input.body, args);\n    return ['wrap', 'case'].includes(name) ? out + '\\n(mangled)' : out;",
    );
    expect(adapter).toContain('(mangled)');
    const bad = (name: string) => solverVariant(`bad-${name}`, { 'adapter.mjs': adapter }, [{ name, files: [`${name}.mjs`, 'adapter.mjs'] }]);
    const twoMerged = async () => {
      for (let i = 0; i < 600 && mergeSubjects(ws).length < 2; i++) await new Promise((res) => setTimeout(res, 50));
    };
    const { r, lines } = await run(ws, routed([{ solvers: { roman: bad('roman'), count: bad('count') }, times: 1, before: twoMerged }]));
    expect(r.status, lines).toBe('all-pass');
    expect(r.merges, lines).toEqual({ accepted: 4, rejected: 1, conflicts: 0, superseded: 0 });
    const rejected = merges(r.sessionFile).find((m) => m.status === 'rejected')!;
    expect(rejected.detail).toMatch(/breaks 8 case\(s\) that pass on the green line: test_ops__ops@case_camel.txt, .*test_ops__ops@wrap_short.txt$/);
    const accepted = merges(r.sessionFile).filter((m) => m.status === 'accepted');
    expect(accepted.find((m) => m.itemId === rejected.itemId)).toMatchObject({ attempt: 2 });
    // No commit on the green line ever carried the mangling adapter.
    for (const rev of git(ws, 'rev-list', '--first-parent', 'HEAD').split('\n')) {
      expect(git(ws, 'show', `${rev}:target/adapter.mjs`)).not.toContain('(mangled)');
    }
  });

  it('sends a result that conflicts with the green line back to the queue, and merges it from the new base', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const original = fs.readFileSync(path.join(solution, 'adapter.mjs'), 'utf8');
    const wrap = solverVariant('wrap', { 'adapter.mjs': `${original}// wrap was ported here\n` }, [{ name: 'wrap', files: ['wrap.mjs', 'adapter.mjs'] }]);
    const kase = solverVariant('case', { 'adapter.mjs': `${original}// case was ported here\n` }, [{ name: 'case', files: ['case.mjs', 'adapter.mjs'] }]);
    const { r, lines } = await run(ws, routed([{ solvers: { wrap, case: kase } }]));
    expect(r.status, lines).toBe('all-pass');
    expect(r.merges).toMatchObject({ accepted: 4, conflicts: 1, rejected: 0 });
    const conflict = merges(r.sessionFile).find((m) => m.status === 'conflict')!;
    expect(conflict.detail).toContain('target/adapter.mjs');
    expect(merges(r.sessionFile).find((m) => m.status === 'accepted' && m.itemId === conflict.itemId)).toMatchObject({ attempt: conflict.attempt + 1 });
    // The item came back with a note on the conflict, which its next worker was told.
    const requeued = readSession(r.sessionFile).entries.find((e) => e.type === 'item' && e.itemId === conflict.itemId && e.attempt === conflict.attempt + 1);
    expect(requeued).toMatchObject({ note: expect.stringContaining('conflict with the green line in target/adapter.mjs') });
    // The item that came back wrote its adapter over the one merged before it.
    const cases = (requeued as { cases: string[] }).cases;
    const last = cases[0]!.includes('@wrap_') ? 'wrap' : 'case';
    expect(fs.readFileSync(path.join(ws, 'target/adapter.mjs'), 'utf8')).toBe(`${original}// ${last} was ported here\n`);
  });
});

describe('porter agent --agents 2 on the bundled example', () => {
  it('keeps the phase order: each phase starts when the one before passes, with its summary in the workers\' seed', async () => {
    const example = makeWorkspace();
    try {
      const solve = createSolver({ solutionDir, targetPrefix: 'target/' });
      api = await startFakeAnthropic({ responder: solve.responder });
      const lines: string[] = [];
      const r = await runAgent({
        configPath: example.configPath, agents: 2, report: false,
        env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url },
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
  });
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
  });
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
  });
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
      const { r, lines } = await run(ws, responder, { signal: controller.signal });
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
    } finally {
      for (const release of held) release();
    }
  });
});

function solverVariant(name: string, files: Record<string, string>, stages: Array<{ name: string; files: string[] }>): Solver {
  return solverFor(solutionVariant(name, files, stages));
}
