import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateConfig } from '../../harness/config/load.js';
import { buildInitConfig, discoverSnapshotGlobs, proposePhases } from '../../harness/suite/init.js';
import { detectInputRules } from '../../harness/suite/init-rules.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import { caseMatcher } from '../../harness/util/case-glob.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-init-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('proposePhases', () => {
  it('groups by the name before @, lexer then parser then the rest', () => {
    const ids = [
      'test_templates__vm@a.txt',
      'test_templates__vm@b.txt',
      'test_parser__parser@x.txt',
      'test_lexer__lexer@raw.txt',
      'test_templates__vm_block_fragments@f.txt',
      'test_compiler__const',
      'test_compiler__bool_ops',
    ];
    expect(proposePhases(ids)).toEqual([
      { name: 'lexer', cases: ['test_lexer__lexer@*'] },
      { name: 'parser', cases: ['test_parser__parser@*'] },
      { name: 'compiler', cases: ['test_compiler__*'] },
      { name: 'vm', cases: ['test_templates__vm@*'] },
      { name: 'vm-block-fragments', cases: ['test_templates__vm_block_fragments@*'] },
    ]);
  });

  it('knows tokenizer, scanner, ast and syntax names, matched word by word', () => {
    const names = proposePhases(['t__eval@1', 't__ast@1', 't__broadcast@1', 't__tokenizer@1', 't__syntax_errors@1', 't__scanner@1']).map((p) => p.name);
    expect(names).toEqual(['scanner', 'tokenizer', 'ast', 'syntax-errors', 'eval', 'broadcast']);
  });

  it('keeps phases disjoint, listing ids when a module glob would overlap', () => {
    const ids = ['m__plain', 'm__other', 'm__x@in.txt', 'loose', 'weird[1]'];
    const phases = proposePhases(ids);
    for (const id of ids) {
      const owners = phases.filter((p) => caseMatcher(p.cases)(id));
      expect({ id, owners: owners.length }).toEqual({ id, owners: 1 });
    }
    expect(phases.find((p) => p.name === 'm')!.cases).toEqual(['m__other', 'm__plain']);
    expect(phases.find((p) => p.name === 'other')!.cases).toEqual(['loose', 'weird\\[1\\]']);
  });

  it('makes repeated names unique', () => {
    expect(proposePhases(['a__lexer@1', 'b__lexer@2']).map((p) => p.name)).toEqual(['lexer', 'lexer-2']);
  });
});

describe('discoverSnapshotGlobs', () => {
  it('finds snapshots folders and skips node_modules, target and .git', async () => {
    const root = project({
      'crate/tests/snapshots/a.snap': '',
      'crate/src/snapshots/b.snap': '',
      'node_modules/x/snapshots/c.snap': '',
      'target/debug/snapshots/d.snap': '',
      '.git/snapshots/e.snap': '',
      'crate/tests/other/f.snap': '',
    });
    expect(await discoverSnapshotGlobs(root)).toEqual(['crate/src/snapshots/*.snap', 'crate/tests/snapshots/*.snap']);
  });
});

