/**
 * The history on disk: summaries in history.jsonl, one detail file per run in runs/,
 * retention by reports.keep_runs, and the one-time migration of a version 1 history.
 * `v1-history/` holds what Porter's history version 1 wrote for five runs (test, agent,
 * partial test, agent without results, test) and what its `porter report` rendered from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHistory } from '../../harness/reports/history-file.js';
import { migrateHistory } from '../../harness/reports/history-legacy.js';
import { readDetail } from '../../harness/reports/run-details.js';
import { regenerateReports, writeReports } from '../../harness/reports/write.js';
import { runCli } from '../support/cli.js';
import { AGENT_STATS, baseCases, laterCases, makeRun } from './fixtures.js';

const V1 = path.join(import.meta.dirname, 'v1-history');
const DETAIL_FILE = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{6}\.json\.br$/;

function reportsWithV1History(lines?: (all: string[]) => string[]): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-split-')), 'reports');
  fs.mkdirSync(dir);
  const text = fs.readFileSync(path.join(V1, 'history.jsonl'), 'utf8');
  fs.writeFileSync(path.join(dir, 'history.jsonl'), lines ? `${lines(text.trimEnd().split('\n')).join('\n')}\n` : text);
  return dir;
}

const runsIn = (dir: string) => (fs.existsSync(path.join(dir, 'runs')) ? fs.readdirSync(path.join(dir, 'runs')).sort() : []);
const historyText = (dir: string) => fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
const withoutFooter = (html: string) => html.replace(/<footer>.*<\/footer>/, '');
// What the renderer has changed since version 1 on purpose: the line that says how the passing
// count relates to porter test's, and the dashboard's script. The rest must read as v1 rendered it.
const PASSING_NOTE = / {2}\n\d+ pass = \d+ passed \+ \d+ skip-listed cases? that pass(?:es)? again; porter test counts only the \d+ as passed|<br>\d+ pass = \d+ passed \+ \d+ skip-listed cases? that pass(?:es)? again; porter test counts only the \d+ as passed/g;
const sinceV1 = (text: string) => withoutFooter(text).replace(PASSING_NOTE, '').replace(/<script>[\s\S]*<\/script>/, '<script></script>');

describe('migrating a version 1 history', () => {
  it('porter report rewrites it as summaries plus detail files, and the reports read as before', async () => {
    const dir = reportsWithV1History();
    const v1 = historyText(dir)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; changed: unknown[]; statuses: unknown });
    const r = await runCli(['report', '--dir', dir], path.dirname(dir));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${path.join(dir, 'history.jsonl')}: migrated 5 record(s) of history version 1 to one summary a line; the per-case detail of the newest 5 went to ${path.join(dir, 'runs')}/`);
    expect(r.stdout).toContain('from 5 history records');

    const lines = historyText(dir).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.v, l.time, l.changedCount])).toEqual(v1.map((l) => [2, l.time, l.changed.length]));
    for (const l of lines) {
      expect(l).not.toHaveProperty('statuses');
      expect(l).not.toHaveProperty('failures');
      expect(l.detail).toMatch(DETAIL_FILE);
    }
    expect(runsIn(dir)).toEqual(lines.map((l) => l.detail).sort());
    // A detail file holds what the record held, skip entries now with their age.
    const { records } = readHistory(path.join(dir, 'history.jsonl'));
    const last = readDetail(dir, records[4]!);
    if (!last.ok) throw new Error(last.message);
    expect(last.detail.statuses).toEqual(v1[4]!.statuses);
    expect(last.detail.skips!.map((s) => [s.id, s.since, s.runs])).toEqual([
      ['test_lexer__lexer@case9.txt', '2024-05-01T02:00:00.000Z', 4],
      ['test_parser__parser@p11.txt', '2024-05-01T02:00:00.000Z', 4],
      ['test_templates__vm@`tick`<b>.txt', '2024-05-01T02:00:00.000Z', 4],
    ]);
    expect(records[1]!.tamperCount).toBe(1);

    // What version 1 rendered from the same history, skip ages and tamper counts included.
    const md = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
    expect(md).toMatch(PASSING_NOTE);
    expect(sinceV1(md)).toBe(fs.readFileSync(path.join(V1, 'latest.md'), 'utf8'));
    expect(sinceV1(fs.readFileSync(path.join(dir, 'index.html'), 'utf8'))).toBe(sinceV1(fs.readFileSync(path.join(V1, 'index.html'), 'utf8')));
  });

  it('happens once: a second porter report changes nothing', async () => {
    const dir = reportsWithV1History();
    await runCli(['report', '--dir', dir], path.dirname(dir));
    const before = { history: historyText(dir), runs: runsIn(dir), md: fs.readFileSync(path.join(dir, 'latest.md'), 'utf8') };
    const again = await runCli(['report', '--dir', dir], path.dirname(dir));
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('migrated');
    expect({ history: historyText(dir), runs: runsIn(dir), md: fs.readFileSync(path.join(dir, 'latest.md'), 'utf8') }).toEqual(before);
  });

  it('a migration killed before its last step is redone to the same files', () => {
    const dir = reportsWithV1History();
    const original = historyText(dir);
    migrateHistory(dir, 200);
    const done = { history: historyText(dir), runs: runsIn(dir) };
    // Killed after the detail files, before history.jsonl was replaced: the old history is still there.
    fs.writeFileSync(path.join(dir, 'history.jsonl'), original);
    expect(migrateHistory(dir, 200)).toEqual({ migrated: 5, details: 5 });
    expect({ history: historyText(dir), runs: runsIn(dir) }).toEqual(done);
  });

  it('a migration that cannot write its detail files leaves the history as it was, and says why in one line', async () => {
    const dir = reportsWithV1History();
    const original = historyText(dir);
    fs.writeFileSync(path.join(dir, 'runs'), 'a file where the folder should be');
    const r = await runCli(['report', '--dir', dir], path.dirname(dir));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^porter report: cannot write the reports in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((EEXIST|ENOTDIR)\\); check its permissions and free space\n$`));
    expect(historyText(dir)).toBe(original);
  });

  it('keeps the detail of the newest keep_runs runs, and of the last run with results', () => {
    // The first four runs: the newest is an agent run that never ran the suite.
    const dir = reportsWithV1History((all) => all.slice(0, 4));
    expect(migrateHistory(dir, 1)).toEqual({ migrated: 4, details: 2 });
    const { records } = readHistory(path.join(dir, 'history.jsonl'));
    expect(records.map((r) => r.detail !== undefined)).toEqual([false, false, true, true]);
    expect(runsIn(dir)).toEqual([records[2]!.detail, records[3]!.detail]);
  });

  it('drops a torn last line, with the warning, and keeps unreadable lines as they were', async () => {
    const dir = reportsWithV1History((all) => [all[0]!, 'not json', all[1]!]);
    fs.appendFileSync(path.join(dir, 'history.jsonl'), '{"v":1,"kind":"te');
    const r = await runCli(['report', '--dir', dir], path.dirname(dir));
    expect(r.code).toBe(0);
    const file = path.join(dir, 'history.jsonl');
    expect(r.stderr).toBe(`warning: ${file}:2: unreadable record skipped (not JSON)\nwarning: ${file}:4: truncated last record skipped (a run was interrupted while writing it)\n`);
    const lines = historyText(dir).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('not json');
    expect(lines[3]).toBe('');
  });

  it('the next run after a migration compares with the migrated detail and ages the skip entries on', async () => {
    const dir = reportsWithV1History();
    const w = await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-05-06T02:00:00.000Z'), rev: null, env: {} });
    expect(w.notes).toEqual([expect.stringContaining('migrated 5 record(s)')]);
    expect(w.detail.changed.map((c) => `${c.id}:${c.from}>${c.to}`)).toEqual([
      'test_lexer__lexer@case8.txt:pass>fail',
      'test_parser__parser@p0.txt:fail>pass',
      'test_parser__parser@p5.txt:pass>fail',
      'test_parser__parser@p9.txt:fail>timeout',
    ]);
    expect(w.detail.skips!.map((s) => s.runs)).toEqual([5, 5, 5]);
    expect(w.markdown).toMatch(/\| `test_lexer__lexer@case9\.txt` +\| lexer +\| skip +\| .* \| 5 d \(5 runs\) +\|/);
  });

  it('migrates version 1 lines that follow summaries, carrying skip ages from the summary\'s detail', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-split-')), 'reports');
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), '2024-04-30T02:00:00.000Z'), rev: null, env: {} });
    // An older Porter appended its record after this one.
    const v1Last = fs.readFileSync(path.join(V1, 'history.jsonl'), 'utf8').trimEnd().split('\n')[4]!;
    fs.appendFileSync(path.join(dir, 'history.jsonl'), `${v1Last}\n`);
    const r = regenerateReports(dir);
    expect(r).toMatchObject({ ok: true, records: 2, notes: [expect.stringContaining('migrated 1 record(s)')] });
    const { records } = readHistory(path.join(dir, 'history.jsonl'));
    const d = readDetail(dir, records[1]!);
    if (!d.ok) throw new Error(d.message);
    expect(d.detail.skips!.map((s) => [s.since, s.runs])).toEqual([
      ['2024-04-30T02:00:00.000Z', 2],
      ['2024-04-30T02:00:00.000Z', 2],
      ['2024-04-30T02:00:00.000Z', 2],
    ]);
  });
});

describe('detail files and retention', () => {
  const night = (d: number) => `2024-05-${String(d).padStart(2, '0')}T02:00:00.000Z`;
  const tmpReports = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-split-')), 'reports');

  it('keeps the detail files of the newest keep_runs runs and every summary', async () => {
    const dir = tmpReports();
    const written = [];
    for (let d = 1; d <= 6; d++) written.push(await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), night(d)), rev: null, env: {}, keepRuns: 3 }));
    expect(runsIn(dir)).toEqual(written.slice(3).map((w) => w.record.detail));
    expect(readHistory(path.join(dir, 'history.jsonl')).records).toHaveLength(6);
    // Skip ages reach back past the pruned files: they travel in each detail.
    expect(written[5]!.markdown).toMatch(/\| `test_lexer__lexer@case9\.txt` +\| lexer +\| skip +\| .* \| 5 d \(6 runs\) +\|/);
    // A smaller keep_runs takes effect at the next porter report.
    expect(regenerateReports(dir, { keepRuns: 1 })).toMatchObject({ ok: true, records: 6 });
    expect(runsIn(dir)).toEqual([written[5]!.record.detail]);
  });

  it('keeps the last run with results when newer runs have none, and leaves files that are not its own', async () => {
    const dir = tmpReports();
    const test = await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), night(1)), rev: null, env: {}, keepRuns: 1 });
    fs.writeFileSync(path.join(dir, 'runs', 'notes.txt'), 'mine');
    const agent = await writeReports(dir, { kind: 'agent', agent: AGENT_STATS, rev: null, env: {}, keepRuns: 1, extra: { time: night(2) } });
    expect(runsIn(dir)).toEqual([test.record.detail, agent.record.detail, 'notes.txt'].sort());
    const next = await writeReports(dir, { kind: 'test', run: makeRun(laterCases(), night(3)), rev: null, env: {}, keepRuns: 1 });
    expect(next.record.changedCount).toBe(4);
    expect(runsIn(dir)).toEqual([next.record.detail, 'notes.txt'].sort());
  });

  it('a partial run carries the cases it did not run over from the previous detail file', async () => {
    const dir = tmpReports();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), night(1)), rev: null, env: {} });
    const onlyLexer = makeRun(laterCases().filter((c) => c.phase === 'lexer'), night(2), ['lexer']);
    const part = await writeReports(dir, { kind: 'test', run: onlyLexer, rev: null, env: {}, extra: { partial: true } });
    const onDisk = readDetail(dir, part.record);
    if (!onDisk.ok) throw new Error(onDisk.message);
    expect(Object.values(onDisk.detail.statuses).reduce((n, ids) => n + Object.keys(ids).length, 0)).toBe(27);
    expect(onDisk.detail.statuses.parser!['test_parser__parser@p9.txt']).toBe('timeout');
    // From the files alone, porter report shows the same whole-suite picture.
    fs.rmSync(part.files.markdown);
    expect(regenerateReports(dir)).toMatchObject({ ok: true });
    expect(fs.readFileSync(part.files.markdown, 'utf8')).toContain('**17 / 27 cases pass (62%)** · 2024-05-02 02:00 UTC · test run (partial)');
  });

  it('reports are built from the summaries and the last detail alone', async () => {
    const dir = tmpReports();
    for (let d = 1; d <= 4; d++) await writeReports(dir, { kind: d % 2 ? 'test' : 'agent', run: makeRun(d % 2 ? baseCases() : laterCases(), night(d)), rev: null, env: {}, ...(d % 2 ? {} : { agent: AGENT_STATS }) });
    regenerateReports(dir);
    const md = fs.readFileSync(path.join(dir, 'latest.md'), 'utf8');
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    const runs = runsIn(dir);
    for (const name of runs.slice(0, -1)) fs.rmSync(path.join(dir, 'runs', name));
    expect(regenerateReports(dir)).toMatchObject({ ok: true, warnings: [] });
    expect(fs.readFileSync(path.join(dir, 'latest.md'), 'utf8')).toBe(md);
    expect(fs.readFileSync(path.join(dir, 'index.html'), 'utf8')).toBe(html);
  });

  it('a missing or damaged detail file is a warning, and the next run still records itself', async () => {
    const dir = tmpReports();
    const first = await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), night(1)), rev: null, env: {} });
    fs.writeFileSync(first.files.detail, 'not brotli');
    const r = regenerateReports(dir);
    expect(r).toMatchObject({ ok: true, warnings: [`${first.files.detail}: damaged (not compressed JSON); the reports go on without it`] });
    expect(fs.readFileSync(first.files.markdown, 'utf8')).toContain('its cases and failures are not shown');

    fs.rmSync(first.files.detail);
    const next = await writeReports(dir, { kind: 'test', run: makeRun(laterCases(), night(2)), rev: null, env: {} });
    expect(next.warnings).toEqual([`${first.files.detail}: missing (removed by reports.keep_runs, or deleted)`]);
    expect(next.detail.warnings).toEqual(['changes since the previous run are not known: its detail file cannot be read']);
    expect(next.markdown).toContain('**17 / 27 cases pass (62%)**');
  });

  it('a run adds one bounded line to history.jsonl', async () => {
    const dir = tmpReports();
    await writeReports(dir, { kind: 'test', run: makeRun(baseCases(), night(1)), rev: null, env: {} });
    const before = fs.statSync(path.join(dir, 'history.jsonl')).size;
    await writeReports(dir, { kind: 'agent', run: makeRun(laterCases(), night(2)), agent: AGENT_STATS, rev: 'a'.repeat(40), env: {} });
    const added = fs.readFileSync(path.join(dir, 'history.jsonl')).subarray(before).toString('utf8');
    expect(added.split('\n')).toHaveLength(2);
    expect(added.length).toBeLessThan(4_000);
  });
});
