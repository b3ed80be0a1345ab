import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJsonl, readJsonl, type UnterminatedLine } from '../../harness/util/jsonl.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'porter-jsonl-'));

function write(text: string | Buffer): string {
  const file = path.join(tmp(), 'x.jsonl');
  fs.writeFileSync(file, text);
  return file;
}

const read = (file: string, rule: UnterminatedLine) => [...readJsonl(file, rule)].map(({ text: _text, ...rest }) => rest);

describe('readJsonl', () => {
  it('gives each non-blank line with its number, byte offset and value', () => {
    const file = write('{"a":1}\n\n  \n["é",2]\n');
    expect(read(file, 'keep-if-parses')).toEqual([
      { line: 1, offset: 0, value: { a: 1 } },
      { line: 4, offset: 12, value: ['é', 2] },
    ]);
  });

  it('marks a line that is not JSON, and goes on', () => {
    const file = write('{"a":1}\nnot json\n{"b":2}\n');
    expect(read(file, 'drop')).toEqual([
      { line: 1, offset: 0, value: { a: 1 } },
      { line: 2, offset: 8, problem: 'not-json' },
      { line: 3, offset: 17, value: { b: 2 } },
    ]);
  });

  it('the torn-line rule: an unterminated last line that parses is kept or dropped as asked', () => {
    const file = write('{"a":1}\n{"b":2}');
    expect(read(file, 'keep-if-parses')).toEqual([
      { line: 1, offset: 0, value: { a: 1 } },
      { line: 2, offset: 8, value: { b: 2 } },
    ]);
    expect(read(file, 'drop')).toEqual([
      { line: 1, offset: 0, value: { a: 1 } },
      { line: 2, offset: 8, problem: 'torn' },
    ]);
  });

  it('an unterminated last line that does not parse is torn under either rule; a blank one is nothing', () => {
    const file = write('{"a":1}\n{"b":');
    for (const rule of ['keep-if-parses', 'drop'] as const) expect(read(file, rule)[1]).toEqual({ line: 2, offset: 8, problem: 'torn' });
    expect(read(write('{"a":1}\n  '), 'drop')).toEqual([{ line: 1, offset: 0, value: { a: 1 } }]);
    expect(read(write(''), 'drop')).toEqual([]);
  });

  it('reads lines longer than its read size, and characters split across two reads', () => {
    // A two-byte character straddles the 1 MiB chunk boundary; the long line spans three chunks.
    const first = JSON.stringify({ s: 'x'.repeat((1 << 20) - 7) + 'é' }); // bytes 2^20-1 and 2^20
    const long = JSON.stringify({ s: 'é'.repeat(1_500_000) });
    const file = write(`${first}\n${long}\n{"end":true}\n`);
    const items = [...readJsonl(file, 'drop')];
    expect(items.map((i) => ('value' in i ? (i.value as { s?: string }).s?.length ?? 'end' : i.problem))).toEqual([(1 << 20) - 6, 1_500_000, 'end']);
    expect(items[2]!.offset).toBe(Buffer.byteLength(`${first}\n${long}\n`));
    expect((items[0] as { value: { s: string } }).value.s.endsWith('xé')).toBe(true);
  });

  it('throws when the file cannot be opened, as fs does', () => {
    expect(() => [...readJsonl(path.join(tmp(), 'missing.jsonl'), 'drop')]).toThrow(/ENOENT/);
  });
});

describe('appendJsonl', () => {
  it('appends one line, creating folders; a torn fragment is cut off first, so later reads do not warn about it forever', () => {
    const file = path.join(tmp(), 'a', 'b', 'x.jsonl');
    appendJsonl(file, { n: 1 });
    fs.appendFileSync(file, '{"n":');
    appendJsonl(file, { n: 2 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
    expect(read(file, 'keep-if-parses').map((i) => ('value' in i ? i.value : i.problem))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('keeps an unterminated last line that parses, ending it with its newline, and mends a file that is one fragment', () => {
    const file = path.join(tmp(), 'y.jsonl');
    fs.writeFileSync(file, '{"n":1}\n{"n":2}');
    appendJsonl(file, { n: 3 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    fs.writeFileSync(file, '{"n":');
    appendJsonl(file, { n: 4 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":4}\n');
  });
});