describe('buildInitConfig', () => {
  const S = 'lib/tests/snapshots';
  const snap = (header: string) => `---\nsource: lib/tests/t.rs\n${header}\n---\nbody\n`;

  it('writes a config that the loader accepts and that loads the suite', async () => {
    const root = project({
      [`${S}/test_lexer__lexer@a.txt.snap`]: snap('input_file: lib/tests/lexer-inputs/a.txt'),
      [`${S}/test_lexer__lexer@sub__b.txt.snap`]: snap('input_file: lib/tests/lexer-inputs/sub/b.txt'),
      [`${S}/test_vm__vm@c.txt.snap`]: snap('input_file: lib/tests/inputs/c.txt'),
      [`${S}/test_vm__vm@old.txt.snap`]: snap('description: no input_file here'),
      [`${S}/test_compiler__const.snap`]: snap('expression: "&c"'),
      'lib/tests/lexer-inputs/a.txt': '{}\n---\na',
      'lib/tests/lexer-inputs/sub/b.txt': '{}\n---\nb',
      'lib/tests/inputs/c.txt': '{}\n---\nc',
      'lib/tests/inputs/old.txt': '{}\n---\nold',
      'lib/tests/inputs/refs/layout.txt': 'L',
    });
    const configDir = path.join(root, 'port');
    fs.mkdirSync(configDir);
    const r = await buildInitConfig(root, configDir);
    if (!r.ok) throw new Error(r.message);

    const raw = parse(r.yaml, { schema: 'core' }) as Record<string, any>;
    expect(raw.source).toBe('..');
    // Folders that share nothing below / get the absolute path, not a climb to / and back.
    const far = await buildInitConfig(root, '/usr/share');
    if (!far.ok) throw new Error(far.message);
    expect((parse(far.yaml, { schema: 'core' }) as Record<string, any>).source).toBe(root);
    expect(raw.snapshots).toEqual(['lib/tests/snapshots/*.snap']);
    expect(raw.phases).toEqual([
      { name: 'lexer', cases: ['test_lexer__lexer@*'], inputs: ['lib/tests/lexer-inputs'] },
      { name: 'vm', cases: ['test_vm__vm@*'], inputs: ['lib/tests/inputs'] },
    ]);
    expect(raw.target).toEqual({ command: 'REPLACE: command that starts your adapter', protocol: 'stdio', workers: 2, timeout: '10s' });
    expect(raw).toMatchObject({ skiplist: 'skiplist', overrides: 'overrides', protected: [] });
    expect(r.yaml).toContain('#   test_compiler__const');
    expect(r.yaml).toContain('#   - "lib/tests/inputs/refs/*"');
    expect(r.summary).toContain('lexer: 2 cases, inputs in lib/tests/lexer-inputs');
    expect(r.summary).toContain('left out (no input files): test_compiler__const');

    const validated = validateConfig(raw, path.join(configDir, 'porter.config.yaml'));
    if (!validated.ok) throw new Error(validated.message);
    const loaded = await loadSuite(validated.config);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.suite.cases.map((c) => [c.id, c.input?.path, c.problem])).toEqual([
      ['test_lexer__lexer@a.txt', 'lib/tests/lexer-inputs/a.txt', undefined],
      ['test_lexer__lexer@sub__b.txt', 'lib/tests/lexer-inputs/sub/b.txt', undefined],
      ['test_vm__vm@c.txt', 'lib/tests/inputs/c.txt', undefined],
      ['test_vm__vm@old.txt', 'lib/tests/inputs/old.txt', undefined],
    ]);
    expect(loaded.suite.unassigned).toEqual(['test_compiler__const']);
  });

  it('says so when there are no snapshots', async () => {
    const root = project({ 'README.md': 'x' });
    const r = await buildInitConfig(root, root);
    expect(!r.ok && r.message).toMatch(/^no insta snapshots \(\*\*\/snapshots\/\*\.snap\) under .*; pass --source/);
  });

  const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/suites/minijinja');
  it.skipIf(!fs.existsSync(shared))('proposes MiniJinja phases in porting order', async () => {
    const r = await buildInitConfig(shared, shared);
    if (!r.ok) throw new Error(r.message);
    const raw = parse(r.yaml, { schema: 'core' }) as { phases: Array<{ name: string; inputs?: string[] }> };
    expect(raw.phases.map((p) => [p.name, p.inputs])).toEqual([
      ['lexer', ['minijinja/tests/lexer-inputs']],
      ['parser', ['minijinja/tests/parser-inputs']],
      ['vm', ['minijinja/tests/inputs']],
      ['vm-block-fragments', ['minijinja/tests/fragment-inputs']],
    ]);
    expect(r.summary).toContain('left out (no input files): test_compiler__bool_ops, test_compiler__const');
  });
});

describe('detectInputRules', () => {
  const files = [
    'tests/inputs/eval/add.calc',
    'tests/inputs/eval/div_zero.calc',
    'tests/inputs/eval/zero.calc',
    'tests/inputs/fmt/spacing.calc',
    'tests/inputs/fmt/x[1].calc',
    'src/main.rs',
  ];

  it('maps ids by the longest file name that ends them, groups varying parts, one phase per subcommand', () => {
    const ids = ['cli__eval_stdout_add.calc', 'cli__eval_stderr_div_zero.calc', 'cli__dump-ast_stdout_spacing.calc', 'cli__dump-ast_stdout_x[1].calc'];
    const phases = detectInputRules(ids, files);
    expect(phases).toEqual([
      {
        name: 'eval',
        glob: 'cli__eval_*',
        ids: ['cli__eval_stderr_div_zero.calc', 'cli__eval_stdout_add.calc'],
        rule: { match: '^cli__(?<part1>eval)_(?<stream>stderr|stdout)_(?<file>.+)$', path: 'tests/inputs/**/{file}' },
      },
      {
        name: 'dump-ast',
        glob: 'cli__dump-ast_*',
        ids: ['cli__dump-ast_stdout_spacing.calc', 'cli__dump-ast_stdout_x[1].calc'],
        rule: { match: '^cli__(?<part1>dump-ast)_(?<stream>stderr|stdout)_(?<file>.+)$', path: 'tests/inputs/**/{file}' },
      },
    ]);
    // Each rule maps its own phase's ids, and only those.
    for (const p of phases) expect(ids.filter((id) => new RegExp(p.rule.match).test(id))).toEqual([...p.ids].sort((a, b) => ids.indexOf(a) - ids.indexOf(b)));
  });

  it('folds a stale id (no file) that a rule matches into that phase; leaves ids no rule matches alone', () => {
    const ids = ['t__eval_add.calc', 't__eval_zero.calc', 't__eval_div_zero.calc', 't__eval_removed.calc', 't__version'];
    const phases = detectInputRules(ids, files);
    expect(phases.map((p) => [p.name, p.ids, p.rule])).toEqual([
      ['eval', ['t__eval_add.calc', 't__eval_div_zero.calc', 't__eval_removed.calc', 't__eval_zero.calc'], { match: '^t__eval_(?<file>.+)$', path: 'tests/inputs/eval/{file}' }],
    ]);
  });

  it('writes no rule unless files map most of the ids uniquely', () => {
    expect(detectInputRules(['t__a_one.txt', 't__a_two.txt', 't__a_three.txt', 't__b'], ['in/one.txt'])).toEqual([]);
    // Snapshots such as MiniJinja's compiler ones: files without an extension that happen to end ids are not inputs.
    expect(detectInputRules(['test_compiler__bool_ops', 'test_compiler__const', 'test_compiler__for_loop'], ['src/ops', 'src/const', 'src/loop'])).toEqual([]);
    // Two files of the same name: ambiguous, so not "uniquely".
    expect(detectInputRules(['t__a_dup.txt', 't__b_dup.txt'], ['x/dup.txt', 'y/dup.txt'])).toEqual([]);
  });

  it('keeps ambiguous ids in their phase and accepts -, __ and @ before the file name', () => {
    const phases = detectInputRules(['t__a-one.txt', 't__a-two.txt', 't__a-dup.txt'], ['in/one.txt', 'in/two.txt', 'in/p/dup.txt', 'in/q/dup.txt']);
    expect(phases).toEqual([{ name: 'a', glob: 't__a-*', ids: ['t__a-dup.txt', 't__a-one.txt', 't__a-two.txt'], rule: { match: '^t__a-(?<file>.+)$', path: 'in/{file}' } }]);
    expect(detectInputRules(['t@one.txt', 't@two.txt'], ['one.txt', 'two.txt'])[0]!.rule.match).toBe('^t@(?<file>.+)$');
    expect(detectInputRules(['mod__one.txt', 'mod__two.txt'], ['one.txt', 'two.txt'])[0]!.rule).toEqual({ match: '^mod__(?<file>.+)$', path: '{file}' });
  });
});

