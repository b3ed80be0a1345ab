/**
 * `porter agent --agents 3` end to end on one machine, and what its merge queue does: the
 * real coordinator, workers in real git worktrees, the built-in agent through the SDK against
 * the fake Messages API (one conversation per item, served at once), the real suite runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAgent } from '../../../harness/agent/run-agent.js';
import { readSession } from '../../../harness/agent/session-log.js';
import { clusterStageOf, type Solver } from '../../support/fake-anthropic-solver.js';
import type { Responder } from '../../support/fake-anthropic.js';
import { CLUSTERS, parallelWorkspace } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';
import { API_ENV, firstUserText, git, merges, mergeSubjects, solution, solverFor, useFakeApi } from './parallel-run.js';

const tmp = useTempDir('parallel-e2e');
const fake = useFakeApi();

/** A solution folder of the test's own: the example's files, some replaced, and a stage list. */
function solutionVariant(name: string, files: Record<string, string>, stages: Array<{ name: string; files: string[] }>): string {
  const dir = path.join(tmp.dir, name);
  fs.cpSync(solution, dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  const full = stages.map((s) => ({ ...CLUSTERS.find((c) => c.name === s.name)!, files: s.files }));
  fs.writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify({ stages: full }));
  return dir;
}


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

describe('porter agent --agents 3', () => {
  it('reaches green with merges from several workers, each judged on the green line', async () => {
    const ws = parallelWorkspace(tmp.dir);
    fs.writeFileSync(path.join(ws, 'notes.md'), 'Keep each module to its own file.\n');
    const { r, lines } = await fake.run(ws, solverFor(solution).responder, { note: 'Prefer plain loops.', report: true });
    expect(r.status, lines).toBe('all-pass');
    // The maintainer's note and notes.md reach every worker's first message.
    const firsts = fake.api.requests.filter((q) => q.body.messages.length === 1 && !JSON.stringify(q.body.messages).includes('is done: all'));
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
    expect(r.stats.requests).toBe(fake.api.requests.length);
    // The history record and latest.md carry the workers and the merge queue.
    const history = fs.readFileSync(path.join(ws, 'reports', 'history.jsonl'), 'utf8').trim().split('\n');
    const record = JSON.parse(history.at(-1)!);
    expect(record.agent.merges).toEqual(r.merges);
    expect(record.agent.workers).toEqual(r.workers);
    const latest = fs.readFileSync(path.join(ws, 'reports', 'latest.md'), 'utf8');
    expect(latest).toContain('Merge queue: 4 accepted, 0 rejected, 0 conflicts, 0 superseded');
    for (const w of r.workers!) expect(latest).toMatch(new RegExp(`\\| ${w.id} +\\| +${w.items} +\\| +${w.merged} +\\|`));
  }, 120_000);

  it('counts worker iterations against --max-iterations, and stops there with the green line intact', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const api = await fake.start(solverFor(solution).responder);
    const r = await runAgent({
      configPath: path.join(ws, 'porter.config.yaml'), agents: 3, limits: { maxIterations: 2 }, report: false,
      env: { ...process.env, ...API_ENV, ANTHROPIC_BASE_URL: api.url },
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.status).toBe('max-iterations');
    expect(r.detail).toMatch(/^2 worker iterations done \(limit 2\)$/);
    expect(r.stats.iterations).toBe(2);
    expect(r.merges!.accepted).toBe(2);
    expect(mergeSubjects(ws)).toHaveLength(2);
    expect(git(ws, 'status', '--porcelain')).toBe('');
  }, 120_000);

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
    const { r, lines } = await fake.run(ws, routed([{ solvers: { roman: bad('roman'), count: bad('count') }, times: 1, before: twoMerged }]));
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
  }, 120_000);

  it('sends a result that conflicts with the green line back to the queue, and merges it from the new base', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const original = fs.readFileSync(path.join(solution, 'adapter.mjs'), 'utf8');
    const wrap = solverVariant('wrap', { 'adapter.mjs': `${original}// wrap was ported here\n` }, [{ name: 'wrap', files: ['wrap.mjs', 'adapter.mjs'] }]);
    const kase = solverVariant('case', { 'adapter.mjs': `${original}// case was ported here\n` }, [{ name: 'case', files: ['case.mjs', 'adapter.mjs'] }]);
    const { r, lines } = await fake.run(ws, routed([{ solvers: { wrap, case: kase } }]));
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
  }, 120_000);
});

function solverVariant(name: string, files: Record<string, string>, stages: Array<{ name: string; files: string[] }>): Solver {
  return solverFor(solutionVariant(name, files, stages));
}
