import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSkipLine } from '../../harness/skiplist/line.js';
import { loadSkipList, parseSkipFile, type SkipList } from '../../harness/skiplist/skiplist.js';
import { useTempDir } from '../support/temp-dir.js';

const tmp = useTempDir('skip');
const write = tmp.write;

async function load(pathOrDir: string, phases: string[]): Promise<SkipList> {
  const r = await loadSkipList(pathOrDir, phases);
  if (!r.ok) throw new Error(r.message);
  return r.list;
}

describe('parseSkipLine', () => {
  it.each([
    ['test_x@a.txt  # tokenizer lacks raw blocks', { pattern: 'test_x@a.txt', reason: 'tokenizer lacks raw blocks' }],
    ['test_x@a.txt#not-a-reason', { pattern: 'test_x@a.txt#not-a-reason', reason: '' }],
    ['test_x@a.txt\t#tab before the hash', { pattern: 'test_x@a.txt', reason: 'tab before the hash' }],
    ['  test_parser__*   ', { pattern: 'test_parser__*', reason: '' }],
    ['test_y # reason # with hash', { pattern: 'test_y', reason: 'reason # with hash' }],
    ['test_z  #\r', { pattern: 'test_z', reason: '' }],
  ])('%j', (line, expected) => {
    expect(parseSkipLine(line)).toEqual(expected);
  });

  it.each(['', '   ', '# a comment', '   # indented comment', '#', '\r'])('%j is not an entry', (line) => {
    expect(parseSkipLine(line)).toBeNull();
  });
});

describe('loadSkipList', () => {
  it('reads <phase>.txt files; an entry applies to its own phase only', async () => {
    const lexer = write(
      'skiplist/lexer.txt',
      '# Lexer cases we do not handle yet\n\ntest_lexer__lexer@raw.txt  # tokenizer lacks raw blocks\ntest_lexer__lexer@line_*.txt  # line statements\n',
    );
    write('skiplist/parser.txt', 'test_parser__parser@call.txt  # kwargs\n');
    const list = await load(path.join(tmp.dir, 'skiplist'), ['lexer', 'parser', 'runtime']);
    expect(list.warnings).toEqual([]);
    expect(list.match('test_lexer__lexer@raw.txt', 'lexer')).toEqual({
      reason: 'tokenizer lacks raw blocks',
      file: lexer,
      line: 3,
      pattern: 'test_lexer__lexer@raw.txt',
    });
    expect(list.match('test_lexer__lexer@line_comment.txt', 'lexer')).toMatchObject({ reason: 'line statements', line: 4 });
    expect(list.match('test_lexer__lexer@raw.txt', 'parser')).toBeNull();
    expect(list.match('test_lexer__lexer@other.txt', 'lexer')).toBeNull();
    expect(list.match('test_parser__parser@call.txt', 'parser')).toMatchObject({ reason: 'kwargs', line: 1 });
    expect(list.match('test_parser__parser@call.txt', 'runtime')).toBeNull();
  });

  it('a single file applies to every phase', async () => {
    const file = write('skip.txt', 'test_a  # a\ntest_b*  # b\n');
    const list = await load(file, ['lexer', 'parser']);
    expect(list.match('test_a', 'lexer')).toEqual({ reason: 'a', file, line: 1, pattern: 'test_a' });
    expect(list.match('test_a', 'parser')).toMatchObject({ line: 1 });
    expect(list.match('test_b@x.txt', 'parser')).toMatchObject({ reason: 'b', line: 2 });
    expect(list.match('test_c', 'lexer')).toBeNull();
  });

  it('the earliest matching line wins, glob or literal', async () => {
    write('skiplist/lexer.txt', 'test_lexer__*  # whole lexer\ntest_lexer__a  # specific\ntest_parser__b  # specific b\ntest_parser__*  # all parser\n');
    const list = await load(path.join(tmp.dir, 'skiplist'), ['lexer']);
    expect(list.match('test_lexer__a', 'lexer')).toMatchObject({ reason: 'whole lexer', line: 1 });
    expect(list.match('test_parser__b', 'lexer')).toMatchObject({ reason: 'specific b', line: 3 });
    expect(list.match('test_parser__c', 'lexer')).toMatchObject({ reason: 'all parser', line: 4 });
  });

  it('matches literal ids exactly, dots and @ included', async () => {
    write('skiplist/runtime.txt', 'test_vm@loop.txt  # loops\n');
    const list = await load(path.join(tmp.dir, 'skiplist'), ['runtime']);
    expect(list.match('test_vm@loop.txt', 'runtime')).not.toBeNull();
    expect(list.match('test_vm@loopXtxt', 'runtime')).toBeNull();
    expect(list.match('test_vm@loop.txt.bak', 'runtime')).toBeNull();
  });

  it('a missing folder or file is an empty list', async () => {
    const missingDir = await load(path.join(tmp.dir, 'nope'), ['lexer']);
    expect(missingDir.entries).toEqual([]);
    expect(missingDir.match('x', 'lexer')).toBeNull();
    expect((await load(path.join(tmp.dir, 'nope.txt'), ['lexer'])).entries).toEqual([]);
  });

  it('warns about entries without a reason, duplicates and files that name no phase', async () => {
    const lexer = write('skiplist/lexer.txt', 'test_a\ntest_b  # ok\ntest_a  # again\n');
    const stray = write('skiplist/lexr.txt', 'test_c  # typo in the file name\n');
    write('skiplist/README.md', 'not a skip-list\n');
    write('skiplist/.gitkeep', '');
    const r = await loadSkipList(path.join(tmp.dir, 'skiplist'), ['lexer', 'parser']);
    if (!r.ok) throw new Error(r.message);
    const list = r.list;
    expect(r.warnings).toBe(list.warnings);
    expect(list.warnings).toEqual([
      `${stray}: there is no phase "lexr" (phases: lexer, parser); its entries are ignored — rename the file to <phase>.txt`,
      `${lexer}:1: test_a has no reason; add "# <why it is skipped>" after it`,
      `${lexer}:3: test_a is already listed at line 1; remove one of them`,
    ]);
    expect(list.match('test_a', 'lexer')).toMatchObject({ reason: '', line: 1 });
    expect(list.match('test_c', 'lexer')).toBeNull();
  });

  it('rejects negated patterns, naming file and line', async () => {
    const file = write('skiplist/lexer.txt', '# keep\n!test_a  # everything but a\n');
    expect(await loadSkipList(path.join(tmp.dir, 'skiplist'), ['lexer'])).toEqual({
      ok: false,
      message: `${file}:2: "!test_a": negated patterns are not supported; list the cases to skip instead`,
    });
  });

  // Root reads everything, so the permission cannot be taken away there.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file', async () => {
    const file = write('skiplist/lexer.txt', 'test_a  # x\n');
    fs.chmodSync(file, 0o000);
    expect(await loadSkipList(path.join(tmp.dir, 'skiplist'), ['lexer'])).toEqual({
      ok: false,
      message: `${file}: cannot read the skip-list file (EACCES)`,
    });
  });

  it('reads CRLF files', async () => {
    const file = write('skiplist/lexer.txt', '# c\r\ntest_a  # windows\r\ntest_b\r\n');
    const list = await load(path.join(tmp.dir, 'skiplist'), ['lexer']);
    expect(list.match('test_a', 'lexer')).toEqual({ reason: 'windows', file, line: 2, pattern: 'test_a' });
    expect(list.match('test_b', 'lexer')).toMatchObject({ reason: '', line: 3 });
  });
});