describe('buildInitConfig on generator-named snapshots', () => {
  const S = 'tests/snapshots';
  const body = (b: string) => `---\nsource: tests/main.rs\nexpression: out\n---\n${b}\n`;

  it('writes input_rules that the loader resolves as init reported, phases split by subcommand', async () => {
    const root = project({
      [`${S}/cli__eval_stdout_a.txt.snap`]: body('1'),
      [`${S}/cli__eval_stderr_b.txt.snap`]: body('e'),
      [`${S}/cli__eval_stdout_gone.txt.snap`]: body('stale'),
      [`${S}/cli__lex_stdout_a.txt.snap`]: body('tokens'),
      [`${S}/cli__version.snap`]: body('v1'),
      'tests/in/ok/a.txt': 'a',
      'tests/in/err/b.txt': 'b',
      'target/debug/gone.txt': 'not an input',
    });
    const r = await buildInitConfig(root, root);
    if (!r.ok) throw new Error(r.message);
    const raw = parse(r.yaml, { schema: 'core' }) as Record<string, any>;
    expect(raw.phases).toEqual([
      { name: 'lex', cases: ['cli__lex_*'], input_rules: [{ match: '^cli__(?<part1>lex)_(?<stream>stderr|stdout)_(?<file>.+)$', path: 'tests/in/**/{file}' }] },
      { name: 'eval', cases: ['cli__eval_*'], input_rules: [{ match: '^cli__(?<part1>eval)_(?<stream>stderr|stdout)_(?<file>.+)$', path: 'tests/in/**/{file}' }] },
    ]);
    expect(r.summary).toContain('  eval: 3 cases, input rule: 2 mapped, 1 without input');
    expect(r.summary).toContain('input_rules (snapshot names that embed their input file\'s name): 3 cases mapped to an input file, 1 without input, 0 ambiguous');
    expect(r.summary).toContain('without input (the rule matches, no file does: stale snapshots?): cli__eval_stdout_gone.txt');
    expect(r.summary).toContain('left out (no input files): cli__version (1 snapshot: input is Rust code)');

    const validated = validateConfig(raw, path.join(root, 'porter.config.yaml'));
    if (!validated.ok) throw new Error(validated.message);
    const loaded = await loadSuite(validated.config);
    if (!loaded.ok) throw new Error(loaded.message);
    expect(loaded.suite.cases.map((c) => [c.id, c.input?.path ?? null, c.params ?? null])).toEqual([
      ['cli__lex_stdout_a.txt', 'tests/in/ok/a.txt', { part1: 'lex', stream: 'stdout', file: 'a.txt' }],
      ['cli__eval_stderr_b.txt', 'tests/in/err/b.txt', { part1: 'eval', stream: 'stderr', file: 'b.txt' }],
      ['cli__eval_stdout_a.txt', 'tests/in/ok/a.txt', { part1: 'eval', stream: 'stdout', file: 'a.txt' }],
      ['cli__eval_stdout_gone.txt', null, { part1: 'eval', stream: 'stdout', file: 'gone.txt' }],
    ]);
    expect(loaded.suite.unassignedRustCode).toEqual(['cli__version']);
  });
});
