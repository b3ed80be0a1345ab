import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaseResult } from '../../harness/run/types.js';
import { loadSkipList } from '../../harness/skiplist/skiplist.js';
import { escapeCaseId, literalIdOf } from '../../harness/skiplist/line.js';
import { addBaseline, baselineReason, planSkipListUpdate, removeEntries, updateSkipListFiles } from '../../harness/skiplist/update.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-skipupd-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const LEXER = `# Lexer cases parked while the tokenizer grows.

# raw blocks need a second scanner mode
test_lexer__lexer@raw.txt  # tokenizer lacks raw blocks
test_lexer__lexer@a.txt  # a
test_lexer__lexer@line_*.txt  # line statements
test_lexer__lexer@b.txt
`;

describe('removeEntries', () => {
  it('drops passing literal entries and keeps comments, order and the other reasons', () => {
    const out = removeEntries(LEXER, ['test_lexer__lexer@raw.txt', 'test_lexer__lexer@b.txt']);
    expect(out).toBe(`# Lexer cases parked while the tokenizer grows.

# raw blocks need a second scanner mode
test_lexer__lexer@a.txt  # a
test_lexer__lexer@line_*.txt  # line statements
`);
  });

  it('drops a glob only when every known case it matches now passes', () => {
    const known = ['test_lexer__lexer@line_a.txt', 'test_lexer__lexer@line_b.txt', 'test_lexer__lexer@raw.txt'];
    const partly = removeEntries(LEXER, ['test_lexer__lexer@line_a.txt'], known);
    expect(partly).toBe(LEXER);
    const all = removeEntries(LEXER, ['test_lexer__lexer@line_a.txt', 'test_lexer__lexer@line_b.txt'], known);
    expect(all).toBe(LEXER.replace('test_lexer__lexer@line_*.txt  # line statements\n', ''));
  });

  it('keeps a glob when the known cases are not given, or when it matches none of them', () => {
    expect(removeEntries(LEXER, ['test_lexer__lexer@line_a.txt'])).toBe(LEXER);
    expect(removeEntries('nothing_*  # stale\n', ['x'], ['x', 'y'])).toBe('nothing_*  # stale\n');
  });

  it('returns the text unchanged (same string) when nothing passes', () => {
    expect(removeEntries(LEXER, [])).toBe(LEXER);
    expect(removeEntries(LEXER, ['unrelated'])).toBe(LEXER);
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    expect(removeEntries('# c\r\na  # x\r\nb  # y\r\n', ['a'])).toBe('# c\r\nb  # y\r\n');
    expect(removeEntries('a  # x\nb  # y', ['b'])).toBe('a  # x');
  });
});

describe('addBaseline', () => {
  it('appends failures with reasons, skipping those already covered by an entry or a glob', () => {
    const out = addBaseline(LEXER, [
      { id: 'test_lexer__lexer@raw.txt', reason: 'fail: again' },
      { id: 'test_lexer__lexer@line_x.txt', reason: 'fail: covered by the glob' },
      { id: 'test_lexer__lexer@new.txt', reason: 'fail: first differing line 3: -Ident("a") +Ident("b")' },
      { id: 'test_lexer__lexer@slow.txt', reason: 'timeout' },
      { id: 'test_lexer__lexer@new.txt', reason: 'duplicate in the input' },
    ]);
    expect(out).toBe(
      `${LEXER}test_lexer__lexer@new.txt  # fail: first differing line 3: -Ident("a") +Ident("b")\ntest_lexer__lexer@slow.txt  # timeout\n`,
    );
  });

  it('starts an empty file and completes a last line without a newline', () => {
    expect(addBaseline('', [{ id: 'a', reason: 'crash: exit 101' }])).toBe('a  # crash: exit 101\n');
    expect(addBaseline('x  # y', [{ id: 'a', reason: 'timeout' }])).toBe('x  # y\na  # timeout\n');
    expect(addBaseline('x  # y\r\n', [{ id: 'a', reason: 'timeout' }])).toBe('x  # y\r\na  # timeout\r\n');
  });

  it('keeps a reason on one line and bounded', () => {
    const out = addBaseline('', [{ id: 'a', reason: `fail: line one\nline two\t${'x'.repeat(300)}` }]);
    expect(out.split('\n')).toHaveLength(2);
    expect(out.startsWith('a  # fail: line one line two xxx')).toBe(true);
    expect(out.trimEnd().length).toBeLessThan(180);
    expect(out.trimEnd().endsWith('…')).toBe(true);
  });

  it('returns the text unchanged when every failure is already listed', () => {
    expect(addBaseline(LEXER, [{ id: 'test_lexer__lexer@a.txt', reason: 'x' }])).toBe(LEXER);
  });

  it('the result parses back to the same entries and reasons', async () => {
    const file = path.join(dir, 'lexer.txt');
    fs.writeFileSync(file, addBaseline('', [{ id: 'test_a', reason: 'fail: kind differs # hash inside' }]));
    const r = await loadSkipList(file, ['lexer']);
    expect(r.ok && r.list.match('test_a', 'lexer')).toMatchObject({ reason: 'fail: kind differs # hash inside', line: 1 });
  });
});

