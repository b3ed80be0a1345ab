import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { flattenStatuses, gitRevision, lastResults, recordFromRun } from '../../harness/reports/history.js';
import { appendHistory, readHistory } from '../../harness/reports/history-file.js';
import { normalizeRecord } from '../../harness/reports/history-normalize.js';
import { CHANGED_IDS_CAP } from '../../harness/reports/history-types.js';
import { AGENT_STATS, baseCases, bigRun, laterCases, makeCase, makeRun, PARALLEL_STATS } from './fixtures.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'porter-history-'));
const REV = '0123456789abcdef0123456789abcdef01234567';

describe('recordFromRun', () => {
  const run = makeRun(baseCases(), '2024-05-01T02:00:00.000Z');
  const first = recordFromRun(run, null, { kind: 'test', rev: REV });
  const { record: rec, detail } = first;

  it('puts counts in the summary and every case in the detail', () => {
    expect(rec).toMatchObject({ v: 2, kind: 'test', time: '2024-05-01T02:00:00.000Z', rev: REV, durationMs: 4321, changedCount: 0, changedIds: [] });
    expect(rec.phases.map((p) => [p.phase, p.total, p.pass])).toEqual([
      ['lexer', 10, 8],
      ['parser', 12, 6],
      ['runtime', 5, 1],
    ]);
    expect(Object.keys(rec).sort()).toEqual(['changedCount', 'changedIds', 'durationMs', 'kind', 'phases', 'rev', 'time', 'v']);
    expect(detail).toMatchObject({ v: 2, time: rec.time, changed: [] });
    expect(detail.statuses.parser!['test_parser__parser@p9.txt']).toBe('timeout');
    expect(Object.keys(detail.statuses.runtime!)).toHaveLength(5);
    const since = { since: '2024-05-01T02:00:00.000Z', runs: 1 };
    expect(detail.skips).toEqual([
      { id: 'test_lexer__lexer@case9.txt', phase: 'lexer', reason: 'raw blocks need the <raw> state & more', status: 'skip', ...since },
      { id: 'test_parser__parser@p11.txt', phase: 'parser', reason: 'filters with arguments', status: 'unexpected-pass', ...since },
      { id: 'test_templates__vm@`tick`<b>.txt', phase: 'runtime', reason: 'needs <b> | escaping', status: 'skip', ...since },
    ]);
    expect(detail.overrides).toEqual([{ id: 'test_parser__parser@p10.txt', phase: 'parser', reason: 'Go prints "nil" where Rust prints "None"' }]);
    // Failing cases first, then the skipped ones with their diffs.
    expect(detail.failures!.map((f) => f.status)).toEqual(['fail', 'fail', 'fail', 'fail', 'fail', 'timeout', 'crash', 'error', 'fail', 'skip', 'skip']);
    expect(detail.failures!.find((f) => f.id === 'test_lexer__lexer@case9.txt')!.diff).toContain('Ident("bar")');
    const kind = detail.failures!.find((f) => f.id === 'test_parser__parser@p8.txt')!;
    expect(kind).toMatchObject({ facet: 'kind', expectedKind: 'SyntaxError', actualKind: 'InvalidOperation' });
    const crash = detail.failures!.find((f) => f.status === 'crash')!;
    expect(crash.diff).toContain('panic: runtime error');
  });

  it('lists what changed since the previous record, from → to', () => {
    const later = recordFromRun(makeRun(laterCases(), '2024-05-02T02:00:00.000Z'), first, { kind: 'test', rev: null });
    const changes = [
      { id: 'test_lexer__lexer@case8.txt', phase: 'lexer', from: 'fail', to: 'pass' },
      { id: 'test_parser__parser@p0.txt', phase: 'parser', from: 'pass', to: 'fail' },
      { id: 'test_parser__parser@p5.txt', phase: 'parser', from: 'fail', to: 'pass' },
      { id: 'test_parser__parser@p9.txt', phase: 'parser', from: 'timeout', to: 'fail' },
    ];
    expect(later.detail.changed).toEqual(changes);
    expect(later.record).toMatchObject({ changedCount: 4, changedIds: changes.map((c) => c.id) });
  });

  it('the summary lists the first changed ids up to the cap and counts them all', () => {
    const flipped = bigRun(3000, '2024-05-02T00:00:00Z');
    for (const c of flipped.cases) if (c.status === 'pass') c.status = 'fail';
    const next = recordFromRun(flipped, recordFromRun(bigRun(3000, '2024-05-01T00:00:00Z'), null, { kind: 'test', rev: null }), { kind: 'test', rev: null });
    expect(next.detail.changed).toHaveLength(2400);
    expect(next.record.changedCount).toBe(2400);
    expect(next.record.changedIds).toEqual(next.detail.changed.slice(0, CHANGED_IDS_CAP).map((c) => c.id));
    expect(JSON.stringify(next.record).length).toBeLessThan(20_000);
  });

  it('records added and removed cases of a full run', () => {
    const cases = baseCases().filter((c) => c.id !== 'test_lexer__lexer@case0.txt');
    cases.push(makeCase({ id: 'test_lexer__lexer@new.txt', phase: 'lexer', status: 'pass' }));
    const next = recordFromRun(makeRun(cases, '2024-05-02T00:00:00Z'), first, { kind: 'test', rev: null });
    expect(next.detail.changed).toEqual([
      { id: 'test_lexer__lexer@new.txt', phase: 'lexer', from: null, to: 'pass' },
      { id: 'test_lexer__lexer@case0.txt', phase: 'lexer', from: 'pass', to: null },
    ]);
  });

  it('a partial run keeps the statuses of the cases it did not run', () => {
    const onlyLexer = laterCases().filter((c) => c.phase === 'lexer');
    const part = recordFromRun(makeRun(onlyLexer, '2024-05-02T00:00:00Z', ['lexer']), first, { kind: 'test', rev: null, partial: true });
    expect(part.record.partial).toBe(true);
    expect(part.detail.changed).toEqual([{ id: 'test_lexer__lexer@case8.txt', phase: 'lexer', from: 'fail', to: 'pass' }]);
    expect(flattenStatuses(part.detail).size).toBe(27);
    expect(part.record.phases.map((p) => [p.phase, p.pass, p.fail])).toEqual([
      ['lexer', 9, 0],
      ['parser', 6, 4],
      ['runtime', 1, 1],
    ]);
    // Carried-over lists for the phases it did not run, skip entries one run older.
    expect(part.detail.skips!.find((s) => s.id === 'test_parser__parser@p11.txt')).toMatchObject({ since: '2024-05-01T02:00:00.000Z', runs: 2 });
    expect(part.detail.failures!.map((f) => f.id)).toContain('test_parser__parser@p8.txt');
    expect(part.detail.failures!.map((f) => f.id)).not.toContain('test_lexer__lexer@case8.txt');
  });

  it('carries each skip entry\'s age forward and restarts it when the case leaves the list', () => {
    const day = (d: number) => `2024-05-0${d}T02:00:00.000Z`;
    const parked = (status: 'skip' | 'fail') => makeRun([makeCase({ id: 'a', phase: 'lexer', status, skipReason: 'parked' })], '', ['lexer']);
    let prev = recordFromRun({ ...parked('skip'), startedAt: day(1) }, null, { kind: 'test', rev: null });
    prev = recordFromRun({ ...parked('skip'), startedAt: day(2) }, prev, { kind: 'test', rev: null });
    expect(prev.detail.skips![0]).toMatchObject({ since: day(1), runs: 2 });
    // An agent record without results does not break the series.
    const agent = recordFromRun(null, prev, { kind: 'agent', rev: null, time: day(3), agent: AGENT_STATS });
    expect(agent.detail.skips).toBeUndefined();
    prev = recordFromRun({ ...parked('fail'), startedAt: day(4) }, prev, { kind: 'test', rev: null });
    expect(prev.detail.skips).toBeUndefined();
    prev = recordFromRun({ ...parked('skip'), startedAt: day(5) }, prev, { kind: 'test', rev: null });
    expect(prev.detail.skips![0]).toMatchObject({ since: day(5), runs: 1 });
  });

  it('bounds the failure details it keeps', () => {
    const big = bigRun(3000, '2024-05-01T00:00:00Z');
    const { detail: r } = recordFromRun(big, null, { kind: 'test', rev: null, limits: { maxFailures: 50, maxDiffLines: 3, maxTotalDiffChars: 1000 } });
    expect(r.failures).toHaveLength(50);
    expect(r.failuresOmitted).toBe(250);
    expect(r.failures![0]!.diff!.split('\n')).toHaveLength(4); // 3 lines and the cut note
    expect(r.failures![0]!.diff).toMatch(/… \(cut: 4 more lines\)$/);
    const withDiff = r.failures!.filter((f) => f.diff !== undefined);
    expect(withDiff.length).toBeLessThan(50);
    expect(withDiff.reduce((n, f) => n + f.diff!.length, 0)).toBeLessThanOrEqual(1000);
    // Default bounds keep a 3,000-case detail small, and its summary smaller.
    const full = recordFromRun(big, null, { kind: 'test', rev: null });
    expect(JSON.stringify(full.detail).length).toBeLessThan(250_000);
    expect(JSON.stringify(full.record).length).toBeLessThan(2_000);
  });

  it('an agent run without test results carries the stats only', () => {
    const r = recordFromRun(null, first, { kind: 'agent', rev: null, time: '2024-05-02T00:00:00Z', agent: AGENT_STATS, tamper: [{ path: 'x.snap', action: 'refused', detail: 'no' }] });
    expect(r.record.phases).toEqual([]);
    expect(r.record.durationMs).toBe(AGENT_STATS.wallMs);
    expect(r.record.tamperCount).toBe(1);
    expect(r.detail.tamper).toHaveLength(1);
    expect(r.detail.statuses).toEqual({});
    expect(lastResults([rec, r.record])).toBe(rec);
  });
});

