import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PhaseConfig, PorterConfig } from '../../harness/config/types.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import type { Suite } from '../../harness/suite/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A temp project: `files` maps paths relative to its root to contents. */
function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-suite-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

type PhaseSpec = { name: string; cases: string[]; inputs?: string[]; files?: string[]; inputRules?: PhaseConfig['inputRules'] };

function config(root: string, phases: PhaseSpec[], snapshots = ['crate/tests/snapshots/*.snap']): PorterConfig {
  const resolved: PhaseConfig[] = phases.map((p) => ({
    name: p.name,
    cases: p.cases,
    inputs: (p.inputs ?? []).map((d) => path.join(root, d)),
    files: p.files ?? [],
    ...(p.inputRules ? { inputRules: p.inputRules } : {}),
  }));
  return {
    configPath: path.join(root, 'porter.config.yaml'),
    configDir: root,
    source: root,
    snapshots,
    phases: resolved,
    target: { command: ['true'], protocol: 'stdio', workers: 1, timeoutMs: 1000, cwd: root, maxOutputBytes: 1 << 20 },
    compare: { level: 'kind+line+message', errorMarkers: ['!!!ERROR!!!'], similarity: 0.6, normalize: [], cases: [] },
    skiplist: path.join(root, 'skiplist'),
    overrides: path.join(root, 'overrides'),
    protected: [],
    reports: { dir: path.join(root, 'reports'), keepRuns: 200 },
  };
}

function snap(header: string, body: string): string {
  return `---\n${header}\n---\n${body}\n`;
}

async function load(cfg: PorterConfig, phases?: string[]): Promise<Suite> {
  const r = await loadSuite(cfg, phases ? { phases } : {});
  if (!r.ok) throw new Error(`expected ok, got ${r.message}`);
  return r.suite;
}

const S = 'crate/tests/snapshots';

