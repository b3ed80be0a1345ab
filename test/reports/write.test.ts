import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../harness/reports/history-file.js';
import { renderHtml } from '../../harness/reports/html.js';
import { appendStepSummary, regenerateReports, writeReports } from '../../harness/reports/write.js';
import { writeFileAtomic } from '../../harness/util/atomic-write.js';
import { AGENT_STATS, baseCases, bigRun, laterCases, makeRun, PARALLEL_STATS } from './fixtures.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'porter-reports-'));

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temporary file behind', () => {
    const dir = tmp();
    const file = path.join(dir, 'out', 'latest.md');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['latest.md']);
  });

  it('cleans up its temporary file when the rename fails, and leaves the target alone', () => {
    const dir = tmp();
    const target = path.join(dir, 'index.html');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'x');
    expect(() => writeFileAtomic(target, 'new')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['index.html']);
    expect(fs.readdirSync(target)).toEqual(['keep']);
  });
});

describe('writeReports', () => {
  it('appends history and regenerates latest.md and index.html after each run', async () => {
    const dir = path.join(tmp(), 'reports');
    const first = await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), rev: null, env: {} });
    expect(first.record.changedCount).toBe(0);
    expect(first.stepSummary).toBeNull();
    const second = await writeReports(dir, {
      kind: 'agent',
      run: makeRun(laterCases(), '2024-05-02T02:00:00.000Z'),
      agent: AGENT_STATS,
      rev: 'c'.repeat(40),
      extra: { tamper: [{ path: 'tests/snapshots/a.snap', action: 'refused', detail: 'write outside the workspace' }] },
      env: {},
    });
    expect(second.detail.changed.map((c) => `${c.id}:${c.from}>${c.to}`)).toContain('test_parser__parser@p0.txt:pass>fail');
    expect(second.record.changedIds).toContain('test_parser__parser@p0.txt');
    expect(fs.readdirSync(dir).sort()).toEqual(['history.jsonl', 'index.html', 'latest.md', 'runs']);
    expect(fs.readdirSync(path.join(dir, 'runs')).sort()).toEqual([first.record.detail, second.record.detail]);
    expect(second.files.detail).toBe(path.join(dir, 'runs', second.record.detail!));
    expect(readHistory(path.join(dir, 'history.jsonl')).records).toEqual([first.record, second.record]);
    expect(fs.readFileSync(second.files.markdown, 'utf8')).toBe(second.markdown);
    expect(second.markdown).toContain('## Newly failing (1)');
    expect(second.markdown).toContain('refused `tests/snapshots/a.snap`');
    expect(fs.readFileSync(second.files.html, 'utf8')).toContain('test_parser__parser@p0.txt');
  });

  it('reads the revision from the workspace when not given', async () => {
    const ws = tmp();
    execFileSync('git', ['init', '-q'], { cwd: ws });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x'], { cwd: ws });
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws, encoding: 'utf8' }).trim();
    const r = await writeReports(path.join(ws, 'reports'), { kind: 'test', run: makeRun(baseCases(), '2024-05-01T00:00:00Z'), workspace: ws, env: {} });
    expect(r.record.rev).toBe(head);
  });

  it('records an agent run that never ran the suite', async () => {
    const dir = tmp();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-01T00:00:00Z'), rev: null, env: {} });
    const r = await writeReports(dir, { kind: 'agent', agent: { ...AGENT_STATS, stopReason: 'budget' }, rev: null, extra: { time: '2024-05-02T00:00:00Z' }, env: {} });
    expect(r.record.phases).toEqual([]);
    expect(r.markdown).toContain('stopped: **budget**');
    // The summary still describes the last test results.
    expect(r.markdown).toContain('**16 / 27 cases pass (59%)**');
  });

  it('a partial run reports the whole suite, with the cases it did not run carried over', async () => {
    const dir = tmp();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-01T00:00:00Z'), rev: null, env: {} });
    const onlyLexer = makeRun(laterCases().filter((c) => c.phase === 'lexer'), '2024-05-02T00:00:00Z', ['lexer']);
    const r = await writeReports(dir, { kind: 'test', run: onlyLexer, rev: null, env: {}, extra: { partial: true } });
    expect(r.markdown).toContain('**17 / 27 cases pass (62%)** · 2024-05-02 00:00 UTC · test run (partial)');
    expect(r.markdown).toContain('## Newly passing (1)');
    const html = fs.readFileSync(r.files.html, 'utf8');
    expect(html.match(/ class="case" data-s=/g)).toHaveLength(27);
    // The parser's failures still show their diffs, from the history.
    expect(html).toMatch(/<details id="case-\d+" class="case" data-s="fail" data-id="test_parser__parser@p6\.txt"/);
  });

  it('records the run once even when its record carries another time', async () => {
    const dir = tmp();
    const r = await writeReports(dir, { kind: 'agent', run: makeRun(baseCases(), '2024-05-01T05:00:00Z'), agent: AGENT_STATS, rev: null, env: {}, extra: { time: '2024-05-01T00:00:00Z' } });
    expect(r.record.time).toBe('2024-05-01T00:00:00Z');
    expect(fs.readFileSync(r.files.html, 'utf8')).toContain('<h2>Run history<span class="count">1</span></h2>');
  });

  it('appends the Markdown to GITHUB_STEP_SUMMARY without overwriting it', async () => {
    const dir = tmp();
    const summary = path.join(dir, 'step-summary.md');
    fs.writeFileSync(summary, '# Earlier step\n');
    const r = await writeReports(path.join(dir, 'reports'), {
      kind: 'test',
      run: makeRun(baseCases(), '2024-05-01T00:00:00Z'),
      rev: null,
      env: { GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.stepSummary).toBe(summary);
    expect(fs.readFileSync(summary, 'utf8')).toBe(`# Earlier step\n\n${r.markdown}`);
    expect(appendStepSummary('second', { GITHUB_STEP_SUMMARY: summary })).toBe(summary);
    expect(fs.readFileSync(summary, 'utf8').endsWith(`${r.markdown}\nsecond\n`)).toBe(true);
  });

  it('appendStepSummary does nothing without the variable and creates a missing file', () => {
    const dir = tmp();
    expect(appendStepSummary('x', {})).toBeNull();
    const file = path.join(dir, 'new.md');
    expect(appendStepSummary('# Hi', { GITHUB_STEP_SUMMARY: file })).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe('# Hi\n');
  });
});

