import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOverrides, parseOverride } from '../../harness/judge/overrides.js';
import { parseSnapFile } from '../../harness/suite/snap-file.js';
import { useTempDir } from '../support/temp-dir.js';

const tmp = useTempDir('overrides');
const write = tmp.write;

describe('loadOverrides', () => {
  it('maps case ids to reason, body and file', async () => {
    const a = write(
      'overrides/test_templates__vm@float.txt.snap',
      '---\nreason: Go formats 1e21 as 1e+21\n---\n1e+21\nsecond line\n',
    );
    const b = write('overrides/test_lexer__lexer@raw.txt.snap', '---\nreason: "we emit one token for the whole raw block"\nticket: 12\n---\n');
    const r = await loadOverrides(path.join(tmp.dir, 'overrides'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect([...r.overrides.keys()]).toEqual(['test_lexer__lexer@raw.txt', 'test_templates__vm@float.txt']);
    expect(r.overrides.get('test_templates__vm@float.txt')).toEqual({
      reason: 'Go formats 1e21 as 1e+21',
      body: '1e+21\nsecond line',
      path: a,
    });
    expect(r.overrides.get('test_lexer__lexer@raw.txt')).toEqual({ reason: 'we emit one token for the whole raw block', body: '', path: b });
  });

  it('a missing folder means no overrides', async () => {
    expect(await loadOverrides(path.join(tmp.dir, 'nope'))).toEqual({ ok: true, overrides: new Map(), warnings: [] });
  });

  it('rejects an override without a reason, naming the file and what to add', async () => {
    const file = write('overrides/test_a.snap', '---\nsource: tests/test_vm.rs\n---\nbody\n');
    expect(await loadOverrides(path.join(tmp.dir, 'overrides'))).toEqual({
      ok: false,
      message: `${file}: override has no reason; add a header line "reason: <why this case diverges from the source>"`,
    });
  });

  it('rejects empty and non-text reasons, and reports every bad file', async () => {
    const empty = write('overrides/a.snap', '---\nreason: "  "\n---\nx\n');
    const blank = write('overrides/b.snap', '---\nreason:\n---\nx\n');
    const list = write('overrides/c.snap', '---\nreason: [a, b]\n---\nx\n');
    write('overrides/d.snap', '---\nreason: fine\n---\nx\n');
    const r = await loadOverrides(path.join(tmp.dir, 'overrides'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.split('\n')).toEqual([
      `${empty}: override has an empty reason; add a header line "reason: <why this case diverges from the source>"`,
      `${blank}: override has no reason; add a header line "reason: <why this case diverges from the source>"`,
      `${list}: override has a reason that is not text; add a header line "reason: <why this case diverges from the source>"`,
    ]);
  });

  it('warns about files that are not overrides and ignores hidden ones', async () => {
    write('overrides/.gitkeep', '');
    const notes = write('overrides/notes.md', 'why we diverge\n');
    const pending = write('overrides/test_a.snap.new', '---\nreason: x\n---\ny\n');
    fs.mkdirSync(path.join(tmp.dir, 'overrides/sub.snap'));
    const r = await loadOverrides(path.join(tmp.dir, 'overrides'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.overrides.size).toBe(0);
    expect(r.warnings).toEqual([
      `${notes}: not an override (overrides are files named <case id>.snap); ignored`,
      `${path.join(tmp.dir, 'overrides/sub.snap')}: not an override (overrides are files named <case id>.snap); ignored`,
      `${pending}: not an override (overrides are files named <case id>.snap); ignored`,
    ]);
  });

  it('reports an overrides path that is a file', async () => {
    const file = write('overrides', 'oops');
    expect(await loadOverrides(file)).toEqual({ ok: false, message: `${file}: cannot read the overrides folder (ENOTDIR)` });
  });
});

describe('parseOverride', () => {
  it('reads the body as insta reads a snapshot body: CRLF to LF, final newline dropped', () => {
    expect(parseOverride('---\r\nreason: windows\r\n---\r\na\r\nb\r\n', 'f.snap')).toEqual({ ok: true, reason: 'windows', body: 'a\nb' });
    expect(parseOverride('---\nreason: r\n---\n\nleading blank kept\n\n', 'f.snap')).toEqual({
      ok: true,
      reason: 'r',
      body: '\nleading blank kept\n',
    });
  });

  it('keeps later --- lines in the body', () => {
    expect(parseOverride('---\nreason: r\n---\nabove\n---\nbelow\n', 'f.snap')).toEqual({ ok: true, reason: 'r', body: 'above\n---\nbelow' });
  });

  it('keeps a multi-line reason readable', () => {
    const r = parseOverride('---\nreason: >\n  Go sorts map keys,\n  Rust keeps insertion order\n---\nx\n', 'f.snap');
    expect(r).toEqual({ ok: true, reason: 'Go sorts map keys, Rust keeps insertion order', body: 'x' });
  });

  it('reads the header with the core schema', () => {
    expect(parseOverride('---\nreason: 2019-01-01\n---\nx\n', 'f.snap')).toEqual({ ok: true, reason: '2019-01-01', body: 'x' });
  });

  it('reads the header and the body exactly as the snapshot reader does', () => {
    for (const text of [
      '---\r\nreason: r\r\n---  \r\n\r\nbody\r\n\r\n',
      '---\u0085\nreason: r\n---\t\n---\nbody\n',
      '---\nreason: r\nsource: a.rs\n---\n  indented\ttabs  \n',
    ]) {
      const snap = parseSnapFile(text, 'f.snap');
      expect(snap.ok).toBe(true);
      if (!snap.ok) continue;
      expect(parseOverride(text, 'f.snap')).toEqual({ ok: true, reason: 'r', body: snap.snapshot.body });
    }
  });

  it.each([
    ['expected output only\n', 'f.snap: an override starts with a "---" line, then "reason: <why>", then "---" and the expected output'],
    ['---\nreason: r\nbody without a closing line\n', 'f.snap: the header has no closing "---" line before the expected output'],
    // Malformed headers get the snapshot reader's own messages: an override is read as a snapshot is.
    ['---\nreason: [unclosed\n---\nx\n', /^f\.snap:\d+:\d+: malformed YAML snapshot header: /],
    ['---\n- a list\n---\nx\n', 'f.snap:2: snapshot header is not a YAML mapping; insta writes `key: value` lines'],
    ['\uFEFF---\nreason: r\n---\nx\n', 'f.snap: an override starts with a "---" line, then "reason: <why>", then "---" and the expected output (this file starts with a byte-order mark: save it without one)'],
  ])('rejects %j', (text, message) => {
    const r = parseOverride(text, 'f.snap');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    if (typeof message === 'string') expect(r.message).toBe(message);
    else expect(r.message).toMatch(message);
  });
});
