import { describe, expect, it } from 'vitest';
import { parseSnapFile } from '../../harness/suite/snap-file.js';

function parsed(text: string) {
  const r = parseSnapFile(text, 'snapshots/x.snap');
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r;
}

describe('parseSnapFile: YAML header form', () => {
  it('keeps every header field and the body without its final newline', () => {
    const r = parsed(
      [
        '---',
        'source: tests/test_x.rs',
        'assertion_line: 42',
        'description: "{{ a }}\\n"',
        'expression: "&out"',
        'info:',
        '  a: foo',
        '  n: [1, 2]',
        'input_file: tests/inputs/a.txt',
        'snapshot_kind: text',
        'created: "2019-01-01T00:00:00Z"',
        'creator: insta@0.8.0',
        'weird_key: 7',
        '---',
        'hello',
        '',
      ].join('\n'),
    );
    expect(r.snapshot.header).toEqual({
      source: 'tests/test_x.rs',
      assertion_line: 42,
      description: '{{ a }}\n',
      expression: '&out',
      info: { a: 'foo', n: [1, 2] },
      input_file: 'tests/inputs/a.txt',
      snapshot_kind: 'text',
      created: '2019-01-01T00:00:00Z',
      creator: 'insta@0.8.0',
      extra: { weird_key: 7 },
    });
    expect(r.snapshot).toMatchObject({ path: 'snapshots/x.snap', kind: 'text', body: 'hello', legacy: false });
  });

  it('reads YAML with the core schema: dates and 1_000 stay strings', () => {
    const r = parsed('---\ndescription: 2019-01-01\nexpression: 1_000\ninfo:\n  d: 2019-01-01\n  n: 1_000\n  i: 12\n---\nx\n');
    expect(r.snapshot.header.description).toBe('2019-01-01');
    expect(r.snapshot.header.expression).toBe('1_000');
    expect(r.snapshot.header.info).toEqual({ d: '2019-01-01', n: '1_000', i: 12 });
  });

  it('ends the header at the first --- line; later --- lines belong to the body', () => {
    const r = parsed('---\nsource: a.rs\n---\none\n---\ntwo\n---\n');
    expect(r.snapshot.body).toBe('one\n---\ntwo\n---');
  });

  it('accepts a closing --- with trailing whitespace (Rust trim_end, U+0085 included)', () => {
    expect(parsed('---\nsource: a.rs\n---   \nbody\n').snapshot.body).toBe('body');
    expect(parsed('---\nsource: a.rs\n---\u0085\nbody\n').snapshot.body).toBe('body');
    // U+FEFF is not whitespace to Rust: that line is no separator, so it is read as YAML header.
    const r = parseSnapFile('---\nsource: a.rs\n---\uFEFF\nbody\n', 'x.snap');
    expect(!r.ok && r.message).toMatch(/^x\.snap:3:\d+: malformed YAML/);
  });

  it('reads an empty body (file ends with ---\\n\\n) and a missing body', () => {
    expect(parsed('---\nsource: a.rs\n---\n\n').snapshot.body).toBe('');
    expect(parsed('---\nsource: a.rs\n---\n').snapshot.body).toBe('');
  });

  it('treats a file without a closing --- as all header with an empty body', () => {
    const r = parsed('---\nsource: a.rs\ndescription: d\n');
    expect(r.snapshot.header).toMatchObject({ source: 'a.rs', description: 'd' });
    expect(r.snapshot.body).toBe('');
  });

  it('keeps leading blank lines, unicode and inner whitespace of the body', () => {
    expect(parsed('---\nsource: a.rs\n---\n\n  héllo ✓ 😀\t\n\n').snapshot.body).toBe('\n  héllo ✓ 😀\t\n');
  });

  it('drops one \\r before each \\n (CRLF) and keeps a lone \\r', () => {
    const r = parsed('---\r\nsource: a.rs\r\n---\r\nline1\r\nli\rne2\r\r\nend\r');
    expect(r.snapshot.header.source).toBe('a.rs');
    expect(r.snapshot.body).toBe('line1\nli\rne2\r\nend\r');
  });

  it('parses raw control characters in unquoted header values', () => {
    const r = parsed('---\ndescription: \x1b[31mred\x1b[0m \x07\x08\x0b\x0c\x7f\ninfo:\n  k: a\x1bb\n---\n\x1b[1mbold\n');
    expect(r.snapshot.header.description).toBe('\x1b[31mred\x1b[0m \x07\x08\x0b\x0c\x7f');
    expect(r.snapshot.header.info).toEqual({ k: 'a\x1bb' });
    expect(r.snapshot.body).toBe('\x1b[1mbold');
  });

  it('decodes insta double-quoted escapes', () => {
    const r = parsed('---\ndescription: "tab\\there \\"q\\" \\\\ \\u001b \\r"\n---\nx\n');
    expect(r.snapshot.header.description).toBe('tab\there "q" \\ \x1b \r');
  });

  it('treats info: ~ as no info, as insta does', () => {
    expect('info' in parsed('---\nsource: a.rs\ninfo: ~\n---\nx\n').snapshot.header).toBe(false);
  });

  it('marks snapshot_kind: binary as a binary snapshot with no body', () => {
    const r = parsed('---\nsource: a.rs\nextension: png\nsnapshot_kind: binary\n---\n');
    expect(r.snapshot.kind).toBe('binary');
    expect(r.snapshot.header.extension).toBe('png');
    expect(r.snapshot.body).toBe('');
  });

  it('keeps a wrong-typed known field in extra, with a warning', () => {
    const r = parsed('---\nsource: [a, b]\n---\nx\n');
    expect(r.snapshot.header.source).toBeUndefined();
    expect(r.snapshot.header.extra).toEqual({ source: ['a', 'b'] });
    expect(r.warnings.join('\n')).toMatch(/`source` is not a string/);
  });

  it('reports a malformed header naming the file and the line', () => {
    const r = parseSnapFile('---\nsource: a.rs\ninfo: [1, 2\n---\nbody\n', 'tests/snapshots/bad.snap');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^tests\/snapshots\/bad\.snap:\d+:\d+: malformed YAML snapshot header: /);
      expect(r.message).not.toContain('\n');
    }
    const nested = parseSnapFile('---\nsource: a\n  b: c\n---\n', 'n.snap');
    expect(!nested.ok && nested.message).toMatch(/^n\.snap:2:\d+: /);
  });

  it('rejects a header that is not a mapping', () => {
    const r = parseSnapFile('---\n- a\n- b\n---\nx\n', 'l.snap');
    expect(!r.ok && r.message).toMatch(/^l\.snap:2: snapshot header is not a YAML mapping/);
  });
});

