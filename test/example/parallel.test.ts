// The parallel example: a phase whose failures fall into four independent clusters, each fixed
// by one module of the solution. Run as porter runs it: the CLI, the real adapter, the reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planWorkItems } from '../../harness/agent/parallel/work-items.js';
import { buildTaskMessage } from '../../harness/agent/task-message.js';
import { runCli } from '../support/cli.js';
import { CLUSTERS, clusterIds as idsOf, parallelWorkspace, runWorkspace as run, workspaceConfig as configOf } from '../support/parallel-example.js';

let dir: string;
const workspace = (solved: string[] = []) => parallelWorkspace(dir, solved);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-parallel-example-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the parallel example', () => {
  it('porter test: basics pass, ops fails in four clusters, one per module, in the report', async () => {
    const ws = workspace();
    const r = await runCli(['test', '--config', path.join(ws, 'porter.config.yaml')], ws);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^basics +3 +3 +0 /m);
    expect(r.stdout).toMatch(/^ops +14 +0 +14 /m);
    const md = fs.readFileSync(path.join(ws, 'reports/latest.md'), 'utf8');
    expect(md).toContain('## Failing cases: 14 in 4 clusters');
    for (const { name } of CLUSTERS) {
      const heading = new RegExp(`### \\d\\. target printed: \`not implemented: ${name}\` — (\\d) cases \\(ops\\)\\n\\n(.*)\\n`).exec(md);
      expect(heading, name).not.toBeNull();
      const listed = [...heading![2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(listed.length, name).toBe(Number(heading![1]));
      expect(listed.every((id) => id!.startsWith(`test_ops__ops@${name}_`)), name).toBe(true);
    }
  });

  it('the task message and the work items cut the phase the same way', async () => {
    const ws = workspace();
    const config = await configOf(ws);
    const result = await run(ws);
    const verdict = { cases: result.cases, phases: result.phases, durationMs: result.durationMs };
    const message = buildTaskMessage({ config, iteration: 1, phase: 'ops', verdict, regressions: [], triesLeft: 3, notes: [], reportFile: 'r.md' });
    expect(message).toContain('Failing cases of "ops", grouped by likely cause (14 cases, 4 groups):');
    const plan = planWorkItems({ phases: config.phases.map((p) => p.name), verdict, base: 'HEAD' });
    expect(plan.phase).toBe('ops');
    expect(plan.items.map((i) => i.label).sort()).toEqual(CLUSTERS.map((c) => `target printed: not implemented: ${c.name}`).sort());
    for (const { name } of CLUSTERS) {
      const item = plan.items.find((i) => i.label.endsWith(`: ${name}`))!;
      expect(item.cases).toEqual(idsOf(name, result).sort());
      expect(message).toContain(`target printed: \`not implemented: ${name}\` — ${item.cases.length} case(s): ${idsOf(name, result).join(', ')}`);
    }
  });

  it('each solution module fixes its own cluster and nothing else; all of them pass everything', async () => {
    for (const { name, files } of CLUSTERS) {
      const result = await run(workspace(files));
      const passing = result.cases.filter((c) => c.phase === 'ops' && c.status === 'pass').map((c) => c.id);
      expect(passing, name).toEqual(idsOf(name, result));
      expect(passing.length, name).toBeGreaterThanOrEqual(3);
    }
    const all = await run(workspace(CLUSTERS.flatMap((c) => c.files)));
    expect(all.cases.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  });
});
