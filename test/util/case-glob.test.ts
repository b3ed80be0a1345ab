import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { caseMatcher, matchesCase } from '../../harness/util/case-glob.js';

// caseMatcher tests picomatch's compiled expressions directly; it must answer as picomatch does.
const options = { dot: true, nobrace: false, noextglob: true };
const globs = ['*', 'test_lexer__*', '*@*.txt', 'test_*__{a,b}*', '*.txt', 'a?c', '[ab]*', '!(x)*', 'x/**', '**', '.*', '*@sub__*', '@(a|b)', 'a\\*b', '{a..c}*', 'test_[a-z]*', 'foo', '!foo'];
const ids = ['test_lexer__lexer@raw.txt', 'test_vm__vm@loop.txt', 'abc', 'a', 'b', '.hidden', 'x/y', 'foo', '', 'a*b', 'test_templates__vm@sub__file.txt', 'aac', '(x)y', 'x', 'bcd', 'c1', 'ab', 'test_a'];

describe('caseMatcher', () => {
  it.each(globs)('matches %s as picomatch does', (glob) => {
    const expected = picomatch(glob, options);
    const actual = caseMatcher(glob);
    for (const id of ids) expect([id, actual(id)]).toEqual([id, Boolean(expected(id))]);
  });

  it('matches any of several globs, and nothing for none', () => {
    const m = caseMatcher(['test_lexer__*', '*@loop*']);
    expect(ids.filter(m)).toEqual(['test_lexer__lexer@raw.txt', 'test_vm__vm@loop.txt']);
    expect(ids.filter(caseMatcher([]))).toEqual([]);
    expect(matchesCase('a?c', 'abc')).toBe(true);
  });

  it('rejects an empty glob as picomatch does', () => {
    expect(() => caseMatcher('')).toThrow();
    expect(() => picomatch('', options)).toThrow();
  });
});
