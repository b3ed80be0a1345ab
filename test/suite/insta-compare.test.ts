import { describe, expect, it } from 'vitest';
import { instaContentsMatch, normalizeSnapshotText, rustTrimEnd } from '../../harness/suite/insta-compare.js';

describe('rustTrimEnd', () => {
  it('trims Unicode White_Space like Rust: U+0085 yes, U+FEFF no', () => {
    expect(rustTrimEnd('a \t\n\r\x0b\x0c')).toBe('a');
    expect(rustTrimEnd('a\u0085')).toBe('a');
    expect('a\u0085'.trimEnd()).toBe('a\u0085'); // the JavaScript difference this exists for
    expect(rustTrimEnd('a\uFEFF')).toBe('a\uFEFF');
    expect('a\uFEFF'.trimEnd()).toBe('a');
    expect(rustTrimEnd('a\u00a0\u2003\u2028\u3000')).toBe('a');
  });

  it('keeps leading whitespace and inner runs', () => {
    expect(rustTrimEnd('  a  b  ')).toBe('  a  b');
    expect(rustTrimEnd('')).toBe('');
    expect(rustTrimEnd(' \n ')).toBe('');
  });

  it('does not treat other control characters as whitespace', () => {
    expect(rustTrimEnd('a\x00')).toBe('a\x00');
    expect(rustTrimEnd('a\x1b')).toBe('a\x1b');
  });
});

describe('normalizeSnapshotText', () => {
  it('turns CRLF into LF and trims the end, keeping leading blank lines', () => {
    expect(normalizeSnapshotText('\n\na\r\nb\r\n\r\n')).toBe('\n\na\nb');
    expect(normalizeSnapshotText('a\rb')).toBe('a\rb');
  });
});

describe('instaContentsMatch', () => {
  it('is exact when bodies differ only in trailing whitespace or CRLF', () => {
    expect(instaContentsMatch('a\nb', 'a\nb\n')).toBe('exact');
    expect(instaContentsMatch('a\nb  \n\n', 'a\r\nb')).toBe('exact');
    expect(instaContentsMatch('a\u0085', 'a')).toBe('exact');
  });

  it('does not forgive trailing U+FEFF, inner whitespace or a lone \\r inside', () => {
    expect(instaContentsMatch('a\uFEFF', 'a')).toBe(false);
    expect(instaContentsMatch('a  b', 'a b')).toBe(false);
    expect(instaContentsMatch('a\rb', 'a\nb')).toBe(false);
    expect(instaContentsMatch('a\tb', 'a    b')).toBe(false);
  });

  it('matches leading newlines only by the legacy rule', () => {
    expect(instaContentsMatch('\nfoo', 'foo')).toBe('legacy');
    expect(instaContentsMatch('foo', '\n\r\nfoo\n')).toBe('legacy');
    expect(instaContentsMatch('\nfoo', '\nfoo')).toBe('exact');
  });

  it('matches a leading ---\\n only by the legacy rule, after leading newlines', () => {
    expect(instaContentsMatch('---\nenv: 1', 'env: 1')).toBe('legacy');
    expect(instaContentsMatch('\n---\r\nenv: 1\n', 'env: 1')).toBe('legacy');
    expect(instaContentsMatch('---\n---\nx', 'x')).toBe(false); // one marker only
    expect(instaContentsMatch('---', '')).toBe(false);
  });

  it('keeps leading spaces significant even under the legacy rule', () => {
    expect(instaContentsMatch('  foo', 'foo')).toBe(false);
  });
});
