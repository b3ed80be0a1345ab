import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFailureReport } from '../../harness/agent/failure-report.js';
import { failureReportPath } from '../../harness/agent/porter-dir.js';
import { buildSeed, buildTaskMessage, summaryRequest } from '../../harness/agent/task-message.js';
import { compactVerdict, passingIds, phaseDone, type SuiteVerdict } from '../../harness/agent/verdict.js';
import { countsLine } from '../../harness/judge/case-status.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { summarizePhases } from '../../harness/judge/case-status.js';
import type { CaseResult } from '../../harness/run/types.js';
import { loadWorkspaceConfig, makeWorkspace, type Workspace } from './workspace-fixture.js';

let ws: Workspace;
let config: PorterConfig;

beforeAll(async () => {
  ws = makeWorkspace();
  config = await loadWorkspaceConfig(ws.configPath);
});
afterAll(() => ws.cleanup());

const lex = (name: string, extra: Partial<CaseResult>): CaseResult => ({
  id: `test_lexer__lexer@${name}.txt`, phase: 'lexer', status: 'fail', rawStatus: 'fail', durationMs: 1,
  snapshotPath: `tests/snapshots/test_lexer__lexer@${name}.txt.snap`, inputPath: `tests/lexer-inputs/${name}.txt`, ...extra,
});

function verdict(cases: CaseResult[], targetError?: string): SuiteVerdict {
  return { cases, phases: summarizePhases(['lexer', 'parser', 'runtime'], cases), durationMs: 1, ...(targetError ? { targetError } : {}) };
}

const keywordDiff = '--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n-Let\n+Ident\n   "let"\n';
const cases: CaseResult[] = [
  lex('keywords', { diff: keywordDiff, reason: 'output differs' }),
  lex('comments', { diff: '--- expected\n+++ actual\n@@ -1 +1 @@\n-Let\n+Ident\n' }),
  lex('err_bad_escape', { facet: 'kind', expectedFacets: { kind: 'SyntaxError', source: 'debug' }, reason: 'kind differs' }),
  lex('numbers', { status: 'pass', rawStatus: 'pass' }),
  lex('empty', { status: 'skip', rawStatus: 'fail', skipReason: 'later' }),
  { ...lex('x', { status: 'pass', rawStatus: 'pass' }), id: 'test_parser__parser@let.txt', phase: 'parser' },
];