describe('loadSuite', () => {
  it('builds cases in phase order with inputs from input_file headers', async () => {
    const root = project({
      [`${S}/test_lexer__lexer@b.txt.snap`]: snap('source: crate/tests/test_lexer.rs\ninput_file: crate/tests/lexer-inputs/b.txt', 'B'),
      [`${S}/test_lexer__lexer@a.txt.snap`]: snap('source: crate/tests/test_lexer.rs\ninput_file: crate/tests/lexer-inputs/a.txt', 'A'),
      [`${S}/test_parser__parser@p.txt.snap`]: snap('input_file: crate/tests/parser-inputs/p.txt', 'P'),
      'crate/tests/lexer-inputs/a.txt': '{"keep_trailing_newline": true}\n---\nhello\n',
      'crate/tests/lexer-inputs/b.txt': '{}\n---\nb',
      'crate/tests/parser-inputs/p.txt': '{{ x }}\n---\n{{ y }}',
    });
    const suite = await load(
      config(root, [
        { name: 'lexer', cases: ['test_lexer__*'] },
        { name: 'parser', cases: ['test_parser__*'] },
      ]),
    );
    expect(suite.cases.map((c) => [c.id, c.phase])).toEqual([
      ['test_lexer__lexer@a.txt', 'lexer'],
      ['test_lexer__lexer@b.txt', 'lexer'],
      ['test_parser__parser@p.txt', 'parser'],
    ]);
    const [a, , p] = suite.cases;
    expect(a!.input).toEqual({ path: 'crate/tests/lexer-inputs/a.txt', header: { keep_trailing_newline: true }, headerRaw: '{"keep_trailing_newline": true}', body: 'hello\n' });
    expect(a!.inputVia).toBe('input_file');
    expect(a!.snapshot).toMatchObject({ path: `${S}/test_lexer__lexer@a.txt.snap`, body: 'A' });
    expect(p!.input).toEqual({ path: 'crate/tests/parser-inputs/p.txt', header: null, headerRaw: null, body: '{{ x }}\n---\n{{ y }}' });
    expect(suite.cases.every((c) => c.problem === undefined)).toBe(true);
    expect(suite.warnings).toEqual([]);
    expect(suite.sourceRoot).toBe(root);
  });

  it('maps snapshots without input_file through glob naming, __ meaning /', async () => {
    const root = project({
      [`${S}/test_templates__vm@concat.txt.snap`]: snap('source: crate/tests/test_templates.rs\ninfo:\n  a: foo', 'foobar'),
      [`${S}/test_templates__vm@sub__deep.html.snap`]: snap('source: crate/tests/test_templates.rs', 'deep'),
      'crate/tests/inputs/concat.txt': '{"a": "foo"}\n---\n{{ a }}bar',
      'crate/tests/inputs/sub/deep.html': '{}\n---\n<p>',
    });
    const suite = await load(config(root, [{ name: 'runtime', cases: ['test_templates__vm@*'], inputs: ['crate/tests/inputs'] }]));
    expect(suite.cases.map((c) => [c.id, c.input?.path, c.inputVia])).toEqual([
      ['test_templates__vm@concat.txt', 'crate/tests/inputs/concat.txt', 'glob-name'],
      ['test_templates__vm@sub__deep.html', 'crate/tests/inputs/sub/deep.html', 'glob-name'],
    ]);
    expect(suite.cases[0]!.input!.header).toEqual({ a: 'foo' });
  });

  it('warns about a stale input_file header that glob naming repairs', async () => {
    const root = project({
      [`${S}/test_x__t@a.txt.snap`]: snap('input_file: crate/tests/old-inputs/a.txt', 'A'),
      'crate/tests/inputs/a.txt': 'a',
    });
    const suite = await load(config(root, [{ name: 'x', cases: ['test_x__*'], inputs: ['crate/tests/inputs'] }]));
    expect(suite.cases[0]).toMatchObject({ input: { path: 'crate/tests/inputs/a.txt' }, inputVia: 'glob-name' });
    expect(suite.warnings).toHaveLength(1);
    expect(suite.warnings[0]).toMatch(/test_x__t@a\.txt\.snap: stale header: input_file crate\/tests\/old-inputs\/a\.txt does not exist/);
  });

  it('gives a missing input, malformed input JSON, a binary snapshot and a bad snapshot a problem, and goes on', async () => {
    const root = project({
      [`${S}/t__c@missing.txt.snap`]: snap('input_file: crate/tests/inputs/missing.txt', 'x'),
      [`${S}/t__c@noheader-missing.txt.snap`]: snap('source: a.rs', 'x'),
      [`${S}/t__c@badjson.txt.snap`]: snap('input_file: crate/tests/inputs/badjson.txt', 'x'),
      [`${S}/t__c@image.snap`]: '---\nsource: a.rs\nextension: png\nsnapshot_kind: binary\n---\n',
      [`${S}/t__c@badyaml.snap`]: '---\nsource: a.rs\ninfo: [1\n---\nx\n',
      [`${S}/t__c@fine.txt.snap`]: snap('input_file: crate/tests/inputs/fine.txt', 'ok'),
      [`${S}/t__plain.snap`]: snap('expression: x', 'x'),
      'crate/tests/inputs/badjson.txt': '{\n  "a": 1\n  "b": 2\n}\n---\nbody',
      'crate/tests/inputs/fine.txt': '{}\n---\nfine',
    });
    const suite = await load(config(root, [{ name: 'p', cases: ['t__*'], inputs: ['crate/tests/inputs'] }]));
    const problem = (id: string) => suite.cases.find((c) => c.id === id)?.problem;
    expect(problem('t__c@missing.txt')).toMatch(/^input file not found: neither header input_file crate\/tests\/inputs\/missing\.txt nor crate\/tests\/inputs\/missing\.txt exists/);
    expect(problem('t__c@noheader-missing.txt')).toMatch(/^input file not found: no input_file header and none of crate\/tests\/inputs\/noheader-missing\.txt exists/);
    expect(problem('t__c@badjson.txt')).toMatch(/^crate\/tests\/inputs\/badjson\.txt:3:3: malformed JSON header/);
    expect(problem('t__c@image')).toMatch(/^binary snapshots are unsupported \(crate\/tests\/snapshots\/t__c@image\.snap, data in \.snap\.png\)/);
    expect(problem('t__c@badyaml')).toMatch(/^crate\/tests\/snapshots\/t__c@badyaml\.snap:\d+:\d+: malformed YAML snapshot header/);
    expect(problem('t__plain')).toMatch(/^no input: .* has no input_file header and its name has no @<input> part/);
    expect(problem('t__c@fine.txt')).toBeUndefined();
    expect(suite.cases.find((c) => c.id === 't__c@fine.txt')!.input!.body).toBe('fine');
    for (const c of suite.cases) expect(c.problem ?? '').not.toContain('\n');
  });

  it('ignores .snap.new and .pending-snap files with one warning listing them', async () => {
    const root = project({
      [`${S}/t__a@x.snap`]: snap('source: crate/tests/test_t.rs', 'x'),
      [`${S}/t__a@x.snap.new`]: snap('source: crate/tests/test_t.rs\nassertion_line: 3', 'new'),
      [`${S}/t__a@y.snap.new`]: snap('source: crate/tests/test_t.rs', 'new'),
      'crate/tests/.test_t.rs.pending-snap': '{"run_id":"1","line":3,"new":null,"old":null}\n',
      'crate/src/.lib.rs.pending-snap': '{}\n',
      [`${S}/../x.txt`]: 'x',
    });
    const cfg = config(root, [{ name: 't', cases: ['t__*'] }], [`${S}/*.snap`, `${S}/*.snap.new`]);
    cfg.phases[0]!.inputs = [path.join(root, 'crate/tests')];
    const suite = await load(cfg);
    expect(suite.cases.map((c) => c.id)).toEqual(['t__a@x']);
    const stray = suite.warnings.filter((w) => w.includes('pending insta file'));
    expect(stray).toHaveLength(1);
    expect(stray[0]).toContain(`${S}/t__a@x.snap.new`);
    expect(stray[0]).toContain(`${S}/t__a@y.snap.new`);
    expect(stray[0]).toContain('crate/tests/.test_t.rs.pending-snap');
    expect(stray[0]).toMatch(/^ignored 3 pending insta file/);
  });

  it('lists snapshots that match no phase, saying which have no input files', async () => {
    const root = project({
      [`${S}/test_lexer__lexer@a.txt.snap`]: snap('input_file: crate/tests/a.txt', 'A'),
      [`${S}/test_compiler__const.snap`]: snap('expression: "&c.finish()"', '(...)'),
      [`${S}/test_compiler__bool_ops.snap`]: snap('expression: "&c.finish()"', '(...)'),
      [`${S}/test_other__o@z.txt.snap`]: snap('source: a.rs', 'z'),
      'crate/tests/a.txt': 'a',
    });
    const suite = await load(config(root, [{ name: 'lexer', cases: ['test_lexer__*'] }]));
    expect(suite.cases.map((c) => c.id)).toEqual(['test_lexer__lexer@a.txt']);
    expect(suite.unassigned).toEqual(['test_compiler__bool_ops', 'test_compiler__const', 'test_other__o@z.txt']);
    expect(suite.warnings).toEqual([
      '3 snapshot(s) match no phase and are not run; without input files (input is Rust code): test_compiler__bool_ops, test_compiler__const; with input files (add them to a phase\'s `cases`): test_other__o@z.txt',
    ]);
  });

  it('reads phase files relative to the source root', async () => {
    const root = project({
      [`${S}/t__a@x.txt.snap`]: snap('input_file: crate/tests/inputs/x.txt', 'x'),
      'crate/tests/inputs/x.txt': '{}\n---\n{% include "lay.txt" %}',
      'crate/tests/inputs/refs/lay.txt': 'layout ✓',
      'crate/tests/inputs/refs/b.html': '<b>',
    });
    const suite = await load(
      config(root, [{ name: 'rt', cases: ['t__*'], inputs: ['crate/tests/inputs'], files: ['crate/tests/inputs/refs/*'] }]),
    );
    expect(suite.files).toEqual({
      rt: { 'crate/tests/inputs/refs/b.html': '<b>', 'crate/tests/inputs/refs/lay.txt': 'layout ✓' },
    });
  });

  it('warns when a phase files glob matches nothing', async () => {
    const root = project({ [`${S}/t__a@x.snap`]: snap('source: a.rs', 'x'), 'crate/tests/x': '' });
    const suite = await load(config(root, [{ name: 'rt', cases: ['t__*'], inputs: ['crate/tests'], files: ['nowhere/*'] }]));
    expect(suite.files).toEqual({ rt: {} });
    expect(suite.warnings).toEqual(['phase rt: `files` (nowhere/*) matches no file under ' + root]);
  });

  it('loads only the phases asked for', async () => {
    const root = project({
      [`${S}/a__x@1.snap`]: snap('source: a.rs', '1'),
      [`${S}/b__x@2.snap`]: snap('source: a.rs', '2'),
      'crate/tests/1': '',
      'crate/tests/2': '',
    });
    const cfg = config(root, [
      { name: 'a', cases: ['a__*'], inputs: ['crate/tests'] },
      { name: 'b', cases: ['b__*'], inputs: ['crate/tests'], files: ['crate/tests/1'] },
    ]);
    const suite = await load(cfg, ['b']);
    expect(suite.cases.map((c) => c.id)).toEqual(['b__x@2']);
    expect(Object.keys(suite.files)).toEqual(['b']);
    const bad = await loadSuite(cfg, { phases: ['c'] });
    expect(!bad.ok && bad.message).toMatch(/^unknown phase c; phases in .*porter\.config\.yaml: a, b$/);
  });

  it('fails when a case is in two phases, or a phase matches nothing', async () => {
    const root = project({ [`${S}/t__a@x.snap`]: snap('source: a.rs', 'x') });
    const both = await loadSuite(config(root, [{ name: 'one', cases: ['t__*'] }, { name: 'two', cases: ['*@x'] }]));
    expect(!both.ok && both.message).toMatch(/^1 case\(s\) match more than one phase: t__a@x \(one, two\); make the phases' `cases` globs disjoint/);
    const empty = await loadSuite(config(root, [{ name: 'one', cases: ['t__*'] }, { name: 'none', cases: ['zzz*'] }]));
    expect(!empty.ok && empty.message).toMatch(/^phase none \(cases: zzz\*\) matches no snapshot; fix its `cases` globs/);
  });

  it('fails clearly on a missing source, no snapshots, or duplicate case ids', async () => {
    const root = project({ 'a/snapshots/t__x.snap': snap('source: a.rs', 'x'), 'b/snapshots/t__x.snap': snap('source: b.rs', 'y') });
    const missing = await loadSuite({ ...config(root, [{ name: 'p', cases: ['*'] }]), source: path.join(root, 'nope') });
    expect(!missing.ok && missing.message).toMatch(/^source directory .*nope does not exist/);
    const none = await loadSuite(config(root, [{ name: 'p', cases: ['*'] }], ['zzz/*.snap']));
    expect(!none.ok && none.message).toMatch(/^no \.snap file matches `snapshots` \(zzz\/\*\.snap\)/);
    const dup = await loadSuite(config(root, [{ name: 'p', cases: ['*'] }], ['*/snapshots/*.snap']));
    expect(!dup.ok && dup.message).toMatch(/^case id t__x names two snapshots, a\/snapshots\/t__x\.snap and b\/snapshots\/t__x\.snap/);
  });

  it('reads CRLF snapshots, empty bodies and legacy files', async () => {
    const root = project({
      [`${S}/t__crlf@i.snap`]: '---\r\nsource: a.rs\r\n---\r\nline1\r\nline2\r\n',
      [`${S}/t__empty@i.snap`]: '---\nsource: a.rs\n---\n\n',
      [`${S}/t__legacy@i.snap`]: 'Created: 2019-01-01\nExpression: x\n\nold body\n',
      'crate/tests/i': '',
    });
    const suite = await load(config(root, [{ name: 't', cases: ['t__*'], inputs: ['crate/tests'] }]));
    const body = (id: string) => suite.cases.find((c) => c.id === id)!.snapshot;
    expect(body('t__crlf@i').body).toBe('line1\nline2');
    expect(body('t__empty@i').body).toBe('');
    expect(body('t__legacy@i')).toMatchObject({ legacy: true, body: 'old body', header: { created: '2019-01-01' } });
    expect(suite.warnings).toEqual([
      `1 snapshot(s) in the legacy insta 0.x format (\`cargo insta test --force-update-snapshots --accept\` rewrites them): ${S}/t__legacy@i.snap`,
    ]);
  });

  it('reads files larger than its read buffer whole, multi-byte characters included', async () => {
    // 64 KiB is the reader's first buffer: the exact one fills it (read first), the big ones outgrow it.
    const line = 'é漢字 — 🦀 snapshot line\n';
    const big = line.repeat(Math.ceil((200 * 1024) / Buffer.byteLength(line)));
    const bigBody = line.repeat(Math.ceil((100 * 1024) / Buffer.byteLength(line))).trimEnd();
    const exact = 'x'.repeat(64 * 1024);
    const root = project({
      [`${S}/t__big@in.txt.snap`]: snap('input_file: crate/tests/in.txt', bigBody),
      [`${S}/t__a_exact@exact.txt.snap`]: snap('input_file: crate/tests/exact.txt', 'e'),
      'crate/tests/in.txt': `{"n": 1}\n---\n${big}`,
      'crate/tests/exact.txt': exact,
    });
    const suite = await load(config(root, [{ name: 't', cases: ['t__*'] }]));
    const [exactCase, bigCase] = suite.cases;
    expect(bigCase!.input).toEqual({ path: 'crate/tests/in.txt', header: { n: 1 }, headerRaw: '{"n": 1}', body: big });
    expect(bigCase!.snapshot.body).toBe(bigBody);
    expect(exactCase!.input!.body).toBe(exact);
  });
});

describe('loadSuite with input_rules', () => {
  const RULE = { match: '^snap__(?<cmd>[a-z-]+)_(?<stream>stdout|stderr)_(?<file>.+)$', path: 'crate/tests/inputs/**/{file}' };
  const plain = (body: string) => snap('source: crate/tests/main.rs\nexpression: out', body);

  it('finds inputs by rule after input_file and glob naming, and says how each was found', async () => {
    const root = project({
      [`${S}/snap__eval_stdout_a.ncl.snap`]: plain('1'),
      [`${S}/snap__eval_stderr_b[1].ncl.snap`]: plain('error'),
      [`${S}/snap__eval_stdout_c.ncl.snap`]: snap('input_file: crate/tests/inputs/named/c.ncl', '3'),
      [`${S}/snap__eval@d.ncl.snap`]: plain('4'),
      'crate/tests/inputs/eval/a.ncl': '{"x": 1.0, "big": 12345678901234567890}\n---\na',
      'crate/tests/inputs/errors/b[1].ncl': 'b',
      'crate/tests/inputs/named/c.ncl': 'c',
      'crate/tests/glob/d.ncl': 'd',
      // The rule would find these too: the header and glob naming come first.
      'crate/tests/inputs/x/snap__eval@d.ncl': 'never',
    });
    const suite = await load(config(root, [{ name: 'eval', cases: ['snap__eval*'], inputs: ['crate/tests/glob'], inputRules: [RULE] }]));
    const seen = suite.cases.map((c) => [c.id, c.input?.path, c.inputVia, c.inputRule, c.params, c.problem]);
    expect(seen).toEqual([
      ['snap__eval@d.ncl', 'crate/tests/glob/d.ncl', 'glob-name', undefined, undefined, undefined],
      ['snap__eval_stderr_b[1].ncl', 'crate/tests/inputs/errors/b[1].ncl', 'rule', 1, { cmd: 'eval', stream: 'stderr', file: 'b[1].ncl' }, undefined],
      ['snap__eval_stdout_a.ncl', 'crate/tests/inputs/eval/a.ncl', 'rule', 1, { cmd: 'eval', stream: 'stdout', file: 'a.ncl' }, undefined],
      ['snap__eval_stdout_c.ncl', 'crate/tests/inputs/named/c.ncl', 'input_file', undefined, undefined, undefined],
    ]);
    const a = suite.cases.find((c) => c.id === 'snap__eval_stdout_a.ncl')!;
    expect(a.input).toMatchObject({ header: { x: 1, big: 12345678901234567000 }, headerRaw: '{"x": 1.0, "big": 12345678901234567890}', body: 'a' });
  });

  it('keeps a snapshot whose input_file is gone flagged, without asking the rules', async () => {
    const root = project({
      [`${S}/snap__eval_stdout_a.ncl.snap`]: snap('input_file: crate/tests/inputs/old/a.ncl', '1'),
      'crate/tests/inputs/eval/a.ncl': 'a',
    });
    const [c] = (await load(config(root, [{ name: 'eval', cases: ['*'], inputRules: [RULE] }]))).cases;
    expect(c!.input).toBeNull();
    expect(c!.problem).toMatch(/^input file not found: neither header input_file crate\/tests\/inputs\/old\/a\.ncl/);
  });

  it('flags stale and ambiguous cases, and tells Rust-code snapshots apart from them', async () => {
    const root = project({
      [`${S}/snap__eval_stdout_gone.ncl.snap`]: plain('1'),
      [`${S}/snap__eval_stdout_dup.ncl.snap`]: plain('2'),
      [`${S}/snap__version.snap`]: plain('v1'),
      [`${S}/snap__banner.snap`]: plain('hi'),
      'crate/tests/inputs/eval/dup.ncl': 'x',
      'crate/tests/inputs/format/dup.ncl': 'y',
      // Never inputs: cargo's build folder, dependencies, version control.
      'target/debug/gone.ncl': 'x',
      'crate/node_modules/gone.ncl': 'x',
    });
    const rule = { ...RULE, path: '**/{file}' };
    const suite = await load(config(root, [{ name: 'eval', cases: ['snap__eval*', 'snap__version'], inputRules: [rule] }]));
    const by = (id: string) => suite.cases.find((c) => c.id === id)!;
    expect(by('snap__eval_stdout_gone.ncl').problem).toMatch(
      /^input file not found: phase eval's input rules match the id but find no file \(rule 1: \*\*\/gone\.ncl\) under .*; a stale snapshot/,
    );
    expect(by('snap__eval_stdout_gone.ncl').rustCode).toBeUndefined();
    expect(by('snap__eval_stdout_dup.ncl').problem).toBe(
      "ambiguous input: phase eval's input rule 1 finds 2 files for **/dup.ncl: crate/tests/inputs/eval/dup.ncl, crate/tests/inputs/format/dup.ncl; narrow the rule's path (a later rule does not take over)",
    );
    expect(by('snap__version')).toMatchObject({ rustCode: true, problem: expect.stringContaining('no input rule matches it (its input is likely Rust code)') });
    expect(suite.unassigned).toEqual(['snap__banner']);
    expect(suite.unassignedRustCode).toEqual(['snap__banner']);
  });

  it('counts an unassigned snapshot that a rule matches as one with an input', async () => {
    const root = project({
      [`${S}/snap__eval_stdout_a.ncl.snap`]: plain('1'),
      [`${S}/snap__format_stdout_a.ncl.snap`]: plain('1'),
      'crate/tests/inputs/a.ncl': 'a',
    });
    const suite = await load(config(root, [{ name: 'eval', cases: ['snap__eval*'], inputRules: [RULE] }]));
    expect(suite.unassignedRustCode).toEqual([]);
    expect(suite.warnings).toContain("1 snapshot(s) match no phase and are not run; with input files (add them to a phase's `cases`): snap__format_stdout_a.ncl");
  });
});
