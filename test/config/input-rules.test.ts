import { describe, expect, it } from 'vitest';
import { groupNamesOf, placeholdersOf } from '../../harness/config/input-rule.js';
import { parseConfigYaml, validateConfig, type LoadResult } from '../../harness/config/load.js';

const FILE = 'porter.config.yaml';

/** A config with one phase whose `input_rules` are `rulesYaml` (indented under the phase). */
function withRules(rulesYaml: string): string {
  return `
source: src
snapshots: tests/snapshots/*.snap
phases:
  - name: eval
    cases: "cli__eval_*"
    input_rules:
${rulesYaml}
target:
  command: python3 adapter.py
`;
}

function validate(yamlText: string): LoadResult {
  const parsed = parseConfigYaml(yamlText, FILE);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.message}`);
  return validateConfig(parsed.raw, FILE, { cpus: 2 });
}

function errorsOf(yamlText: string): string[] {
  const r = validate(yamlText);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.message.split('\n');
}

describe('input_rules in the config', () => {
  it('keeps the rules in order, as written', () => {
    const r = validate(
      withRules(`      - match: "^cli__(?<cmd>[a-z-]+)_(?<stream>stdout|stderr)_(?<file>.+)$"
        path: "tests/inputs/**/{file}"
      - { match: "^cli__(?<cmd>eval)_(?<name>.+)$", path: "tests/{cmd}/{name}.ncl" }`),
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.config.phases[0]!.inputRules).toEqual([
      { match: '^cli__(?<cmd>[a-z-]+)_(?<stream>stdout|stderr)_(?<file>.+)$', path: 'tests/inputs/**/{file}' },
      { match: '^cli__(?<cmd>eval)_(?<name>.+)$', path: 'tests/{cmd}/{name}.ncl' },
    ]);
  });

  it('a phase without input_rules has none (the config of a glob-named suite is unchanged)', () => {
    const r = validate(withRules('      []').replace('    input_rules:\n      []\n', ''));
    if (!r.ok) throw new Error(r.message);
    expect(r.config.phases[0]).not.toHaveProperty('inputRules');
  });

  it('a match that does not compile is an error with its key path', () => {
    expect(errorsOf(withRules('      - { match: "^cli__(?<file>.+", path: "in/{file}" }'))).toEqual([
      expect.stringMatching(/^porter\.config\.yaml: phases\[0\]\.input_rules\[0\]\.match: not a valid regular expression: .*Unterminated group/),
    ]);
  });

  it('says how to write a named group when the match uses the (?P<name>) syntax', () => {
    const [line] = errorsOf(withRules('      - { match: "^cli__(?P<file>.+)$", path: "in/{file}" }'));
    expect(line).toMatch(/^porter\.config\.yaml: phases\[0\]\.input_rules\[0\]\.match: not a valid regular expression: .*; write named groups as \(\?<name>\.\.\.\), not \(\?P<name>\.\.\.\)$/);
  });

  it('a match without any named group is an error', () => {
    expect(errorsOf(withRules('      - { match: "^cli__(.+)$", path: "in/x.txt" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].match: has no named group; name the part of the id that gives the input, e.g. (?<file>.+), and put {file} in path',
    ]);
  });

  it('a match none of whose named groups the path uses is an error', () => {
    expect(errorsOf(withRules('      - { match: "^cli__(?<cmd>[a-z]+)_(?<file>.+)$", path: "in/all.txt" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].match: none of its named groups (cmd, file) is used by path "in/all.txt"; put the one that gives the input in path as {file}',
    ]);
  });

  it('a path that names a group not in match is an error listing the groups there are', () => {
    expect(errorsOf(withRules('      - { match: "^cli__(?<cmd>[a-z]+)_(?<file>.+)$", path: "in/{command}/{file}/{x}" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].path: {command}, {x} names no group of match (its groups: cmd, file)',
    ]);
  });

  it('reports missing keys, unknown keys with a near miss, and a rule list of the wrong shape', () => {
    expect(errorsOf(withRules('      - { mach: "^(?<file>.+)$", path: "in/{file}" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].mach: unknown key; did you mean "match"?',
      'porter.config.yaml: phases[0].input_rules[0].match: missing; give a regular expression over the case id with named groups, e.g. "^cli__(?<cmd>[a-z-]+)_(?<file>.+)$"',
    ]);
    expect(errorsOf(withRules('      - { match: "^(?<file>.+)$" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].path: missing; give a glob relative to source that uses the groups, e.g. "tests/inputs/**/{file}"',
    ]);
    expect(errorsOf(withRules('      { match: "^(?<file>.+)$", path: "in/{file}" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules: expected a list of {match, path}, got a mapping',
    ]);
    expect(errorsOf(withRules('      - "^(?<file>.+)$"'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0]: expected a mapping (match, path), got "^(?<file>.+)$"',
    ]);
  });

  it('rejects an absolute path: rule paths are relative to source', () => {
    expect(errorsOf(withRules('      - { match: "^(?<file>.+)$", path: "/etc/{file}" }'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].path: "/etc/{file}" is absolute; give a glob relative to source',
    ]);
  });

  it('reports every bad rule of every phase at once', () => {
    const text = withRules(`      - { match: "(", path: "in/{file}" }
      - { match: "^(?<file>.+)$", path: "in/{nope}" }`);
    expect(errorsOf(text).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual([
      'porter.config.yaml: phases[0].input_rules[0].match',
      'porter.config.yaml: phases[0].input_rules[1].path',
    ]);
  });
});

describe('rule syntax helpers', () => {
  it('finds named groups in order, ignoring lookbehinds and escaped parentheses', () => {
    expect(groupNamesOf(/^(?<a>x)(?<=x)(?<!y)\(?<no>\)(?:(?<b>y)|(?<c>z))?$/)).toEqual(['a', 'b', 'c']);
    expect(groupNamesOf(/^plain(.+)$/)).toEqual([]);
  });

  it('reads {name} placeholders once each, leaving glob braces such as {a,b} alone', () => {
    expect(placeholdersOf('in/{cmd}/{file}.{txt,ncl}/{file}')).toEqual(['cmd', 'file']);
  });
});

describe('compare.cases', () => {
  it('keeps the order of the file, integer-like keys included: first match wins', () => {
    const r = validate(`
source: src
snapshots: tests/snapshots/*.snap
phases:
  - { name: eval, cases: "*" }
target: { command: run }
compare:
  cases:
    "b*": kind
    "10": exact
    2: kind+line
    "*": any-error
    "1": kind
`);
    if (!r.ok) throw new Error(r.message);
    expect(r.config.compare.cases).toEqual([
      { glob: 'b*', level: 'kind' },
      { glob: '10', level: 'exact' },
      { glob: '2', level: 'kind+line' },
      { glob: '*', level: 'any-error' },
      { glob: '1', level: 'kind' },
    ]);
  });

  it('still accepts a plain object from callers that build the tree themselves', () => {
    const parsed = parseConfigYaml('source: s\nsnapshots: x\nphases: [{name: a, cases: "*"}]\ntarget: {command: run}\n', FILE);
    if (!parsed.ok) throw new Error(parsed.message);
    const raw = { ...(parsed.raw as object), compare: { cases: { 'a*': 'kind' } } };
    const r = validateConfig(raw, FILE);
    expect(r.ok && r.config.compare.cases).toEqual([{ glob: 'a*', level: 'kind' }]);
  });
});
