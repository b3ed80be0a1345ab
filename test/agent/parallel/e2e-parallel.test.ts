/**
 * `porter agent --agents 3` end to end on one machine: the real coordinator, workers in real
 * git worktrees, the built-in agent through the SDK against the fake Messages API (one
 * conversation per item, served at once), the real suite runner and the real merge queue.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../../harness/agent/run-agent.js';
import { readSession } from '../../../harness/agent/session-log.js';
import { clusterStageOf, createSolver } from '../../support/fake-anthropic-solver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import { parallelExample, parallelWorkspace } from '../../support/parallel-example.js';
import { useTempDir } from '../../support/temp-dir.js';

const tmp = useTempDir('parallel-e2e');
let api: FakeAnthropic | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('porter agent --agents 3', () => {
  it('reaches green with merges from several workers, each judged on the green line', async () => {
    const ws = parallelWorkspace(tmp.dir);
    const solver = createSolver({ solutionDir: path.join(parallelExample, 'solution'), stagesFile: 'clusters.json', stageOf: clusterStageOf, targetPrefix: 'target/' });
    api = await startFakeAnthropic({ responder: solver.responder });
    const lines: string[] = [];
    const r = await runAgent({
      configPath: path.join(ws, 'porter.config.yaml'), agents: 3,
      env: { ...process.env, ANTHROPIC_API_KEY: 'sk-ant-test-0123456789', ANTHROPIC_BASE_URL: api.url },
      progress: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`),
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.status, lines.join('\n')).toBe('all-pass');
    expect(r.failing).toEqual([]);
    expect(r.merges).toEqual({ accepted: 4, rejected: 0, conflicts: 0, superseded: 0 });
    const mergedBy = r.workers!.filter((w) => w.merged > 0);
    expect(mergedBy.length).toBeGreaterThanOrEqual(2);
    expect(r.workers!.reduce((n, w) => n + w.merged, 0)).toBe(4);
    const subjects = git(ws, 'log', '--first-parent', '--format=%s').split('\n');
    expect(subjects.filter((s) => /^porter: merge w-[0-9a-f]{12} from w\d: ops \d+\/14 \(\+\d\)$/.test(s))).toHaveLength(4);
    expect(git(ws, 'status', '--porcelain')).toBe('');
    const log = readSession(r.sessionFile).entries;
    expect(log.filter((e) => e.type === 'phase-summary').map((e) => (e as { phase: string }).phase)).toEqual(['ops']);
    expect(fs.readFileSync(r.sessionFile, 'utf8')).not.toContain('sk-ant-test');
  });
});