describe('baselineReason', () => {
  it('prefixes the raw status', () => {
    expect(baselineReason({ rawStatus: 'fail', reason: 'first differing line 2' })).toBe('fail: first differing line 2');
    expect(baselineReason({ rawStatus: 'timeout' })).toBe('timeout');
    expect(baselineReason({ rawStatus: 'crash', reason: 'exit 101: panicked' })).toBe('crash: exit 101: panicked');
  });
});

function result(id: string, phase: string, status: CaseResult['status'], extra: Partial<CaseResult> = {}): CaseResult {
  const rawStatus = status === 'unexpected-pass' ? 'pass' : status === 'skip' ? 'fail' : status;
  return { id, phase, status, rawStatus, durationMs: 1, snapshotPath: `s/${id}.snap`, ...extra };
}

describe('planSkipListUpdate', () => {
  const cases = [
    result('l_a', 'lexer', 'unexpected-pass'),
    result('l_b', 'lexer', 'fail', { reason: 'first differing line 1' }),
    result('l_c', 'lexer', 'skip'),
    result('p_a', 'parser', 'timeout', { reason: 'no response within 10s' }),
    result('p_b', 'parser', 'crash'),
    result('p_c', 'parser', 'error', { reason: 'malformed JSON header' }),
    result('p_d', 'parser', 'fail', { protected: true }),
    result('p_e', 'parser', 'pass'),
  ];
  const known = cases.map((c) => ({ id: c.id, phase: c.phase }));

  it('removes unexpected passes and adds current failures except protected ones', () => {
    expect(planSkipListUpdate(cases, known, { removePassing: true, baseline: true })).toEqual({
      nowPass: [expect.objectContaining({ id: 'l_a', phase: 'lexer' })],
      known,
      add: [
        { id: 'l_b', phase: 'lexer', reason: 'fail: first differing line 1' },
        { id: 'p_a', phase: 'parser', reason: 'timeout: no response within 10s' },
        { id: 'p_b', phase: 'parser', reason: 'crash' },
        { id: 'p_c', phase: 'parser', reason: 'error: malformed JSON header' },
      ],
    });
  });

  it('does only what is asked', () => {
    const onlyRemove = planSkipListUpdate(cases, known, { removePassing: true, baseline: false });
    expect([onlyRemove.nowPass.length, onlyRemove.add.length]).toEqual([1, 0]);
    const onlyAdd = planSkipListUpdate(cases, known, { removePassing: false, baseline: true });
    expect([onlyAdd.nowPass.length, onlyAdd.add.length]).toEqual([0, 4]);
  });
});

