import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigYaml, validateConfig, type LoadResult } from '../../harness/config/load.js';

const FILE = 'porter.config.yaml';
const DIR = path.resolve('.');

const MINIMAL = `
source: src
snapshots: tests/snapshots/*.snap
phases:
  - name: lexer
    cases: test_lexer__*
target:
  command: python3 adapter.py
`;

function validate(yamlText: string, cpus = 8): LoadResult {
  const parsed = parseConfigYaml(yamlText, FILE);
  if (!parsed.ok) throw new Error(`test YAML does not parse: ${parsed.message}`);
  return validateConfig(parsed.raw, FILE, { cpus });
}

function errorsOf(yamlText: string): string[] {
  const r = validate(yamlText);
  if (r.ok) throw new Error('expected the config to be rejected');
  return r.message.split('\n');
}

/** The minimal config with extra top-level YAML appended or a section replaced. */
function withTarget(targetBody: string): string {
  return MINIMAL.replace('target:\n  command: python3 adapter.py\n', `target:\n${targetBody}`);
}

describe('validateConfig defaults', () => {
  it('fills every default and resolves paths against the config folder', () => {
    const r = validate(MINIMAL, 8);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.config).toEqual({
      configPath: path.join(DIR, FILE),
      configDir: DIR,
      source: path.join(DIR, 'src'),
      snapshots: ['tests/snapshots/*.snap'],
      phases: [{ name: 'lexer', cases: ['test_lexer__*'], inputs: [], files: [] }],
      target: {
        command: ['python3', 'adapter.py'],
        protocol: 'stdio',
        workers: 4,
        timeoutMs: 10_000,
        cwd: DIR,
        maxOutputBytes: 1024 * 1024,
      },
      compare: {
        level: 'kind+line+message',
        errorMarkers: ['!!!ERROR!!!', '!!!SYNTAX ERROR!!!'],
        similarity: 0.6,
        normalize: [],
        cases: [],
      },
      skiplist: path.join(DIR, 'skiplist'),
      overrides: path.join(DIR, 'overrides'),
      protected: [],
      reports: { dir: path.join(DIR, 'reports'), keepRuns: 200 },
    });
    expect('agent' in r.config).toBe(false);
  });

  it('sizes the default worker pool by CPUs, at most 4', () => {
    const workers = (cpus: number) => {
      const r = validate(MINIMAL, cpus);
      return r.ok ? r.config.target.workers : undefined;
    };
    expect(workers(2)).toBe(2);
    expect(workers(1)).toBe(1);
    expect(workers(16)).toBe(4);
  });

  it('reads every key of a full config', () => {
    const r = validate(`
source: ../minijinja
snapshots: [minijinja/tests/snapshots/*.snap, extra/*.snap]
phases:
  - name: lexer
    cases: [test_lexer__*]
    inputs: minijinja/tests/lexer-inputs
    level: kind
  - name: runtime
    cases: [test_templates__*, test_vm*]
    inputs: [minijinja/tests/inputs, minijinja/tests/fragment-inputs]
    files: minijinja/tests/inputs/refs/*
target:
  command: [go, run, ./cmd/adapter]
  protocol: exec
  workers: 3
  timeout: 1.5s
  cwd: port
  max_output: 512KiB
compare:
  level: kind+line
  error_markers: "!!!ERR!!!"
  similarity: 0.8
  normalize:
    - pattern: '0x[0-9a-f]+'
      replacement: '0xADDR'
    - { pattern: '\\s+$', replacement: '' }
  cases:
    test_vm@loop*: exact
    "*": any-error
skiplist: parked.txt
overrides: divergences
protected: [test_lexer__lexer@raw.txt]
agent:
  backend: anthropic
  whatever: [1, 2]
reports:
  dir: out/reports
  keep_runs: 30
`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.config;
    const src = path.resolve(DIR, '../minijinja');
    expect(c.source).toBe(src);
    expect(c.snapshots).toEqual(['minijinja/tests/snapshots/*.snap', 'extra/*.snap']);
    expect(c.phases).toEqual([
      { name: 'lexer', cases: ['test_lexer__*'], inputs: [path.join(src, 'minijinja/tests/lexer-inputs')], files: [], level: 'kind' },
      {
        name: 'runtime',
        cases: ['test_templates__*', 'test_vm*'],
        inputs: [path.join(src, 'minijinja/tests/inputs'), path.join(src, 'minijinja/tests/fragment-inputs')],
        files: ['minijinja/tests/inputs/refs/*'],
      },
    ]);
    expect(c.target).toEqual({
      command: ['go', 'run', './cmd/adapter'],
      protocol: 'exec',
      workers: 3,
      timeoutMs: 1500,
      cwd: path.join(DIR, 'port'),
      maxOutputBytes: 512 * 1024,
    });
    expect(c.compare).toEqual({
      level: 'kind+line',
      errorMarkers: ['!!!ERR!!!'],
      similarity: 0.8,
      normalize: [
        { pattern: '0x[0-9a-f]+', replacement: '0xADDR' },
        { pattern: '\\s+$', replacement: '' },
      ],
      cases: [
        { glob: 'test_vm@loop*', level: 'exact' },
        { glob: '*', level: 'any-error' },
      ],
    });
    expect(c.skiplist).toBe(path.join(DIR, 'parked.txt'));
    expect(c.overrides).toBe(path.join(DIR, 'divergences'));
    expect(c.protected).toEqual(['test_lexer__lexer@raw.txt']);
    expect(c.agent).toEqual({ backend: 'anthropic', whatever: [1, 2] });
    expect(c.reports).toEqual({ dir: path.join(DIR, 'out/reports'), keepRuns: 30 });
  });

  it('treats an empty value as "use the default"', () => {
    const r = validate(withTarget('  command: ./port\n  timeout:\n  workers: ~\n') + 'compare:\nskiplist:\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.target.timeoutMs).toBe(10_000);
    expect(r.config.compare.level).toBe('kind+line+message');
    expect(r.config.skiplist).toBe(path.join(DIR, 'skiplist'));
  });

  it('reads YAML with the core schema, so a date-like phase name stays a string', () => {
    const r = validate(MINIMAL.replace('name: lexer', 'name: 2019-01-01'));
    expect(r.ok && r.config.phases[0]!.name).toBe('2019-01-01');
  });

  it('takes a timeout in milliseconds and max_output in bytes', () => {
    const r = validate(withTarget('  command: ./port\n  timeout: 2500\n  max_output: 4096\n'));
    expect(r.ok && [r.config.target.timeoutMs, r.config.target.maxOutputBytes]).toEqual([2500, 4096]);
  });
});

describe('validateConfig errors', () => {
  it('names the key, the file and the levels for a bad level', () => {
    const cfg = MINIMAL.replace(
      '    cases: test_lexer__*\n',
      '    cases: test_lexer__*\n  - name: parser\n    cases: test_parser__*\n  - name: runtime\n    cases: test_vm*\n    level: kinds\n',
    );
    expect(errorsOf(cfg)).toEqual([
      'porter.config.yaml: phases[2].level: "kinds" is not a level (exact, kind+line+message, kind+line, kind, any-error)',
    ]);
  });

  it('reports an unknown key with a near miss', () => {
    const lines = errorsOf(MINIMAL.replace('snapshots:', 'snapshot:'));
    expect(lines).toContain('porter.config.yaml: snapshot: unknown key; did you mean "snapshots"?');
    expect(lines.some((l) => l.startsWith('porter.config.yaml: snapshots: missing'))).toBe(true);
  });

  it('lists the known keys when an unknown key is not a near miss', () => {
    expect(errorsOf(MINIMAL + 'colour: red\n')).toEqual([
      'porter.config.yaml: colour: unknown key (known keys: source, snapshots, phases, target, compare, skiplist, overrides, protected, agent, reports)',
    ]);
  });

  it('finds unknown keys at every depth', () => {
    const cfg = `
source: src
snapshots: x/*.snap
phases:
  - name: lexer
    case: test_lexer__*
target:
  command: ./port
  timout: 5s
  max-output: 1MiB
compare:
  error_marker: "!!!ERROR!!!"
  normalize:
    - pattern: x
      replace: y
reports:
  folder: r
`;
    expect(errorsOf(cfg)).toEqual([
      'porter.config.yaml: phases[0].case: unknown key; did you mean "cases"?',
      'porter.config.yaml: phases[0].cases: missing; give the case-id glob(s) of this phase, e.g. "test_lexer__*"',
      'porter.config.yaml: target.timout: unknown key; did you mean "timeout"?',
      'porter.config.yaml: target["max-output"]: unknown key; did you mean "max_output"?',
      'porter.config.yaml: compare.error_marker: unknown key; did you mean "error_markers"?',
      'porter.config.yaml: compare.normalize[0].replace: unknown key; did you mean "replacement"?',
      'porter.config.yaml: compare.normalize[0].replacement: missing; give the replacement text ("" to delete the match)',
      'porter.config.yaml: reports.folder: unknown key (known keys: dir, keep_runs)',
    ]);
  });

  it('never looks inside the agent section', () => {
    expect(validate(MINIMAL + 'agent:\n  bakcend: anything\n  phases: 3\n').ok).toBe(true);
  });

  it('reports every missing required key at once', () => {
    expect(errorsOf('compare:\n  level: exact\n')).toEqual([
      "porter.config.yaml: source: missing; set it to the source project's root folder, relative to this file",
      'porter.config.yaml: snapshots: missing; give the snapshot glob(s), relative to source, e.g. "tests/snapshots/*.snap"',
      'porter.config.yaml: phases: missing; list the phases in order, each with a name and the case globs it covers',
      'porter.config.yaml: target: missing; set target.command to the command that runs your port',
    ]);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(validate('')).toEqual({
      ok: false,
      message: 'porter.config.yaml: the file is empty; run "porter init" to write a starting config',
    });
    expect(errorsOf('- a\n- b\n')).toEqual([
      'porter.config.yaml: expected a mapping (source, snapshots, phases, target, compare, skiplist, overrides, protected, agent, reports), got a list',
    ]);
  });

  it.each([
    ['source: 3', 'source: expected a string, got 3'],
    ['source: ""', 'source: must not be empty'],
    ['snapshots: []', 'snapshots: the list is empty; give at least one entry'],
    ['snapshots: {a: 1}', 'snapshots: expected a string or a list of strings, got a mapping'],
    ['snapshots: [a, 7]', 'snapshots[1]: expected a string, got 7'],
    ['phases: []', 'phases: the list is empty; give at least one phase'],
    ['phases: lexer', 'phases: expected a list of phases, got "lexer"'],
    ['protected: true', 'protected: expected a string or a list of strings, got true'],
    ['skiplist: [a]', 'skiplist: expected a string, got a list'],
    ['overrides: 1', 'overrides: expected a string, got 1'],
    ['reports: out', 'reports: expected a mapping (dir, keep_runs), got "out"'],
    ['reports: {keep_runs: 0}', 'reports.keep_runs: expected a whole number of at least 1 (runs whose detail files are kept), got 0'],
    ['reports: {keep_runs: 2.5}', 'reports.keep_runs: expected a whole number of at least 1 (runs whose detail files are kept), got 2.5'],
    ['reports: {keep_runs: all}', 'reports.keep_runs: expected a whole number of at least 1 (runs whose detail files are kept), got "all"'],
    ['reports: {keep_run: 5}', 'reports.keep_run: unknown key; did you mean "keep_runs"?'],
    ['compare: exact', 'compare: expected a mapping (level, error_markers, similarity, normalize, cases), got "exact"'],
    ['compare: {level: fuzzy}', 'compare.level: "fuzzy" is not a level (exact, kind+line+message, kind+line, kind, any-error)'],
    ['compare: {similarity: 1.5}', 'compare.similarity: expected a number from 0 to 1, got 1.5'],
    ['compare: {similarity: high}', 'compare.similarity: expected a number from 0 to 1, got "high"'],
    ['compare: {error_markers: [""]}', 'compare.error_markers[0]: must not be empty'],
    ['compare: {normalize: {pattern: x}}', 'compare.normalize: expected a list of {pattern, replacement}, got a mapping'],
    ['compare: {cases: [a]}', 'compare.cases: expected a mapping of case-id glob to level, got a list'],
    [
      'compare: {cases: {"test_*@x.txt": strict}}',
      'compare.cases["test_*@x.txt"]: "strict" is not a level (exact, kind+line+message, kind+line, kind, any-error)',
    ],
  ])('%s', (yamlLine, message) => {
    const key = yamlLine.slice(0, yamlLine.indexOf(':'));
    const base = MINIMAL.split('\n')
      .filter((l, i, all) => !l.startsWith(`${key}:`) && !(key === 'phases' && isUnder(all, i, 'phases')))
      .join('\n');
    expect(errorsOf(`${base}\n${yamlLine}\n`)).toEqual([`porter.config.yaml: ${message}`]);
  });

  it.each([
    ['  command: ./port\n  protocol: http\n', 'target.protocol: "http" is not a protocol (stdio, exec)'],
    ['  command: ./port\n  workers: 0\n', 'target.workers: expected a whole number of at least 1, got 0'],
    ['  command: ./port\n  workers: 1.5\n', 'target.workers: expected a whole number of at least 1, got 1.5'],
    ['  command: ./port\n  workers: four\n', 'target.workers: expected a whole number of at least 1, got "four"'],
    [
      '  command: ./port\n  timeout: 10 sec\n',
      'target.timeout: "10 sec" is not a duration (e.g. 10s, 500ms, 2m, 1h, or milliseconds as a number)',
    ],
    ['  command: ./port\n  timeout: 0s\n', 'target.timeout: must be longer than zero'],
    ['  command: ./port\n  max_output: 1 megabyte\n', 'target.max_output: "1 megabyte" is not a size (e.g. 1MiB, 512KiB, or bytes as a number)'],
    ['  command: ./port\n  max_output: 0\n', 'target.max_output: must be larger than zero'],
    ['  command: ./port\n  cwd: 5\n', 'target.cwd: expected a string, got 5'],
    ['  protocol: exec\n', 'target.command: missing; give the command that runs your port, e.g. "python3 adapter.py"'],
    ['  command: []\n', 'target.command: the command list is empty'],
    [
      '  command: go run . | tee log\n',
      `target.command: "|" needs a shell, and Porter runs the command without one; wrap it as sh -c "go run . | tee log" (or quote the character)`,
    ],
  ])('target: %j', (targetBody, message) => {
    expect(errorsOf(withTarget(targetBody))).toEqual([`porter.config.yaml: ${message}`]);
  });

  it('rejects a target that is not a mapping', () => {
    expect(errorsOf(MINIMAL.replace('target:\n  command: python3 adapter.py', 'target: ./port'))).toEqual([
      'porter.config.yaml: target: expected a mapping (command, protocol, workers, timeout, cwd, max_output), got "./port"',
    ]);
  });

  it('checks phase names: present, file-name safe, unique', () => {
    const cfg = `
source: src
snapshots: s/*.snap
target: {command: ./port}
phases:
  - cases: a*
  - name: lex er
    cases: b*
  - name: ../up
    cases: c*
  - name: lexer
    cases: d*
  - name: lexer
    cases: e*
  - name: parser
    cases: []
  - name: runtime
    cases: f*
    inputs: [1]
  - not a mapping
`;
    expect(errorsOf(cfg)).toEqual([
      'porter.config.yaml: phases[0].name: missing; give the phase a name such as "lexer"',
      'porter.config.yaml: phases[1].name: "lex er" is not a safe file name (letters, digits, ".", "_", "-", starting with a letter or digit); it names skiplist/<phase>.txt',
      'porter.config.yaml: phases[2].name: "../up" is not a safe file name (letters, digits, ".", "_", "-", starting with a letter or digit); it names skiplist/<phase>.txt',
      'porter.config.yaml: phases[4].name: "lexer" is already the name of phases[3]; phase names must be unique',
      'porter.config.yaml: phases[5].cases: the list is empty; give at least one entry',
      'porter.config.yaml: phases[6].inputs[0]: expected a string, got 1',
      'porter.config.yaml: phases[7]: expected a mapping (name, cases, inputs, files, input_rules, level), got "not a mapping"',
    ]);
  });

  it('compiles normalize patterns up front and names the bad one', () => {
    const lines = errorsOf(MINIMAL + 'compare:\n  normalize:\n    - {pattern: "ok", replacement: ""}\n    - {pattern: "(unclosed", replacement: x}\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^porter\.config\.yaml: compare\.normalize\[1\]\.pattern: not a valid regular expression: .*Unterminated group/);
  });

  it('reports several problems one per line, in file order', () => {
    const cfg = MINIMAL.replace('source: src', 'source: 1').replace('command: python3 adapter.py', 'command: a > b\n  timeout: soon') + 'compare: {level: nope}\n';
    const lines = errorsOf(cfg);
    expect(lines.map((l) => l.split(': ')[1])).toEqual(['source', 'target.command', 'target.timeout', 'compare.level']);
    expect(lines.every((l) => l.startsWith('porter.config.yaml: '))).toBe(true);
  });

  it('names the config file as it was given', () => {
    const parsed = parseConfigYaml('source: 1\n', 'examples/x/porter.config.yaml');
    const r = validateConfig(parsed.ok ? parsed.raw : null, 'examples/x/porter.config.yaml');
    expect(r.ok || r.message.split('\n')[0]).toBe('examples/x/porter.config.yaml: source: expected a string, got 1');
  });
});

describe('parseConfigYaml', () => {
  it('reports a syntax error as file:line:col', () => {
    expect(parseConfigYaml('source: src\nphases: a: b\n', FILE)).toEqual({
      ok: false,
      message: 'porter.config.yaml:2:9: Nested mappings are not allowed in compact mappings',
    });
    expect(parseConfigYaml('target:\n  command: x\n timeout: 3\n', FILE)).toEqual({
      ok: false,
      message: 'porter.config.yaml:3:1: All mapping items must start at the same column',
    });
  });

  it('reports a duplicate key with its position', () => {
    const r = parseConfigYaml('source: a\nsnapshots: b\nsource: c\n', FILE);
    expect(r).toEqual({ ok: false, message: 'porter.config.yaml:3:1: Map keys must be unique' });
  });

  it('reports every syntax error, one per line', () => {
    const r = parseConfigYaml('a: b: c\nd: [1\n', FILE);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.message.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toBe('porter.config.yaml:1:4: Nested mappings are not allowed in compact mappings');
    expect(lines.every((l) => /^porter\.config\.yaml:\d+:\d+: /.test(l))).toBe(true);
  });
});

/** True when line i is inside the indented block under `key:`. */
function isUnder(lines: string[], i: number, key: string): boolean {
  for (let j = i; j >= 0; j--) {
    const l = lines[j]!;
    if (l === '' || l.startsWith(' ')) continue;
    return l.startsWith(`${key}:`);
  }
  return false;
}