describe('history file', () => {
  const r1 = recordFromRun(makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), null, { kind: 'test', rev: REV });
  const r2 = recordFromRun(makeRun(laterCases(), '2024-05-02T02:00:00.000Z'), r1, {
    kind: 'agent',
    rev: null,
    agent: AGENT_STATS,
    tamper: [{ path: 'tests/snapshots/a.snap', action: 'restored', detail: 'edited by the agent', iteration: 3 }],
  }).record;
  r2.detail = '2024-05-02T02-00-00.000Z-0a1b2c.json.br';

  it('round-trips summaries through append and read', () => {
    const file = path.join(tmp(), 'reports', 'history.jsonl');
    appendHistory(file, r1.record);
    appendHistory(file, r2);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(readHistory(file)).toEqual({ records: [r1.record, r2], warnings: [], legacy: 0 });
  });

  it('a missing file is an empty history', () => {
    expect(readHistory(path.join(tmp(), 'none.jsonl'))).toEqual({ records: [], warnings: [], legacy: 0 });
  });

  it('skips a truncated last line with a warning, and the next append cuts it off, so it warns once', () => {
    const file = path.join(tmp(), 'history.jsonl');
    appendHistory(file, r1.record);
    const line = JSON.stringify(r2);
    fs.appendFileSync(file, line.slice(0, line.length / 2));
    const torn = readHistory(file);
    expect(torn.records).toEqual([r1.record]);
    expect(torn.warnings).toEqual([`${file}:2: truncated last record skipped (a run was interrupted while writing it)`]);

    appendHistory(file, r2);
    const after = readHistory(file);
    expect(after.records).toEqual([r1.record, r2]);
    expect(after.warnings).toEqual([]);
  });

  it('keeps a last record that lacks only its newline', () => {
    const file = path.join(tmp(), 'history.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(r1.record)}\n${JSON.stringify(r2)}`);
    expect(readHistory(file)).toEqual({ records: [r1.record, r2], warnings: [], legacy: 0 });
  });

  it('skips lines that are JSON but not records, and detail names that are paths', () => {
    const file = path.join(tmp(), 'history.jsonl');
    fs.writeFileSync(file, `[1,2]\n{"kind":"test"}\n\n${JSON.stringify(r1.record)}\n${JSON.stringify({ ...r2, detail: '../../etc/passwd' })}\n`);
    const h = readHistory(file);
    expect(h.records[0]).toEqual(r1.record);
    expect(h.records[1]!.detail).toBeUndefined();
    expect(h.warnings).toEqual([`${file}:1: record skipped: not a JSON object`, `${file}:2: record skipped: no "time" field`]);
  });

  it('loads a record from an older Porter, filling what it lacks', () => {
    const v0 = {
      // No version, kind, rev, changed; phases keyed by name; a flat id → status map; old names.
      time: '2024-04-01T00:00:00Z',
      durationMs: 900,
      phases: { lexer: { pass: 2, fail: 1, xpass: 1 } },
      statuses: { 'lex@a.txt': 'pass', 'lex@b.txt': 'passed', 'lex@c.txt': 'fail', 'lex@d.txt': 'xpass', 'lex@e.txt': 'bogus' },
      agent: { costUsd: 3.5, model: 'claude-old', tokens: { input: 10 } },
      skips: [{ id: 'lex@d.txt', reason: 'old' }, { reason: 'no id' }],
    };
    const file = path.join(tmp(), 'history.jsonl');
    fs.writeFileSync(file, `${JSON.stringify(v0)}\n${JSON.stringify(r1.record)}\n`);
    const h = readHistory(file);
    expect(h.warnings).toEqual([`${file}: 1 record(s) from an older Porter loaded with missing fields defaulted`]);
    expect(h.legacy).toBe(1);
    const old = h.records[0]!;
    expect(old).toMatchObject({ v: 2, kind: 'agent', rev: null, durationMs: 900, changedIds: [], changedCount: 0 });
    expect(old.phases).toEqual([{ phase: 'lexer', total: 4, pass: 2, fail: 1, skip: 0, unexpectedPass: 1, timeout: 0, crash: 0, error: 0, overrides: 0, fuzzy: 0 }]);
    expect(old.agent).toMatchObject({ costUsd: 3.5, models: ['claude-old'], messages: 0, tokens: { input: 10, output: 0, cacheRead: 0, cacheWrite: 0 }, phases: [] });
    // Its per-case part becomes a detail.
    const n = normalizeRecord(v0);
    if (!n.ok || !('legacy' in n)) throw new Error('expected a legacy record');
    const { detail } = n.legacy;
    expect(detail.statuses).toEqual({ lexer: { 'lex@a.txt': 'pass', 'lex@b.txt': 'pass', 'lex@c.txt': 'fail', 'lex@d.txt': 'unexpected-pass' } });
    expect(detail.skips).toEqual([{ id: 'lex@d.txt', phase: '', reason: 'old', status: 'skip', since: '2024-04-01T00:00:00Z', runs: 1 }]);
    // The next run diffs against it like any record.
    const next = recordFromRun(makeRun([makeCase({ id: 'lex@c.txt', phase: 'lexer', status: 'pass' })], '2024-05-01T00:00:00Z', ['lexer']), n.legacy, { kind: 'test', rev: null, partial: true });
    expect(next.detail.changed).toEqual([{ id: 'lex@c.txt', phase: 'lexer', from: 'fail', to: 'pass' }]);
  });

  it('round-trips the workers and merge queue of a parallel run', () => {
    const file = path.join(tmp(), 'history.jsonl');
    const parallel = recordFromRun(null, null, { kind: 'agent', rev: null, time: '2024-05-03T00:00:00Z', agent: PARALLEL_STATS }).record;
    appendHistory(file, r1.record);
    appendHistory(file, parallel);
    const h = readHistory(file);
    expect(h).toEqual({ records: [r1.record, parallel], warnings: [], legacy: 0 });
    expect(h.records[1]!.agent!.workers).toEqual(PARALLEL_STATS.workers);
    expect(h.records[1]!.agent!.merges).toEqual({ accepted: 5, rejected: 1, conflicts: 1, superseded: 0 });
    // A single-agent record gains neither field.
    const single = recordFromRun(null, null, { kind: 'agent', rev: null, time: '2024-05-04T00:00:00Z', agent: AGENT_STATS }).record;
    appendHistory(file, single);
    const back = readHistory(file).records[2]!.agent!;
    expect(back).toEqual(AGENT_STATS);
    expect('workers' in back || 'merges' in back).toBe(false);
  });

  it('drops malformed workers and merge counts, keeping the record and the well-formed workers', () => {
    const file = path.join(tmp(), 'history.jsonl');
    const good = { id: 'w1', items: 2, merged: 1, rejected: 1, conflicts: 0, costUsd: 1.5, busyMs: 1000 };
    const agent = {
      ...AGENT_STATS,
      workers: [good, { ...good, id: 7 }, { ...good, merged: -1 }, { ...good, items: 1.5 }, { ...good, costUsd: null }, { id: 'w9' }, 'w10', { ...good, id: 'w2', extra: true }],
      merges: { accepted: 1, rejected: 'one', conflicts: 0, superseded: 0 },
    };
    fs.writeFileSync(file, `${JSON.stringify({ ...r2, agent })}
`);
    const h = readHistory(file);
    expect(h.warnings).toEqual([]);
    expect(h.records).toHaveLength(1);
    expect(h.records[0]!.agent!.workers).toEqual([good, { ...good, id: 'w2' }]);
    expect(h.records[0]!.agent!.merges).toBeUndefined();
    expect(h.records[0]!.agent!.costUsd).toBe(AGENT_STATS.costUsd);
    // Not an array at all: no workers, rather than a failed read.
    fs.writeFileSync(file, `${JSON.stringify({ ...r2, agent: { ...AGENT_STATS, workers: { w1: good }, merges: [1, 2] } })}
`);
    const odd = readHistory(file).records[0]!.agent!;
    expect(odd.workers).toBeUndefined();
    expect(odd.merges).toBeUndefined();
  });

  it('loads a record from a newer Porter with a warning', () => {
    const file = path.join(tmp(), 'history.jsonl');
    fs.writeFileSync(file, `${JSON.stringify({ ...r2, v: 3, somethingNew: { x: 1 } })}\n`);
    const h = readHistory(file);
    expect(h.records).toEqual([r2]);
    expect(h.warnings[0]).toContain('newer Porter');
    // One it cannot read at all says who wrote it, not which field is missing.
    fs.writeFileSync(file, '{"v":99}\n');
    expect(readHistory(file).warnings).toEqual([`${file}:1: record skipped: written by a newer Porter (history version 99); upgrade Porter to read it`]);
  });
});

describe('gitRevision', () => {
  it('is HEAD inside a repository and null outside one', async () => {
    const dir = tmp();
    expect(await gitRevision(dir)).toBeNull();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    expect(await gitRevision(dir)).toBeNull(); // no commit yet
    fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
    execFileSync('git', ['add', '.'], { cwd: dir });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'a'], { cwd: dir });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    expect(await gitRevision(dir)).toBe(head);
    expect(await gitRevision(path.join(dir, 'missing'))).toBeNull();
  });
});
