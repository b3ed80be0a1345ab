/**
 * Hand-built run results in the shape the runner produces: three phases, every status,
 * diffs holding `<`, `&`, `"`, backticks and raw control characters.
 */
import type { CaseResult, RunResult } from '../../harness/run/types.js';
import type { CaseStatus, PhaseSummary } from '../../harness/judge/case-status.js';
import type { AgentStats, RecordedRun } from '../../harness/reports/history-types.js';
import { lastResults, recordFromRun, type RecordExtra } from '../../harness/reports/history.js';
import { reportInput, type ReportInput } from '../../harness/reports/view.js';

type Partial1 = Partial<CaseResult> & Pick<CaseResult, 'id' | 'phase' | 'status'>;

export function makeCase(p: Partial1): CaseResult {
  const raw: CaseResult['rawStatus'] =
    p.status === 'skip' ? 'fail' : p.status === 'unexpected-pass' ? 'pass' : (p.status as CaseResult['rawStatus']);
  return {
    rawStatus: raw,
    durationMs: 3,
    snapshotPath: `tests/snapshots/${p.id}.snap`,
    inputPath: `tests/inputs/${p.id.split('@')[1] ?? 'x.txt'}`,
    ...p,
  };
}

export function summarize(cases: CaseResult[], order: string[]): PhaseSummary[] {
  return order.map((phase) => {
    const s: PhaseSummary = { phase, total: 0, pass: 0, fail: 0, skip: 0, unexpectedPass: 0, timeout: 0, crash: 0, error: 0, overrides: 0, fuzzy: 0 };
    for (const c of cases.filter((x) => x.phase === phase)) {
      s.total++;
      if (c.status === 'unexpected-pass') s.unexpectedPass++;
      else s[c.status]++;
      if (c.how === 'override') s.overrides++;
      if (c.how === 'fuzzy') s.fuzzy++;
    }
    return s;
  });
}

export function makeRun(cases: CaseResult[], startedAt: string, order = ['lexer', 'parser', 'runtime']): RunResult {
  return { version: 1, startedAt, durationMs: 4321, phases: summarize(cases, order), cases, staleSkips: [], warnings: [] };
}

export const DIFF_LT = [
  '--- expected',
  '+++ actual',
  '@@ -1,3 +1,3 @@',
  ' <ul>',
  '-  <li class="a">Tom &amp; Jerry</li>',
  '+  <li class="a">Tom & Jerry</li>',
  ' </ul>',
].join('\n');

/** A diff with raw control characters and a backtick fence inside, as a badly behaved target might print. */
export const DIFF_CONTROL = [
  '--- expected',
  '+++ actual',
  '@@ -1,2 +1,2 @@',
  '-hello\u001b[31m world',
  '+hello\u0000 world\u0007',
  ' ```not a fence```',
].join('\n');

export const DIFF_TOKENS = (name: string) =>
  ['--- expected', '+++ actual', '@@ -1,4 +1,4 @@', ' [', '-  (Ident("' + name + '"), 1:0-1:3),', '+  (Ident("' + name + '"), 1:0-1:4),', ' ]'].join('\n');

/** A baseline run: lexer nearly done, parser half way, runtime barely started. */
export function baseCases(): CaseResult[] {
  const cases: CaseResult[] = [];
  for (let i = 0; i < 10; i++) cases.push(makeCase({ id: `test_lexer__lexer@case${i}.txt`, phase: 'lexer', status: i < 8 ? 'pass' : 'fail', how: 'exact' }));
  cases[8] = makeCase({ id: 'test_lexer__lexer@case8.txt', phase: 'lexer', status: 'fail', facet: 'output', reason: 'line 2 differs', diff: DIFF_TOKENS('foo') });
  cases[9] = makeCase({ id: 'test_lexer__lexer@case9.txt', phase: 'lexer', status: 'skip', skipReason: 'raw blocks need the <raw> state & more', diff: DIFF_TOKENS('bar') });
  for (let i = 0; i < 12; i++) {
    const id = `test_parser__parser@p${i}.txt`;
    if (i < 5) cases.push(makeCase({ id, phase: 'parser', status: 'pass', how: i === 4 ? 'fuzzy' : 'exact', level: 'kind+line' }));
    else if (i < 8) cases.push(makeCase({ id, phase: 'parser', status: 'fail', facet: 'output', reason: 'output differs at line 2', diff: DIFF_LT }));
    else if (i === 8)
      cases.push(
        makeCase({
          id,
          phase: 'parser',
          status: 'fail',
          facet: 'kind',
          reason: 'error kind differs: expected SyntaxError, got InvalidOperation',
          expectedFacets: { kind: 'SyntaxError', line: 1, message: 'unexpected end of input', source: 'debug', marker: '!!!SYNTAX ERROR!!!' },
          actualFacets: { kind: 'InvalidOperation', line: 1, message: 'bad', source: 'response' },
        }),
      );
    else if (i === 9) cases.push(makeCase({ id, phase: 'parser', status: 'timeout', reason: 'no response within 5 s' }));
    else if (i === 10) cases.push(makeCase({ id, phase: 'parser', status: 'pass', how: 'override', overrideReason: 'Go prints "nil" where Rust prints "None"' }));
    else cases.push(makeCase({ id, phase: 'parser', status: 'unexpected-pass', how: 'exact', skipReason: 'filters with arguments' }));
  }
  cases.push(makeCase({ id: 'test_templates__vm@loop_controls.txt', phase: 'runtime', status: 'pass', how: 'normalized' }));
  cases.push(makeCase({ id: 'test_templates__vm@crash&burn.txt', phase: 'runtime', status: 'crash', reason: 'worker exited with code 2', stderrTail: 'panic: runtime error: index out of range [3] with length 3\ngoroutine 1 [running]:' }));
  cases.push(makeCase({ id: 'test_templates__vm@bad"json".txt', phase: 'runtime', status: 'error', reason: 'tests/inputs/bad"json".txt:1:5: malformed JSON header' }));
  cases.push(makeCase({ id: 'test_templates__vm@ctrl.txt', phase: 'runtime', status: 'fail', facet: 'output', reason: 'output differs', diff: DIFF_CONTROL }));
  cases.push(makeCase({ id: 'test_templates__vm@`tick`<b>.txt', phase: 'runtime', status: 'skip', skipReason: 'needs <b> | escaping' }));
  return cases;
}

