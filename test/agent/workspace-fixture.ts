/**
 * A real workspace for the agent tests: a temp folder with a porter config over the bundled
 * example's source suite (read in place, outside the workspace), an empty target folder
 * and a skip-list folder, ready for `porter agent` to make a git repository of it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const exampleDir = path.join(repoRoot, 'fixtures/example');
export const solutionDir = path.join(exampleDir, 'solution');

export interface Workspace {
  dir: string;
  configPath: string;
  cleanup(): void;
}

export interface WorkspaceOptions {
  agent?: Record<string, unknown>;
  /** Solution stages (`lexer`, `parser`, `runtime`) already written into the target. */
  solved?: string[];
  /** Only the adapter, so the target starts and answers `not implemented` (fast, unlike a missing target). */
  adapter?: boolean;
  /** Extra top-level config keys. */
  extra?: Record<string, unknown>;
}

const STAGES: Record<string, string[]> = { lexer: ['adapter.mjs', 'lexer.mjs'], parser: ['parser.mjs'], runtime: ['runtime.mjs'] };

export function stageFiles(stage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of STAGES[stage] ?? []) out[`target/${f}`] = fs.readFileSync(path.join(solutionDir, f), 'utf8');
  return out;
}

export function makeWorkspace(opts: WorkspaceOptions = {}): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-agent-ws-'));
  fs.mkdirSync(path.join(dir, 'target'));
  fs.mkdirSync(path.join(dir, 'skiplist'));
  fs.cpSync(path.join(exampleDir, 'overrides'), path.join(dir, 'overrides'), { recursive: true });
  if (opts.adapter) fs.copyFileSync(path.join(solutionDir, 'adapter.mjs'), path.join(dir, 'target', 'adapter.mjs'));
  for (const stage of opts.solved ?? []) {
    for (const [rel, text] of Object.entries(stageFiles(stage))) fs.writeFileSync(path.join(dir, rel), text);
  }
  const config = {
    source: path.join(exampleDir, 'source'),
    snapshots: ['tests/snapshots/*.snap'],
    phases: [
      { name: 'lexer', cases: ['test_lexer__lexer@*'], inputs: ['tests/lexer-inputs'] },
      { name: 'parser', cases: ['test_parser__parser@*'], inputs: ['tests/parser-inputs'] },
      { name: 'runtime', cases: ['test_eval__eval@*'], inputs: ['tests/inputs'] },
    ],
    target: { command: 'node adapter.mjs', protocol: 'stdio', workers: 2, timeout: '10s', cwd: 'target' },
    compare: { level: 'kind+line+message', error_markers: ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'], similarity: 0.6 },
    skiplist: 'skiplist',
    overrides: 'overrides',
    protected: ['test_lexer__lexer@program.txt', 'test_lexer__lexer@strings.txt'],
    reports: { dir: '.porter/reports' },
    ...(opts.agent ? { agent: opts.agent } : {}),
    ...opts.extra,
  };
  const configPath = path.join(dir, 'porter.config.yaml');
  fs.writeFileSync(configPath, stringify(config));
  return { dir, configPath, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export async function loadWorkspaceConfig(configPath: string): Promise<PorterConfig> {
  const r = await loadConfig(configPath);
  if (!r.ok) throw new Error(r.message);
  return r.config;
}