describe('stale entries', () => {
  it('reports entries that match no case', async () => {
    const file = write('skip.txt', 'test_a  # x\ntest_gone  # removed upstream\ntest_b*  # b\ntest_none_*  # nothing\n');
    const list = await load(file, ['lexer']);
    expect(list.stale(['test_a', 'test_b1', 'test_c'])).toEqual([
      { file, line: 2, pattern: 'test_gone' },
      { file, line: 4, pattern: 'test_none_*' },
    ]);
  });

  it('counts only the cases of the entry’s phase when phases are known', async () => {
    const lexer = write('skiplist/lexer.txt', 'test_parser__x  # wrong file\ntest_lexer__*  # all\n');
    const list = await load(path.join(tmp.dir, 'skiplist'), ['lexer', 'parser']);
    const phaseOf = (id: string) => (id.startsWith('test_lexer__') ? 'lexer' : 'parser');
    const ids = ['test_lexer__a', 'test_parser__x'];
    expect(list.stale(ids, phaseOf)).toEqual([{ file: lexer, line: 1, pattern: 'test_parser__x' }]);
    // It could never match there either: match() looks in the case's own phase file.
    expect(list.match('test_parser__x', 'parser')).toBeNull();
    expect(list.stale(ids)).toEqual([]);
  });
});

describe('parseSkipFile', () => {
  it('keeps line numbers across comments and blank lines', () => {
    const r = parseSkipFile('# head\n\n  # indented\na  # r1\n\nb*\n', 'f.txt', 'lexer');
    expect(r.errors).toEqual([]);
    expect(r.entries).toEqual([
      { pattern: 'a', reason: 'r1', file: 'f.txt', line: 4, phase: 'lexer' },
      { pattern: 'b*', reason: '', file: 'f.txt', line: 6, phase: 'lexer' },
    ]);
    expect(r.warnings).toEqual(['f.txt:6: b* has no reason; add "# <why it is skipped>" after it']);
  });
});
