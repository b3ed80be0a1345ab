import { describe, expect, it } from 'vitest';
import { compileRules, InputFileIndex, listingGlob, resolveByRules } from '../../harness/suite/input-rules.js';

const FILES = new InputFileIndex([
  'tests/inputs/eval/foo.ncl',
  'tests/inputs/eval/arrays[1].ncl',
  'tests/inputs/errors/bad.ncl',
  'tests/inputs/pretty/dup.ncl',
  'tests/inputs/eval/dup.ncl',
  'tests/other/solo.txt',
  'tests/other/sub/deep.txt',
]);

const CLI = '^cli__(?<cmd>[a-z-]+)_(?<stream>stdout|stderr)_(?<file>.+)$';

describe('resolveByRules', () => {
  it('maps an id through the first rule that matches and finds one file, with its groups as params', () => {
    const rules = compileRules([{ match: CLI, path: 'tests/inputs/**/{file}' }]);
    expect(resolveByRules('cli__eval_stderr_foo.ncl', rules, FILES)).toEqual({
      kind: 'file',
      rule: 1,
      path: 'tests/inputs/eval/foo.ncl',
      params: { cmd: 'eval', stream: 'stderr', file: 'foo.ncl' },
    });
  });

  it('uses groups anywhere in the path, and leaves an optional group that did not take part out of params', () => {
    const rules = compileRules([{ match: '^t__(?<dir>[a-z]+)(?:_v(?<version>\\d+))?_(?<name>.+)$', path: 'tests/{dir}/{name}.txt' }]);
    expect(resolveByRules('t__other_solo', rules, FILES)).toMatchObject({ kind: 'file', path: 'tests/other/solo.txt', params: { dir: 'other', name: 'solo' } });
    expect(resolveByRules('t__other_v2_solo', rules, FILES)).toMatchObject({ kind: 'file', params: { dir: 'other', version: '2', name: 'solo' } });
  });

  it('reads glob characters in an id literally: arrays[1].ncl is that file, not arrays1.ncl', () => {
    const index = new InputFileIndex(['in/arrays[1].ncl', 'in/arrays1.ncl', 'in/a*b.ncl', 'in/axb.ncl']);
    const rules = compileRules([{ match: '^t__(?<file>.+)$', path: 'in/{file}' }]);
    expect(resolveByRules('t__arrays[1].ncl', rules, index)).toMatchObject({ kind: 'file', path: 'in/arrays[1].ncl' });
    expect(resolveByRules('t__a*b.ncl', rules, index)).toMatchObject({ kind: 'file', path: 'in/a*b.ncl' });
  });

  it('a rule that finds several files makes the case ambiguous, and a later rule does not take over', () => {
    const rules = compileRules([
      { match: '^t__(?<file>.+)$', path: 'tests/inputs/**/{file}' },
      { match: '^t__(?<file>.+)$', path: 'tests/inputs/eval/{file}' },
    ]);
    expect(resolveByRules('t__dup.ncl', rules, FILES)).toEqual({
      kind: 'ambiguous',
      rule: 1,
      glob: 'tests/inputs/**/dup.ncl',
      candidates: ['tests/inputs/eval/dup.ncl', 'tests/inputs/pretty/dup.ncl'],
      params: { file: 'dup.ncl' },
    });
  });

  it('a rule that matches but finds no file lets the next rule try', () => {
    const rules = compileRules([
      { match: '^t__(?<file>.+)$', path: 'tests/inputs/eval/{file}' },
      { match: '^t__(?<file>.+)$', path: 'tests/inputs/errors/{file}' },
    ]);
    expect(resolveByRules('t__bad.ncl', rules, FILES)).toMatchObject({ kind: 'file', rule: 2, path: 'tests/inputs/errors/bad.ncl' });
  });

  it('no file under any matching rule is "missing", with every glob tried; no matching rule is "none"', () => {
    const rules = compileRules([
      { match: '^nomatch__(?<file>.+)$', path: 'x/{file}' },
      { match: CLI, path: 'tests/inputs/eval/{file}' },
      { match: CLI, path: 'tests/inputs/errors/{file}' },
    ]);
    expect(resolveByRules('cli__eval_stdout_gone.ncl', rules, FILES)).toEqual({
      kind: 'missing',
      tried: [
        { rule: 2, glob: 'tests/inputs/eval/gone.ncl' },
        { rule: 3, glob: 'tests/inputs/errors/gone.ncl' },
      ],
      params: { cmd: 'eval', stream: 'stdout', file: 'gone.ncl' },
    });
    expect(resolveByRules('test_compiler__const', rules, FILES)).toEqual({ kind: 'none' });
  });

  it('handles paths whose last segment is itself a glob', () => {
    const rules = compileRules([{ match: '^t__(?<dir>[a-z]+)$', path: 'tests/{dir}/**/*.txt' }]);
    expect(resolveByRules('t__other', rules, FILES)).toMatchObject({ kind: 'ambiguous', candidates: ['tests/other/solo.txt', 'tests/other/sub/deep.txt'] });
  });
});

describe('listingGlob', () => {
  it('turns every placeholder into *, keeping the rest of the glob', () => {
    expect(listingGlob('tests/{cmd}/**/{file}')).toBe('tests/*/**/*');
    expect(listingGlob('in/{name}.{txt,ncl}')).toBe('in/*.{txt,ncl}');
  });
});