describe('updateSkipListFiles', () => {
  it('rewrites only the phase files that change, and creates missing ones', async () => {
    const skip = path.join(dir, 'skiplist');
    fs.mkdirSync(skip);
    fs.writeFileSync(path.join(skip, 'lexer.txt'), LEXER);
    fs.writeFileSync(path.join(skip, 'parser.txt'), '# parser\np_x  # stays\n');
    const parserMtime = fs.statSync(path.join(skip, 'parser.txt')).mtimeMs;
    const r = await updateSkipListFiles(skip, {
      nowPass: [{ id: 'test_lexer__lexer@a.txt', phase: 'lexer' }],
      known: [],
      add: [
        { id: 'p_x', phase: 'parser', reason: 'already there' },
        { id: 'r_a', phase: 'runtime', reason: 'fail: output differs' },
      ],
    });
    expect(r).toEqual({ ok: true, changed: [path.join(skip, 'lexer.txt'), path.join(skip, 'runtime.txt')] });
    expect(fs.readFileSync(path.join(skip, 'lexer.txt'), 'utf8')).toBe(LEXER.replace('test_lexer__lexer@a.txt  # a\n', ''));
    expect(fs.readFileSync(path.join(skip, 'parser.txt'), 'utf8')).toBe('# parser\np_x  # stays\n');
    expect(fs.statSync(path.join(skip, 'parser.txt')).mtimeMs).toBe(parserMtime);
    expect(fs.readFileSync(path.join(skip, 'runtime.txt'), 'utf8')).toBe(
      '# Cases of phase "runtime" that are expected to fail. One case id or glob per line, then "# reason".\nr_a  # fail: output differs\n',
    );
    expect(fs.readdirSync(skip).sort()).toEqual(['lexer.txt', 'parser.txt', 'runtime.txt']);
  });

  it('creates the skip-list folder when it does not exist yet, and writes nothing when nothing changes', async () => {
    const skip = path.join(dir, 'skiplist');
    expect(await updateSkipListFiles(skip, { nowPass: [{ id: 'a', phase: 'lexer' }], known: [], add: [] })).toEqual({ ok: true, changed: [] });
    expect(fs.existsSync(skip)).toBe(false);
    const r = await updateSkipListFiles(skip, { nowPass: [], known: [], add: [{ id: 'a', phase: 'lexer', reason: 'timeout' }] });
    expect(r).toEqual({ ok: true, changed: [path.join(skip, 'lexer.txt')] });
  });

  it('judges glob entries per phase file against the known cases of that phase', async () => {
    const skip = path.join(dir, 'skiplist');
    fs.mkdirSync(skip);
    fs.writeFileSync(path.join(skip, 'lexer.txt'), 'l_*  # all of them\n');
    const known = [
      { id: 'l_a', phase: 'lexer' },
      { id: 'l_b', phase: 'lexer' },
      { id: 'l_c', phase: 'parser' },
    ];
    const first = await updateSkipListFiles(skip, { nowPass: [{ id: 'l_a', phase: 'lexer' }], known, add: [] });
    expect(first).toEqual({ ok: true, changed: [] });
    const second = await updateSkipListFiles(skip, {
      nowPass: [
        { id: 'l_a', phase: 'lexer' },
        { id: 'l_b', phase: 'lexer' },
      ],
      known,
      add: [],
    });
    expect(second).toEqual({ ok: true, changed: [path.join(skip, 'lexer.txt')] });
    expect(fs.readFileSync(path.join(skip, 'lexer.txt'), 'utf8')).toBe('');
  });

  it('updates a single skip-list file for all phases', async () => {
    const file = path.join(dir, 'skip.txt');
    fs.writeFileSync(file, '# all phases\nl_a  # lexer\np_a  # parser\n');
    const r = await updateSkipListFiles(file, {
      nowPass: [{ id: 'p_a', phase: 'parser' }],
      known: [],
      add: [{ id: 'r_a', phase: 'runtime', reason: 'crash' }],
    });
    expect(r).toEqual({ ok: true, changed: [file] });
    expect(fs.readFileSync(file, 'utf8')).toBe('# all phases\nl_a  # lexer\nr_a  # crash\n');
    expect(fs.readdirSync(dir)).toEqual(['skip.txt']);
  });

  it('treats a path ending in .txt that does not exist yet as a single file', async () => {
    const file = path.join(dir, 'parked.txt');
    const r = await updateSkipListFiles(file, { nowPass: [], known: [], add: [{ id: 'a', phase: 'lexer', reason: 'timeout' }] });
    expect(r).toEqual({ ok: true, changed: [file] });
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '# Cases that are expected to fail. One case id or glob per line, then "# reason".\na  # timeout\n',
    );
  });

  it('leaves no temporary files behind', async () => {
    const skip = path.join(dir, 'skiplist');
    await updateSkipListFiles(skip, { nowPass: [], known: [], add: [{ id: 'a', phase: 'lexer', reason: 'timeout' }] });
    await updateSkipListFiles(skip, { nowPass: [{ id: 'a', phase: 'lexer' }], known: [], add: [] });
    expect(fs.readdirSync(skip)).toEqual(['lexer.txt']);
  });

  it('reports a file it cannot write, as a value', async () => {
    const skip = path.join(dir, 'skiplist');
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    const r = await updateSkipListFiles(path.join(dir, 'blocker', 'skiplist'), {
      nowPass: [],
      known: [],
      add: [{ id: 'a', phase: 'lexer', reason: 'timeout' }],
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/blocker\/skiplist\/lexer\.txt: cannot (read|write) the skip-list file \(ENOTDIR\)/);
    expect(fs.existsSync(skip)).toBe(false);
  });
});