/** The same suite a night later: some fixed, one regressed. */
export function laterCases(): CaseResult[] {
  return baseCases().map((c) => {
    if (c.id === 'test_lexer__lexer@case8.txt') return makeCase({ id: c.id, phase: c.phase, status: 'pass', how: 'exact' });
    if (c.id === 'test_parser__parser@p5.txt') return makeCase({ id: c.id, phase: c.phase, status: 'pass', how: 'exact' });
    if (c.id === 'test_parser__parser@p0.txt') return makeCase({ id: c.id, phase: c.phase, status: 'fail', facet: 'output', reason: 'output differs', diff: DIFF_LT });
    if (c.id === 'test_parser__parser@p9.txt') return makeCase({ id: c.id, phase: c.phase, status: 'fail', facet: 'output', reason: 'output differs', diff: DIFF_LT });
    return c;
  });
}

export const AGENT_STATS: AgentStats = {
  wallMs: 7 * 3_600_000 + 12 * 60_000,
  messages: 2698,
  humanPrompts: 14,
  toolCalls: 1386,
  tokens: { input: 410_000, output: 190_000, cacheRead: 1_500_000, cacheWrite: 120_000 },
  costUsd: 60.25,
  models: ['claude-sonnet-4-5', 'claude-haiku-4-5'],
  iterations: 23,
  commits: 11,
  backend: 'anthropic',
  stopReason: 'stall',
  stopDetail: 'no progress for 5 iterations',
  phases: [
    { phase: 'lexer', wallMs: 3_600_000, messages: 900, humanPrompts: 4, toolCalls: 400, tokens: { input: 100_000, output: 50_000, cacheRead: 500_000, cacheWrite: 40_000 }, costUsd: 18.5, models: ['claude-sonnet-4-5'], iterations: 6, commits: 4 },
    { phase: 'parser', wallMs: 22_320_000, messages: 1798, humanPrompts: 10, toolCalls: 986, tokens: { input: 310_000, output: 140_000, cacheRead: 1_000_000, cacheWrite: 80_000 }, costUsd: 41.75, models: ['claude-sonnet-4-5', 'claude-haiku-4-5'], iterations: 17, commits: 7 },
  ],
};

/** The same stats from a parallel run: three workers (one idle, one with markup in its id) and the merge queue's outcome. */
export const PARALLEL_STATS: AgentStats = {
  ...AGENT_STATS,
  workers: [
    // 62.5% of the wall time: shown as 62%, never rounded up.
    { id: 'w1', items: 4, merged: 3, rejected: 0, conflicts: 1, costUsd: 12.5, busyMs: 16_200_000 },
    { id: 'w2', items: 3, merged: 2, rejected: 1, conflicts: 0, costUsd: 0.004, busyMs: AGENT_STATS.wallMs },
    { id: 'w3 <b>', items: 0, merged: 0, rejected: 0, conflicts: 0, costUsd: 0, busyMs: 0 },
  ],
  merges: { accepted: 5, rejected: 1, conflicts: 1, superseded: 0 },
};