describe('parseSnapFile: legacy 0.x form', () => {
  it('reads Key: value lines up to the first blank line, then the body', () => {
    const text = 'Created: 2019-01-01T10:00:00Z\nCreator: insta@0.6.0\nExpression: out\nSource: src/lib.rs\nOther: z\n\nbody line\n---\nmore\n';
    const r = parsed(text);
    expect(r.snapshot.legacy).toBe(true);
    expect(r.snapshot.header).toEqual({
      created: '2019-01-01T10:00:00Z',
      creator: 'insta@0.6.0',
      expression: 'out',
      source: 'src/lib.rs',
      extra: { Other: 'z' },
    });
    expect(r.snapshot.body).toBe('body line\n---\nmore');
    expect(r.warnings).toEqual([]);
  });

  it('treats a file starting with a byte-order mark as legacy, even before ---', () => {
    const r = parsed('\uFEFF---\nsource: a.rs\n\nbody\n');
    expect(r.snapshot.legacy).toBe(true);
    expect(r.snapshot.body).toBe('body');
  });

  it('handles a legacy file without a blank line (no body)', () => {
    const r = parsed('Expression: x\nSource: y\n');
    expect(r.snapshot.header).toMatchObject({ expression: 'x', source: 'y' });
    expect(r.snapshot.body).toBe('');
  });
});
