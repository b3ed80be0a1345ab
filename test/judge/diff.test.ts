import { describe, expect, it } from 'vitest';
import { firstDifferingLine, makeVisible, visibleDiff } from '../../harness/judge/diff.js';

describe('visibleDiff', () => {
  it('is empty for equal texts', () => {
    expect(visibleDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('is a plain unified diff for an ordinary change, with no marks or legend', () => {
    const diff = visibleDiff('one\n  two\nthree\n', 'one\n  TWO\nthree\n');
    expect(diff).toBe(['--- expected', '+++ actual', '@@ -1,3 +1,3 @@', ' one', '-  two', '+  TWO', ' three'].join('\n'));
  });

  it('shows a difference in trailing spaces', () => {
    const diff = visibleDiff('hello\n', 'hello  \n');
    expect(diff).toContain('-hello\n+hello··');
    expect(diff).toContain('trailing space');
  });

  it('shows a tab that replaced spaces', () => {
    const diff = visibleDiff('a    b\n', 'a\tb\n');
    expect(diff).toContain('+a→b');
    expect(diff).toContain('→ tab');
  });

  it('shows a carriage return', () => {
    const diff = visibleDiff('line\nnext\n', 'line\r\nnext\n');
    expect(diff).toContain('+line␍');
    expect(diff).toContain('␍ carriage return');
  });

  it('shows a missing final newline', () => {
    const diff = visibleDiff('a\nb\n', 'a\nb');
    expect(diff).toContain('\\ No newline at end of file');
  });

  it('shows a no-break space and zero-width characters', () => {
    expect(visibleDiff('a b\n', 'a\u00a0b\n')).toContain('+a⍽b');
    expect(visibleDiff('ab\n', 'a\u200bb\n')).toContain('+a⟨U+200B⟩b');
    expect(visibleDiff('x\n', '\ufeffx\n')).toContain('+⟨U+FEFF⟩x');
  });

  it('leaves unchanged context lines as they are, even with tabs or trailing spaces', () => {
    const diff = visibleDiff('\tctx  \nold\n', '\tctx  \nnew\n');
    expect(diff).toContain('\n \tctx  \n');
    expect(diff).not.toContain('→');
  });

  it('cuts a very long diff with a note', () => {
    const expected = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    const actual = Array.from({ length: 500 }, (_, i) => `LINE ${i}`).join('\n');
    const diff = visibleDiff(expected, actual, { maxLines: 50 });
    const lines = diff.split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[50]).toMatch(/^… \d+ more diff lines not shown$/);
  });

  it('gives up with a summary rather than diffing two huge unrelated texts', () => {
    const expected = Array.from({ length: 3000 }, (_, i) => `a${i}`).join('\n');
    const actual = Array.from({ length: 3000 }, (_, i) => `b${i}`).join('\n');
    const diff = visibleDiff(expected, actual, { maxEdits: 100 });
    expect(diff).toBe('(diff too large to show: 3000 expected lines, 3000 actual lines; first difference at line 1: expected "a0", got "b0")');
  });
});

describe('makeVisible', () => {
  it('marks control characters with control pictures', () => {
    expect(makeVisible('\u001b[31mred\u001b[0m')).toBe('␛[31mred␛[0m');
    expect(makeVisible('nul\u0000')).toBe('nul␀');
  });

  it('marks only trailing spaces, not inner ones', () => {
    expect(makeVisible('a b  ')).toBe('a b··');
  });
});

describe('firstDifferingLine', () => {
  it('finds the first differing line, 1-based', () => {
    expect(firstDifferingLine('a\nb\nc', 'a\nB\nC')).toEqual({ line: 2, expected: 'b', actual: 'B' });
  });

  it('reports the end of the shorter text as null', () => {
    expect(firstDifferingLine('a\nb', 'a')).toEqual({ line: 2, expected: 'b', actual: null });
    expect(firstDifferingLine('a', 'a\nextra')).toEqual({ line: 2, expected: null, actual: 'extra' });
  });

  it('is null for equal texts', () => {
    expect(firstDifferingLine('same\n', 'same\n')).toBeNull();
  });
});

describe('visibleDiff on huge output', () => {
  it('summarises instead of diffing when the texts are too long together', () => {
    const huge = 'x\n'.repeat(30_000);
    const diff = visibleDiff('expected\n', huge);
    expect(diff).toBe('(diff too large to show: 2 expected lines, 30001 actual lines; first difference at line 1: expected "expected", got "x")');
  });
});