describe('regenerateReports', () => {
  it('rebuilds both files from the history alone', async () => {
    const dir = tmp();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-01T00:00:00Z'), rev: null, env: {} });
    const w = await writeReports(dir, { kind: 'test', run: makeRun(laterCases(), '2024-05-02T00:00:00Z'), rev: null, env: {} });
    const html = fs.readFileSync(w.files.html, 'utf8');
    fs.rmSync(w.files.markdown);
    fs.rmSync(w.files.html);
    fs.appendFileSync(w.files.history, '{"v":1,"kind":"te');
    const r = regenerateReports(dir);
    expect(r).toMatchObject({ ok: true, records: 2 });
    expect(r.warnings).toHaveLength(1);
    expect(fs.readFileSync(w.files.markdown, 'utf8')).toBe(w.markdown);
    // The history keeps what the dashboard shows, diffs included.
    const rebuilt = fs.readFileSync(w.files.html, 'utf8');
    expect(rebuilt).toContain('Tom &amp;amp; Jerry');
    expect(rebuilt.match(/<details id="case-/g)?.length).toBe(html.match(/<details id="case-/g)?.length);
  });

  it('shows the workers and merge queue of a parallel run as recorded in the history', async () => {
    const dir = tmp();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-01T00:00:00Z'), rev: null, env: {} });
    const w = await writeReports(dir, { kind: 'agent', run: makeRun(laterCases(), '2024-05-02T00:00:00Z'), agent: PARALLEL_STATS, rev: null, env: {} });
    expect(w.markdown).toContain('Merge queue: 5 accepted, 1 rejected, 1 conflict, 0 superseded');
    // The dashboard's workers, from the table head to the merge line.
    const workers = (html: string) => html.match(/<th>Worker \(latest run\)<\/th>.*?superseded<\/p>/)?.[0];
    const written = workers(fs.readFileSync(w.files.html, 'utf8'));
    expect(written).toContain('<td class="n">62%</td>');
    fs.rmSync(w.files.markdown);
    fs.rmSync(w.files.html);
    expect(regenerateReports(dir)).toMatchObject({ ok: true, records: 2 });
    expect(fs.readFileSync(w.files.markdown, 'utf8')).toBe(w.markdown);
    expect(workers(fs.readFileSync(w.files.html, 'utf8'))).toBe(written);
  });

  it('says what to do when there is no history', () => {
    const r = regenerateReports(path.join(tmp(), 'reports'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('run `porter test` first');
  });
});

describe('size', () => {
  it('keeps the dashboard of a 3,000-case suite small', () => {
    const run = bigRun(3000, '2024-05-01T00:00:00Z');
    const html = renderHtml({ records: [], results: null }, run);
    expect(html.match(/class="case"/g)).toHaveLength(3000);
    expect(html.length).toBeLessThan(1_500_000);
  });
});