describe('task message', () => {
  it('gives the goal, counts, clusters with full examples, and the report path', () => {
    const m = buildTaskMessage({ config, iteration: 4, phase: 'lexer', verdict: verdict(cases), regressions: [], triesLeft: 2, notes: [], reportFile: '.porter/failures/iteration-3.md', examples: 1 });
    expect(m).toMatch(/^Iteration 4 · phase "lexer" \(1 of 3\)/);
    expect(m).toContain('Now 1 of 5 pass, 3 fail, 1 skip-listed. All phases: lexer 1/4, parser 1/1, runtime 0/0.');
    // The two keyword failures share their first differing line: one group, shown in full.
    expect(m).toContain('Failing cases of "lexer", grouped by likely cause (3 cases, 2 groups):');
    expect(m).toContain('1. first differing line: `-Let` — 2 case(s): test_lexer__lexer@keywords.txt, test_lexer__lexer@comments.txt');
    expect(m).toContain('let print true false'); // the input of the example
    expect(m).toContain('-Let\n+Ident');
    // The second group by id only.
    expect(m).toMatch(/2\. error kind differs \(expected SyntaxError\) — 1 case\(s\): test_lexer__lexer@err_bad_escape\.txt\n/);
    expect(m).toContain('The full report with every failure, its input and diff: .porter/failures/iteration-3.md');
    expect(m).toContain('run_tests {"phase": "lexer"}');
  });

  it('with a work item, aims at its failing cases only and says how many of the phase other agents hold', () => {
    const goal = { phase: 'lexer', cases: [lex('keywords', {}).id, lex('numbers', {}).id], label: 'keywords and numbers' };
    const m = buildTaskMessage({ config, iteration: 2, phase: 'lexer', verdict: verdict(cases), regressions: [], triesLeft: 2, notes: [], reportFile: 'r.md', goal });
    expect(m).toContain('Goal: make the 2 case(s) of your work item pass (keywords and numbers); 1 of them fail now. All phases: lexer 1/4, parser 1/1, runtime 0/0.');
    // comments and err_bad_escape fail too, but are another item's; the skip-listed case is no one's.
    expect(m).toContain('Other agents are working on the 2 other failing case(s) of phase "lexer" at the same time');
    expect(m).not.toContain('Goal: make every case');
    expect(m).toContain('Failing cases of your item, grouped by likely cause (1 cases, 1 groups):');
    expect(m).toContain('— 1 case(s): test_lexer__lexer@keywords.txt');
    for (const other of ['comments', 'err_bad_escape', 'empty']) expect(m).not.toContain(`test_lexer__lexer@${other}.txt`);
  });

  it('names regressions, the reset and the maintainer\'s notes', () => {
    const regressed = lex('numbers', { reason: 'output differs' });
    const m = buildTaskMessage({
      config, iteration: 5, phase: 'lexer', verdict: verdict(cases), regressions: [regressed], triesLeft: 1,
      resetNote: '3 iteration(s) in a row broke cases', notes: ['keep escapes\nexactly'], reportFile: 'r.md',
    });
    expect(m).toContain('The workspace was reset to the last green commit: 3 iteration(s) in a row broke cases.');
    expect(m).toContain('Regressions: 1 case(s) passed at the last green commit and fail now. Fix them first; after 1 more iteration(s) with regressions the workspace is reset');
    expect(m).toContain('- test_lexer__lexer@numbers.txt (lexer) [fail]: output differs');
    expect(m).toContain('Note from the maintainer:\n> keep escapes\n> exactly');
  });

  it('when the target does not start, says so and shows cases to aim at', () => {
    const failing = cases.map((c) => ({ ...c, status: 'error' as const, rawStatus: 'error' as const, reason: 'no start' }));
    const m = buildTaskMessage({ config, iteration: 1, phase: 'lexer', verdict: verdict(failing, 'target command "node" exited'), regressions: [], triesLeft: 3, notes: [], reportFile: 'r.md', examples: 1 });
    expect(m).toContain('The target does not start, so every case fails: target command "node" exited');
    expect(m).toContain('target command `node adapter.mjs`');
    expect(m).toContain('input_file: tests/lexer-inputs/keywords.txt'); // the snapshot shown
    expect(m).not.toContain('grouped by likely cause');
  });

  it('seeds a phase with the protocol, the rules, guidance and earlier summaries', () => {
    const seed = buildSeed({ config, workspace: ws.dir, phase: 'parser', guidance: 'keep the AST shape', summaries: [{ phase: 'lexer', summary: 'lexer.mjs tokenises' }], allowSkip: false });
    expect(seed).toContain(`in the workspace ${ws.dir}`);
    expect(seed).toContain('Protocol stdio');
    expect(seed).toContain('lexer → parser → runtime');
    expect(seed).toContain('Skipping cases is not allowed');
    expect(seed).toContain('Guidance from the maintainer for phase "parser": keep the AST shape');
    expect(seed).toContain('## lexer\nlexer.mjs tokenises');
    expect(summaryRequest('lexer', 13)).toMatch(/^Phase "lexer" is done: all 13 of its cases pass/);
  });
});

describe('verdict helpers and the failure report', () => {
  it('counts passes (skip-listed passes too), phases done, and a compact verdict', () => {
    const v = verdict(cases);
    expect(passingIds(v.cases)).toEqual(['test_lexer__lexer@numbers.txt', 'test_parser__parser@let.txt']);
    expect(phaseDone(v, 'lexer')).toBe(false);
    expect(phaseDone(v, 'parser')).toBe(true);
    expect(countsLine(v.phases)).toBe('lexer 1/4, parser 1/1, runtime 0/0');
    const c = compactVerdict(v, { maxIds: 2 });
    expect(c).toContain('3 failing:');
    expect(c).toContain('- test_lexer__lexer@keywords.txt [fail]: output differs');
    expect(c).toContain('… and 1 more');
    expect(c).toContain('Diff of test_lexer__lexer@keywords.txt');
  });

  it('writes every failure with input and diff to the report file', () => {
    const file = failureReportPath(ws.dir, 7);
    writeFailureReport(file, verdict(cases), config.source, 7);
    const text = fs.readFileSync(file, 'utf8');
    expect(path.relative(ws.dir, file)).toBe('.porter/failures/iteration-7.md');
    expect(text).toMatch(/^# Failing cases after iteration 7/);
    for (const id of ['keywords', 'comments', 'err_bad_escape']) expect(text).toContain(`### test_lexer__lexer@${id}.txt`);
    expect(text).not.toContain('### test_lexer__lexer@numbers.txt');
    expect(text).toContain('let print true false');
  });
});
