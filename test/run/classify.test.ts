import { describe, expect, it } from 'vitest';
import { classifyCase } from '../../harness/run/classify.js';
import { summarizePhases, allRequiredPass, totalSummary } from '../../harness/judge/case-status.js';
import type { Case } from '../../harness/suite/types.js';
import type { CaseResult } from '../../harness/run/types.js';

function makeCase(id: string, extra: Partial<Case> = {}): Case {
  return {
    id,
    phase: 'lexer',
    snapshot: { path: `tests/snapshots/${id}.snap`, header: { extra: {} }, kind: 'text', body: 'x\n', legacy: false },
    input: { path: `tests/inputs/${id}`, header: null, headerRaw: null, body: 'x' },
    ...extra,
  };
}

const output = { status: 'output' as const, output: 'x', durationMs: 3 };

describe('classifyCase', () => {
  it('passes carry how they matched', () => {
    const r = classifyCase({ testCase: makeCase('a'), outcome: output, verdict: { pass: true, how: 'fuzzy', level: 'kind' }, skip: null, protectedCase: false });
    expect(r).toMatchObject({ status: 'pass', rawStatus: 'pass', how: 'fuzzy', level: 'kind', durationMs: 3 });
  });

  it('failures carry the facet, reason, diff and the actual output', () => {
    const r = classifyCase({
      testCase: makeCase('a'),
      outcome: { ...output, output: 'y' },
      verdict: { pass: false, facet: 'line', reason: 'line: expected 3, got 4', diff: '-a\n+b' },
      skip: null,
      protectedCase: false,
    });
    expect(r).toMatchObject({ status: 'fail', facet: 'line', reason: 'line: expected 3, got 4', diff: '-a\n+b', actual: 'y' });
  });

  it('failing cases carry the words of their input for clustering; passing ones do not', () => {
    const testCase = makeCase('a', { input: { path: 'in.txt', header: { items: [1] }, headerRaw: '{"items": [1]}', body: '{% for x in items %}{{ x|upper }}{% endfor %}' } });
    const fail = classifyCase({ testCase, outcome: output, verdict: { pass: false, facet: 'output', reason: 'differs' }, skip: null, protectedCase: false });
    expect(fail.features).toEqual(['for', 'in', 'items', 'upper', 'endfor']);
    const timeout = classifyCase({ testCase, outcome: { status: 'timeout', durationMs: 9, stderrTail: '' }, verdict: null, skip: null, protectedCase: false });
    expect(timeout.features).toEqual(['for', 'in', 'items', 'upper', 'endfor']);
    const pass = classifyCase({ testCase, outcome: output, verdict: { pass: true, how: 'exact' }, skip: null, protectedCase: false });
    expect(pass.features).toBeUndefined();
  });

  it('a skip-listed case that passes is an unexpected pass; one that fails is a skip', () => {
    const pass = classifyCase({ testCase: makeCase('a'), outcome: output, verdict: { pass: true, how: 'exact' }, skip: { reason: 'wip' }, protectedCase: false });
    expect(pass).toMatchObject({ status: 'unexpected-pass', rawStatus: 'pass', skipReason: 'wip' });
    const crash = classifyCase({
      testCase: makeCase('a'),
      outcome: { status: 'crash', durationMs: 1, exitCode: 3, signal: null, stderrTail: 'boom' },
      verdict: null,
      skip: { reason: 'wip' },
      protectedCase: false,
    });
    expect(crash).toMatchObject({ status: 'skip', rawStatus: 'crash', stderrTail: 'boom' });
    expect(crash.reason).toContain('exit code 3');
  });

  it('protected cases ignore the skip-list', () => {
    const r = classifyCase({
      testCase: makeCase('a'),
      outcome: output,
      verdict: { pass: false, facet: 'output', reason: 'differs' },
      skip: { reason: 'wip' },
      protectedCase: true,
    });
    expect(r).toMatchObject({ status: 'fail', protected: true });
    expect(r.skipReason).toBeUndefined();
  });

  it('a case with a problem is an error with that reason, without running', () => {
    const r = classifyCase({ testCase: makeCase('a', { problem: 'input file tests/inputs/a not found', input: null }), outcome: null, verdict: null, skip: null, protectedCase: false });
    expect(r).toMatchObject({ status: 'error', reason: 'input file tests/inputs/a not found' });
    expect(r.inputPath).toBeUndefined();
  });

  it('timeouts and target protocol errors keep their own statuses', () => {
    const t = classifyCase({ testCase: makeCase('a'), outcome: { status: 'timeout', durationMs: 1000, stderrTail: '' }, verdict: null, skip: null, protectedCase: false });
    expect(t.status).toBe('timeout');
    const e = classifyCase({ testCase: makeCase('a'), outcome: { status: 'error', durationMs: 1, message: 'response is not JSON' }, verdict: null, skip: null, protectedCase: false });
    expect(e).toMatchObject({ status: 'error', reason: 'response is not JSON' });
  });
});

describe('summarizePhases', () => {
  const r = (phase: string, status: CaseResult['status'], how?: CaseResult['how']): CaseResult =>
    ({ id: `${phase}-${status}-${Math.random()}`, phase, status, rawStatus: 'pass', durationMs: 0, snapshotPath: '', ...(how ? { how } : {}) }) as CaseResult;

  it('counts every status per phase in config order, including empty phases', () => {
    const cases = [r('parser', 'fail'), r('lexer', 'pass', 'fuzzy'), r('lexer', 'pass', 'override'), r('lexer', 'unexpected-pass'), r('parser', 'timeout')];
    const phases = summarizePhases(['lexer', 'parser', 'runtime'], cases);
    expect(phases.map((p) => p.phase)).toEqual(['lexer', 'parser', 'runtime']);
    expect(phases[0]).toMatchObject({ total: 3, pass: 2, unexpectedPass: 1, fuzzy: 1, overrides: 1 });
    expect(phases[1]).toMatchObject({ total: 2, fail: 1, timeout: 1 });
    expect(phases[2]!.total).toBe(0);
    expect(totalSummary(phases)).toMatchObject({ phase: 'total', total: 5, pass: 2, fail: 1 });
  });

  it('the run passes only when every case that is not skipped passes', () => {
    expect(allRequiredPass([r('a', 'pass'), r('a', 'skip'), r('a', 'unexpected-pass')])).toBe(true);
    expect(allRequiredPass([r('a', 'pass'), r('a', 'crash')])).toBe(false);
  });
});
