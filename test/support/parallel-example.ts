/**
 * The parallel example (fixtures/parallel) as tests use it: its clusters, and throwaway
 * workspaces holding a copy of its config and target (any solution files written over the
 * stubs), with the source project read in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { runSuite } from '../../harness/run/run-suite.js';
import type { RunResult } from '../../harness/run/types.js';
import type { Stage } from './fake-anthropic-solver.js';

export const parallelExample = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/parallel');

/** The independent clusters of the ops phase, each with the solution file that fixes it. */
export const CLUSTERS = (JSON.parse(fs.readFileSync(path.join(parallelExample, 'solution/clusters.json'), 'utf8')) as { stages: Array<Required<Stage>> }).stages;

/** The ids of a cluster's cases in a run. */
export const clusterIds = (name: string, result: RunResult): string[] => result.cases.filter((c) => c.id.startsWith(`test_ops__ops@${name}_`)).map((c) => c.id);

/** A new workspace under `parent`: porter.config.yaml and target/, with `solved` solution files copied in. */
export function parallelWorkspace(parent: string, solved: string[] = []): string {
  const ws = fs.mkdtempSync(path.join(parent, 'ws-'));
  fs.cpSync(path.join(parallelExample, 'target'), path.join(ws, 'target'), { recursive: true });
  for (const file of solved) fs.copyFileSync(path.join(parallelExample, 'solution', file), path.join(ws, 'target', file));
  let yaml = fs.readFileSync(path.join(parallelExample, 'porter.config.yaml'), 'utf8').replace(/^source: .*$/m, `source: ${JSON.stringify(path.join(parallelExample, 'source'))}`);
  // One adapter process per suite run: the example's 17 cases need no more, and tests run many suites at once.
  yaml = yaml.replace(/^ {2}workers: 2$/m, '  workers: 1');
  fs.writeFileSync(path.join(ws, 'porter.config.yaml'), yaml);
  return ws;
}

export async function workspaceConfig(ws: string): Promise<PorterConfig> {
  const loaded = await loadConfig(path.join(ws, 'porter.config.yaml'));
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

export async function runWorkspace(ws: string, phase?: string): Promise<RunResult> {
  const outcome = await runSuite(await workspaceConfig(ws), phase ? { phases: [phase] } : {});
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.result;
}
