import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftHtml, driftMarkdown } from '../../harness/reports/drift-section.js';
import { DRIFT_LIST_LIMIT, readDriftStatus, writeDriftStatus, type DriftStatus } from '../../harness/reports/drift-status.js';
import { recordFromRun } from '../../harness/reports/history.js';
import { normalizeRecord } from '../../harness/reports/history-normalize.js';
import { renderMarkdown } from '../../harness/reports/markdown.js';
import { useTempDir } from '../support/temp-dir.js';
import { baseCases, inputOf, makeRun } from './fixtures.js';

const UP = '1111111111aaaaaaaaaa1111111111aaaaaaaaaa';
const TO = '2222222222bbbbbbbbbb2222222222bbbbbbbbbb';

function status(added: number): DriftStatus {
  const ids = Array.from({ length: added }, (_, i) => ({ id: `test_x__x@n${i}.txt`, phase: 'lexer' }));
  return {
    v: 1,
    time: '2026-03-16T04:00:00Z',
    upstream: { rev: UP, date: '2026-01-05T10:00:00Z' },
    to: { rev: TO, date: '2026-03-15T09:15:00Z' },
    counts: { added, removed: 0, changed: 1, metadataOnly: 2, commits: 3 },
    added: ids,
    removed: [],
    changed: [{ id: 'test_x__x@c.txt', phase: 'parser', reasons: ['expected', 'input'] }],
  };
}

describe('reports/drift.json', () => {
  const tmp = useTempDir('drift');

  it('round-trips, keeping exact counts while bounding the id lists', () => {
    const big = status(DRIFT_LIST_LIMIT + 7);
    writeDriftStatus(tmp.dir, big);
    const read = readDriftStatus(tmp.dir)!;
    expect(read.counts.added).toBe(DRIFT_LIST_LIMIT + 7);
    expect(read.added).toHaveLength(DRIFT_LIST_LIMIT);
    expect(read.changed).toEqual(big.changed);
    expect(read.upstream).toEqual(big.upstream);
  });

  it('is optional, and a broken one is a warning, not a lost report', () => {
    const warnings: string[] = [];
    expect(readDriftStatus(tmp.dir, (w) => warnings.push(w))).toBeNull();
    expect(warnings).toEqual([]);
    tmp.write('drift.json', '{"to": ');
    expect(readDriftStatus(tmp.dir, (w) => warnings.push(w))).toBeNull();
    tmp.write('drift.json', '{"to": "HEAD"}');
    expect(readDriftStatus(tmp.dir, (w) => warnings.push(w))).toBeNull();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(`${path.join(tmp.dir, 'drift.json')}: unreadable`);
    expect(warnings[1]).toContain('not a drift status Porter wrote');
    expect(fs.existsSync(path.join(tmp.dir, 'drift.json'))).toBe(true);
  });
});

describe('the Upstream section', () => {
  it('is absent when nothing is known upstream, so reports outside git are as before', () => {
    const input = { status: null, tested: undefined, anchors: new Map<string, string>() };
    expect(driftMarkdown(input)).toBe('');
    expect(driftHtml(input)).toBe('');
    expect(renderMarkdown(inputOf([recordFromRun(makeRun(baseCases(), '2024-05-01T02:00:00.000Z'), null, { kind: 'test', rev: null })]))).not.toContain('Upstream');
  });

  it('says which revision the port matches, which one was tested, and what is pending', () => {
    const md = driftMarkdown({ status: status(30), tested: { rev: TO, dirty: true }, anchors: new Map([['test_x__x@n0.txt', 'case-4']]) });
    expect(md).toContain('The port matches source `1111111111` (2026-01-05 10:00 UTC) · latest run tested source `2222222222` with uncommitted changes.');
    expect(md).toContain('**Pending drift: 30 added, 1 changed, 0 removed** up to `2222222222` (2026-03-15 09:15 UTC) · 3 upstream commits · 2 metadata-only changes (not drift) · found by porter sync 2026-03-16 04:00 UTC.');
    expect(md).toContain('- Added (30): [`test_x__x@n0.txt`](index.html#case-4) (lexer), `test_x__x@n1.txt` (lexer)');
    expect(md).toContain(', … and 5 more\n- Changed (1): `test_x__x@c.txt` (parser: expected, input)');
    const html = driftHtml({ status: status(1), tested: undefined, anchors: new Map([['test_x__x@c.txt', 'case-9']]) });
    expect(html).toContain('<h2>Upstream<span class="count">2 pending</span></h2>');
    expect(html).toContain('<li><a href="#case-9"><code>test_x__x@c.txt</code></a> <span class="muted">parser · expected, input</span></li>');
  });

  it('says when nothing is pending, and when no revision has been accepted', () => {
    const none = { ...status(0), counts: { added: 0, removed: 0, changed: 0, metadataOnly: 0, commits: 0 }, changed: [], upstream: null };
    const md = driftMarkdown({ status: none, tested: undefined, anchors: new Map() });
    expect(md).toContain('No source revision accepted yet (`porter sync --accept` records one).');
    expect(md).toContain('No pending drift up to `2222222222`');
    expect(md).not.toContain('Pending drift:');
  });
});

describe('the source revision in history records', () => {
  it('is kept when present and absent from older records', () => {
    const run = makeRun(baseCases(), '2024-05-01T02:00:00.000Z');
    const withSource = recordFromRun(run, null, { kind: 'test', rev: null, source: { rev: TO, dirty: false } });
    const without = recordFromRun(run, null, { kind: 'test', rev: null });
    const read = [withSource, without].map((r) => normalizeRecord(JSON.parse(JSON.stringify(r.record))));
    const records = read.map((n) => (n.ok && 'record' in n ? n.record : null));
    expect(records[0]!.source).toEqual({ rev: TO, dirty: false });
    expect('source' in records[1]!).toBe(false);
  });
});