/** A large run for size and speed checks: `n` cases over three phases, every tenth failing. */
export function bigRun(n: number, startedAt: string): RunResult {
  const phases = ['lexer', 'parser', 'runtime'];
  const statuses: CaseStatus[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'skip', 'fail'];
  const cases = Array.from({ length: n }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const phase = phases[Math.floor((i * phases.length) / n)]!;
    return makeCase({
      id: `test_${phase}__${phase}@case_${String(i).padStart(5, '0')}.txt`,
      phase,
      status,
      ...(status === 'fail' ? { facet: 'output' as const, reason: 'output differs', diff: DIFF_TOKENS(`v${i % 7}`) } : {}),
      ...(status === 'skip' ? { skipReason: `parked in night ${i % 3}` } : {}),
      ...(status === 'pass' ? { how: 'exact' as const } : {}),
    });
  });
  return makeRun(cases, startedAt, phases);
}

/**
 * A week of nights on a 300-case suite: the lexer finishes first, then the parser, the
 * runtime climbs; a few cases regress and recover. Deterministic.
 */
export function weekOfRuns(nights = 7): RunResult[] {
  const phases: Array<[string, number, string]> = [
    ['lexer', 40, 'test_lexer__lexer@'],
    ['parser', 80, 'test_parser__parser@'],
    ['runtime', 180, 'test_templates__vm@'],
  ];
  const runs: RunResult[] = [];
  for (let night = 0; night < nights; night++) {
    const cases: CaseResult[] = [];
    phases.forEach(([phase, n, prefix], pi) => {
      const progress = Math.min(1, Math.max(0, (night + 1.5 - pi * 1.6) / (nights - 0.5)));
      for (let i = 0; i < n; i++) {
        const id = `${prefix}${['if', 'for', 'macro', 'filter', 'call', 'set', 'raw', 'loop'][i % 8]}_${String(i).padStart(3, '0')}.txt`;
        const rank = ((i * 37) % n) / n;
        let c: CaseResult;
        if (i % 41 === 7) {
          c = makeCase({ id, phase, status: night >= 4 ? 'unexpected-pass' : 'skip', how: 'exact', skipReason: 'whitespace control (`{%-`) not ported yet' });
        } else if (i % 23 === 4 && rank < progress) {
          c = makeCase({ id, phase, status: 'pass', how: 'override', overrideReason: 'Go formats floats as 1e+06 where Rust prints 1000000.0' });
        } else if (rank < progress * 0.97) c = makeCase({ id, phase, status: 'pass', how: i % 11 === 0 ? 'fuzzy' : 'exact' });
        else if (i % 53 === 9) c = makeCase({ id, phase, status: 'crash', reason: 'worker exited with signal SIGSEGV', stderrTail: 'panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]' });
        else if (i % 61 === 11) c = makeCase({ id, phase, status: 'error', reason: `tests/inputs/${id}: response is not JSON: "<html>"` });
        else if (i % 13 === 5) c = makeCase({ id, phase, status: 'skip', skipReason: i % 2 ? 'needs unicode identifiers (<α>)' : 'Rust-specific Debug output' });
        else if (i % 29 === 3) c = makeCase({ id, phase, status: 'timeout', reason: 'no response within 10 s' });
        else if (i % 17 === 2) {
          c = makeCase({
            id,
            phase,
            status: 'fail',
            facet: 'kind',
            reason: 'error kind differs: expected SyntaxError, got UndefinedError',
            expectedFacets: { kind: 'SyntaxError', line: 1, source: 'debug' },
            actualFacets: { kind: 'UndefinedError', line: 1, source: 'response' },
          });
        } else c = makeCase({ id, phase, status: 'fail', facet: 'output', reason: 'output differs at line 2', diff: i % 2 ? DIFF_LT : DIFF_TOKENS(`name${i % 5}`) });
        cases.push(c);
      }
    });
    const day = String(1 + night).padStart(2, '0');
    runs.push(makeRun(cases, `2024-05-${day}T02:${String(10 + night).padStart(2, '0')}:00.000Z`));
  }
  return runs;
}

/** Records runs one after another in memory, each compared with the last one with results, as writeReports does on disk. */
export function recordRuns(steps: Array<RecordExtra & { run: RunResult | null }>): RecordedRun[] {
  const runs: RecordedRun[] = [];
  for (const { run, ...extra } of steps) {
    const previous = lastResults(runs.map((r) => r.record));
    runs.push(recordFromRun(run, runs.find((r) => r.record === previous) ?? null, extra));
  }
  return runs;
}

/** What the reports read of an in-memory history: every summary, the last details. */
export function inputOf(runs: readonly RecordedRun[]): ReportInput {
  return reportInput(
    runs.map((r) => r.record),
    (record) => runs.find((r) => r.record === record)?.detail ?? null,
  );
}

/** A test run, then an agent run with these stats, as the reports read them. */
export function agentRunInput(agent: AgentStats): ReportInput {
  return inputOf(
    recordRuns([
      { run: makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), kind: 'test', rev: null },
      { run: makeRun(laterCases(), '2024-05-02T02:00:00.000Z'), kind: 'agent', rev: null, agent },
    ]),
  );
}