describe('ids with glob characters', () => {
  // Real ids: the generated-names fixture's snapshots, whose input files have brackets in their names.
  const snapshots = path.resolve(import.meta.dirname, '../../fixtures/generated-names/source/tests/snapshot/snapshots');
  const real = fs.readdirSync(snapshots).map((n) => n.slice(0, -'.snap'.length));
  const bracketed = real.filter((id) => id.includes('['));
  // What an unescaped `regress[42]` glob would also match: one character of the class.
  const lookalikes = bracketed.map((id) => id.replace(/\[(\d)\d*\]/, '$1'));

  it('the fixture has such ids', () => {
    expect(bracketed).toEqual(['snapshot__eval_stdout_regress[42].calc']);
  });

  it('escapeCaseId escapes ids with *, ?, [, ], {, } (and a leading !) and nothing else; literalIdOf reads them back', () => {
    expect(escapeCaseId(bracketed[0]!)).toBe('snapshot__eval_stdout_regress\\[42\\].calc');
    expect(escapeCaseId('t__vm@{a,b}*?(x)+!.txt')).toBe('t__vm@\\{a,b\\}\\*\\?\\(x\\)\\+\\!.txt');
    expect(escapeCaseId('!neg')).toBe('\\!neg');
    expect(escapeCaseId('test_lexer__lexer@raw (1).txt')).toBe('test_lexer__lexer@raw (1).txt');
    for (const id of [...real, 't__vm@{a,b}*?(x)+!.txt', '!neg', 'back\\slash[1]']) expect(literalIdOf(escapeCaseId(id))).toBe(id);
    expect(literalIdOf('test_lexer__lexer@line_*.txt')).toBeNull();
    expect(literalIdOf('t__[ab].txt')).toBeNull();
  });

  it('--baseline and skip_case entries (addBaseline) are escaped and read back as that one case only', async () => {
    const file = path.join(dir, 'eval.txt');
    const r = await updateSkipListFiles(dir, { nowPass: [], known: [], add: bracketed.map((id) => ({ id, phase: 'eval', reason: 'fail: wrong' })) });
    expect(r).toEqual({ ok: true, changed: [file] });
    expect(fs.readFileSync(file, 'utf8')).toContain('snapshot__eval_stdout_regress\\[42\\].calc  # fail: wrong\n');
    const loaded = await loadSkipList(dir, ['eval']);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.warnings).toEqual([]);
    for (const id of bracketed) expect(loaded.list.match(id, 'eval')?.reason).toBe('fail: wrong');
    for (const id of lookalikes) expect(loaded.list.match(id, 'eval')).toBeNull();
    expect(loaded.list.stale([...bracketed, ...lookalikes])).toEqual([]);
    // Already listed, escaped or not: not added twice.
    expect(addBaseline(fs.readFileSync(file, 'utf8'), bracketed.map((id) => ({ id, reason: 'again' })))).toBe(fs.readFileSync(file, 'utf8'));
    expect(addBaseline(`${bracketed[0]}  # by hand\n`, [{ id: bracketed[0]!, reason: 'again' }])).toBe(`${bracketed[0]}  # by hand\n`);
  });

  it('--update-skiplist removes an escaped entry when its case passes, known ids or not', () => {
    const text = `${escapeCaseId(bracketed[0]!)}  # fail\nother  # x\n`;
    expect(removeEntries(text, bracketed)).toBe('other  # x\n');
    expect(removeEntries(text, lookalikes)).toBe(text);
  });
});
