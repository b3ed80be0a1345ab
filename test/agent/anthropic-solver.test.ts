// The scripted solver drives the built-in agent through the real tools and the real suite
// runner, phase by phase, on the bundled example (the loop's end-to-end tests build on it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicBackend } from '../../harness/agent/anthropic/backend.js';
import { createToolSet } from '../../harness/agent/tools/tool-set.js';
import type { IterationContext } from '../../harness/agent/types.js';
import { createGuard } from '../../harness/agent/workspace-guard.js';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { runSuite } from '../../harness/run/run-suite.js';
import { FixedPriceBudget, MemorySession } from '../support/fake-anthropic-kit.js';
import { createSolver, defaultIsSummaryRequest, defaultPhaseOf } from '../support/fake-anthropic-solver.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(repo, 'fixtures/example');

let workspace: string;
let config: PorterConfig;
let fake: FakeAnthropic;

beforeAll(async () => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-solver-'));
  fs.mkdirSync(path.join(workspace, 'skiplist'));
  fs.mkdirSync(path.join(workspace, 'tests/snapshots'), { recursive: true });
  fs.writeFileSync(path.join(workspace, 'tests/snapshots/keep.snap'), 'original\n');
  const rootConfig = fs.readFileSync(path.join(repo, 'porter.config.yaml'), 'utf8');
  const yaml = rootConfig
    .replace(/^source: .*$/m, `source: ${JSON.stringify(path.join(example, 'source'))}`)
    .replace(/^ {2}cwd: .*$/m, '  cwd: .')
    .replace(/^ {2}workers: .*$/m, '  workers: 1')
    .replace(/^overrides: .*$/m, `overrides: ${JSON.stringify(path.join(example, 'overrides'))}`)
    .replace(/^reports:[\s\S]*$/m, '');
  fs.writeFileSync(path.join(workspace, 'porter.config.yaml'), yaml);
  const loaded = await loadConfig(path.join(workspace, 'porter.config.yaml'));
  if (!loaded.ok) throw new Error(loaded.message);
  config = loaded.config;
});

afterAll(async () => {
  await fake?.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});

async function runTests(phase?: string): Promise<string> {
  const outcome = await runSuite(config, phase ? { phases: [phase] } : {});
  if (!outcome.ok) return `error: ${outcome.message}`;
  return outcome.result.phases.filter((p) => p.total > 0).map((p) => `${p.phase}: ${p.pass}/${p.total} pass`).join('\n');
}

describe('fake solver', () => {
  it('solves the example phase by phase through the real tools, and misbehaves on cue', async () => {
    const solver = createSolver({
      solutionDir: path.join(example, 'solution'),
      misbehave: [
        { phase: 'lexer', kind: 'write-snapshot', path: 'tests/snapshots/keep.snap' },
        { phase: 'parser', kind: 'escape' },
        { phase: 'runtime', kind: 'bad-argument' },
      ],
    });
    fake = await startFakeAnthropic({ responder: solver.responder });
    const guard = createGuard({ workspace, readOnly: [{ pattern: path.join(workspace, 'tests/snapshots'), what: 'the snapshots' }] });
    const tools = createToolSet({ guard, runTests });
    const session = new MemorySession();
    const backend = createAnthropicBackend({ apiKey: 'sk-ant-test-key-000', baseURL: fake.url, maxRetries: 0 });
    const base = { tools, session, budget: new FixedPriceBudget(), model: 'claude-test', fresh: true };

    const summaries: string[] = [];
    for (const [i, phase] of ['lexer', 'parser', 'runtime'].entries()) {
      const ctx: IterationContext = { ...base, iteration: 2 * i + 1, phase, seed: `Phase ${phase}: make its cases pass.`, message: `Phase ${phase}: 0 of N cases pass. Make them pass.` };
      const work = await backend.runIteration(ctx);
      expect(work.stop).toBe('done');
      expect(work.finalText).toMatch(new RegExp(`run_tests: ${phase}: (\\d+)/\\1 pass`));
      const summary = await backend.runIteration({ ...ctx, iteration: 2 * i + 2, fresh: false, message: `All ${phase} cases pass. Write the phase summary: what was built, where, what is left.` });
      summaries.push(summary.finalText);
    }

    expect(summaries[0]).toMatch(/^Phase lexer summary: wrote adapter.mjs, lexer.mjs/);
    expect(await runTests()).toMatch(/^lexer: (\d+)\/\1 pass\nparser: (\d+)\/\2 pass\nruntime: (\d+)\/\3 pass$/);
    expect(solver.phasesSeen).toEqual(['lexer', 'parser', 'runtime']);

    // The misbehaviour was refused by the real tools, and the solver carried on.
    expect(solver.fired.map((m) => m.kind)).toEqual(['write-snapshot', 'escape', 'bad-argument']);
    expect(fs.readFileSync(path.join(workspace, 'tests/snapshots/keep.snap'), 'utf8')).toBe('original\n');
    expect(fs.existsSync(path.join(path.dirname(workspace), 'escaped.txt'))).toBe(false);
    const refused = session.ofType('tool-result').filter((r) => r.toolUseId.includes('_misbehave_'));
    expect(refused.map((r) => r.result.isError)).toEqual([true, true, true]);
    expect(refused[0]!.result.content).toMatch(/snapshot/i);
  });
});

describe('solver phase detection', () => {
  const phases = ['lexer', 'parser', 'runtime'];
  it('reads the phase from "phase X", "X phase", or a bare mention', () => {
    expect(defaultPhaseOf('Current phase: parser (3 failing)', phases)).toBe('parser');
    expect(defaultPhaseOf('The runtime phase has 2 regressions; the lexer is fine', phases)).toBe('runtime');
    expect(defaultPhaseOf('fix the lexer', phases)).toBe('lexer');
    expect(defaultPhaseOf('nothing to see', phases)).toBeNull();
  });

  it('recognises a phase-summary request', () => {
    expect(defaultIsSummaryRequest('Phase lexer is done. Write the phase summary.')).toBe(true);
    expect(defaultIsSummaryRequest('Summarise what you built.')).toBe(true);
    expect(defaultIsSummaryRequest('Make the parser cases pass.')).toBe(false);
  });
});
