import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAgentConfig } from '../../../harness/agent/agent-config.js';
import { rerootAgent, rerootConfig, rerooter } from '../../../harness/agent/parallel/reroot.js';
import { loadWorkspaceConfig } from '../workspace-fixture.js';
import { useTempDir } from '../../support/temp-dir.js';

const tmp = useTempDir('reroot');

describe('rerooter', () => {
  const at = rerooter('/work/ws', '/work/ws/.porter/worktrees/w1');

  it('moves paths inside the workspace, the workspace itself included, and leaves the rest', () => {
    expect(at('/work/ws')).toBe('/work/ws/.porter/worktrees/w1');
    expect(at('/work/ws/target/lib')).toBe('/work/ws/.porter/worktrees/w1/target/lib');
    expect(at('/work/source/tests')).toBe('/work/source/tests');
    // A sibling whose name starts with the workspace's is not inside it.
    expect(at('/work/ws-other/x')).toBe('/work/ws-other/x');
    expect(at('/')).toBe('/');
    // A folder inside whose name starts with two dots is still inside.
    expect(at('/work/ws/..cache/x')).toBe('/work/ws/.porter/worktrees/w1/..cache/x');
  });
});

describe('rerootConfig and rerootAgent', () => {
  it('move what the worker builds, judges and is barred from, and keep the source, its inputs and outside paths', async () => {
    const ws = path.join(tmp.dir, 'ws');
    const outside = path.join(tmp.dir, 'shared');
    for (const d of ['target', 'skiplist', 'overrides', 'upstream/tests/snapshots', 'upstream/tests/inputs']) fs.mkdirSync(path.join(ws, d), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(ws, 'upstream/tests/snapshots/a.snap'), '---\n---\nx\n');
    fs.writeFileSync(path.join(ws, 'porter.config.yaml'), [
      'source: upstream',
      'snapshots: ["tests/snapshots/*.snap"]',
      'phases: [{ name: p, cases: ["*"], inputs: [tests/inputs] }]',
      'target: { command: node adapter.mjs, cwd: target }',
      'skiplist: skiplist',
      'overrides: overrides',
      `reports: { dir: ${JSON.stringify(path.join(outside, 'reports'))} }`,
      `agent: { no_read: [secrets/key.txt, ${JSON.stringify(path.join(outside, 'private'))}] }`,
      '',
    ].join('\n'));
    const config = await loadWorkspaceConfig(path.join(ws, 'porter.config.yaml'));
    const read = readAgentConfig(config);
    if (!read.ok) throw new Error(read.message);
    const wt = path.join(ws, '.porter', 'worktrees', 'w2');

    const c = rerootConfig(config, ws, wt);
    expect(c.configPath).toBe(path.join(wt, 'porter.config.yaml'));
    expect(c.configDir).toBe(wt);
    expect(c.target.cwd).toBe(path.join(wt, 'target'));
    expect(c.skiplist).toBe(path.join(wt, 'skiplist'));
    expect(c.overrides).toBe(path.join(wt, 'overrides'));
    expect(c.reports.dir).toBe(path.join(outside, 'reports'));
    // Read-only to every agent, and possibly untracked: the worktree may not have them.
    expect(c.source).toBe(path.join(ws, 'upstream'));
    expect(c.phases[0]!.inputs).toEqual([path.join(ws, 'upstream', 'tests', 'inputs')]);
    expect(c.target.command).toEqual(config.target.command);
    // The original is left as it was: the coordinator keeps using it.
    expect(config.target.cwd).toBe(path.join(ws, 'target'));

    const a = rerootAgent(read.agent, ws, wt);
    expect(a.workspace).toBe(wt);
    expect(a.noRead).toEqual([path.join(wt, 'secrets', 'key.txt'), path.join(outside, 'private')]);
    expect(read.agent.workspace).toBe(ws);
  });
});
