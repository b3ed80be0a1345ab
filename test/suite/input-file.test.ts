import { describe, expect, it } from 'vitest';
import { parseInputFile } from '../../harness/suite/input-file.js';
import { findJsonError, lineColumn } from '../../harness/suite/json-error.js';

function input(text: string) {
  const r = parseInputFile(text, 'tests/inputs/a.txt');
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r.input;
}

describe('parseInputFile', () => {
  it('splits <json>\\n---\\n<body> at the first separator and keeps later --- lines in the body', () => {
    expect(input('{"a": 1}\n---\nx\n---\ny\n')).toEqual({ path: 'tests/inputs/a.txt', header: { a: 1 }, headerRaw: '{"a": 1}', body: 'x\n---\ny\n' });
  });

  it('passes $settings and other header keys through untouched', () => {
    const header = { $settings: { keep_trailing_newline: true, markers: ['{', '}'] }, seq: [1, 2], d: '2019-01-01' };
    expect(input(`${JSON.stringify(header, null, 2)}\n---\n{{ seq }}`).header).toEqual(header);
  });

  it('reads an empty header object and an empty body', () => {
    expect(input('{}\n---\n')).toEqual({ path: 'tests/inputs/a.txt', header: {}, headerRaw: '{}', body: '' });
  });

  it('treats a file with no separator as all body', () => {
    expect(input('{"a": 1}')).toMatchObject({ header: null, body: '{"a": 1}' });
    expect(input('plain text\n')).toMatchObject({ header: null, body: 'plain text\n' });
  });

  it('treats a template before --- as body, not a malformed header (parser inputs)', () => {
    for (const t of ['{{ x }}\n---\n{{ y }}\n', '{% if a %}\n---\n{% endif %}', '{# c #}\n---\n', 'Hello\n---\nWorld', '<ul>\n---\n</ul>']) {
      expect(input(t)).toEqual({ path: 'tests/inputs/a.txt', header: null, headerRaw: null, body: t });
    }
  });

  it('accepts a CRLF separator and leaves the body bytes alone', () => {
    expect(input('{"a": 1}\r\n---\r\nx\r\ny')).toMatchObject({ header: { a: 1 }, body: 'x\r\ny' });
  });

  it('reports malformed JSON with the file, line and column of the error', () => {
    const r = parseInputFile('{\n  "a": 1,\n  "b": 2,\n}\n---\nbody\n', 'tests/inputs/bad.txt');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^tests\/inputs\/bad\.txt:4:1: malformed JSON header: .*property name/);
      expect(r.message).not.toContain('\n');
    }
  });

  it('reports header-looking text that is not JSON', () => {
    const r = parseInputFile('{a: 1}\n---\nbody', 'x.txt');
    expect(!r.ok && r.message).toMatch(/^x\.txt:1:2: malformed JSON header/);
    const t = parseInputFile('{"a": tru}\n---\n', 'y.txt');
    expect(!t.ok && t.message).toMatch(/^y\.txt:1:7: /);
    const u = parseInputFile('{"a": "x\ny"}\n---\n', 'z.txt');
    expect(!u.ok && u.message).toMatch(/^z\.txt:1:9: .*control character/);
  });
});

describe('findJsonError', () => {
  it('agrees with JSON.parse on what is valid', () => {
    for (const ok of ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "\\u00e9\\n"]} ', '0', '"s"']) {
      expect(() => JSON.parse(ok)).not.toThrow();
      expect(findJsonError(ok)).toBeNull();
    }
    for (const bad of ['{', '[1,]', '{"a" 1}', '01', '"\\x"', '{"a":1}x', '', '-', '1.', '{"a":1,}']) {
      expect(() => JSON.parse(bad)).toThrow();
      expect(findJsonError(bad)).not.toBeNull();
    }
  });

  it('locates the error', () => {
    expect(findJsonError('[1, 2 3]')).toMatchObject({ offset: 6 });
    expect(findJsonError('{"a": 1')).toMatchObject({ offset: 7 });
    expect(lineColumn('ab\ncd\nef', 7)).toEqual({ line: 3, column: 2 });
    expect(lineColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});
