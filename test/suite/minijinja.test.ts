import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import { parseSnapFile } from '../../harness/suite/snap-file.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shared = path.resolve(repoRoot, '../shared/suites/minijinja');
const snapDir = path.join(shared, 'minijinja/tests/snapshots');
const exampleConfig = path.join(repoRoot, 'examples/minijinja/porter.config.yaml');

/** The example config, with `source` pointed at the shared copy whatever the file says. */
function minijinjaConfig(): PorterConfig {
  const raw = parse(fs.readFileSync(exampleConfig, 'utf8'), { schema: 'core' }) as Record<string, unknown>;
  raw.source = shared;
  const r = validateConfig(raw, exampleConfig);
  if (!r.ok) throw new Error(r.message);
  return r.config;
}

describe.skipIf(!fs.existsSync(snapDir))('the MiniJinja suite (shared copy)', () => {
  it('the example config file loads as it is (its source is the shared copy)', async () => {
    const r = await loadConfig(exampleConfig);
    if (!r.ok) throw new Error(r.message);
    expect(r.warnings).toEqual([]);
    expect(r.config.source).toBe(shared);
    expect(r.config.phases.map((p) => p.name)).toEqual(['lexer', 'parser', 'runtime', 'fragments']);
    expect(r.config.target).toMatchObject({ command: ['go', 'run', './cmd/porter-adapter'], protocol: 'stdio' });
  });

  it('parses all 230 snapshots', () => {
    const names = fs.readdirSync(snapDir).filter((n) => n.endsWith('.snap'));
    expect(names).toHaveLength(230);
    for (const name of names) {
      const r = parseSnapFile(fs.readFileSync(path.join(snapDir, name), 'utf8'), name);
      expect(r.ok ? '' : r.message).toBe('');
      if (r.ok) expect(r.snapshot.kind).toBe('text');
    }
  });

  it('loads with the example config: every phase maps to existing inputs, no problems', async () => {
    const r = await loadSuite(minijinjaConfig());
    if (!r.ok) throw new Error(r.message);
    const suite = r.suite;
    const count = (phase: string) => suite.cases.filter((c) => c.phase === phase).length;
    expect([count('lexer'), count('parser'), count('runtime'), count('fragments')]).toEqual([22, 40, 158, 6]);
    expect(suite.cases).toHaveLength(226);
    expect(suite.cases.filter((c) => c.problem !== undefined).map((c) => `${c.id}: ${c.problem}`)).toEqual([]);
    for (const c of suite.cases) {
      expect(c.input).not.toBeNull();
      expect(fs.existsSync(path.join(shared, c.input!.path))).toBe(true);
    }
    // Phases come in config order.
    expect([...new Set(suite.cases.map((c) => c.phase))]).toEqual(['lexer', 'parser', 'runtime', 'fragments']);
  });

  it('maps the old snapshot without input_file through its name', async () => {
    const r = await loadSuite(minijinjaConfig());
    if (!r.ok) throw new Error(r.message);
    const concat = r.suite.cases.find((c) => c.id === 'test_templates__vm@concat.txt')!;
    expect(concat.snapshot.header.input_file).toBeUndefined();
    expect(concat.inputVia).toBe('glob-name');
    expect(concat.input!.path).toBe('minijinja/tests/inputs/concat.txt');
    expect(r.suite.cases.filter((c) => c.inputVia === 'glob-name').map((c) => c.id)).toEqual(['test_templates__vm@concat.txt']);
  });

  it('reads headers and bodies as the suite means them', async () => {
    const r = await loadSuite(minijinjaConfig());
    if (!r.ok) throw new Error(r.message);
    const byId = new Map(r.suite.cases.map((c) => [c.id, c]));
    const raw = byId.get('test_lexer__lexer@raw.txt')!;
    expect(raw.input!.header).toEqual({});
    expect(raw.snapshot.header.source).toBe('minijinja/tests/test_lexer.rs');
    // Parser inputs have no JSON header, even when they start with `{`.
    for (const c of r.suite.cases.filter((c) => c.phase === 'parser')) expect(c.input!.header).toBeNull();
    for (const c of r.suite.cases.filter((c) => c.phase !== 'parser')) expect(c.input!.header).not.toBeNull();
    // A body with several `---` lines stays whole.
    expect(byId.get('test_templates__vm@namespace.txt')!.snapshot.body.split('\n').filter((l) => l === '---').length).toBeGreaterThan(1);
    expect(byId.get('test_templates__vm@namespace.txt')!.input!.body).toContain('namespace');
  });

  it('sends the refs folders as phase files and leaves the 4 compiler snapshots unassigned', async () => {
    const r = await loadSuite(minijinjaConfig());
    if (!r.ok) throw new Error(r.message);
    expect(Object.keys(r.suite.files.runtime!)).toHaveLength(fs.readdirSync(path.join(shared, 'minijinja/tests/inputs/refs')).length);
    expect(Object.keys(r.suite.files.runtime!)).toContain('minijinja/tests/inputs/refs/simple_layout.txt');
    expect(Object.keys(r.suite.files.fragments!)).toContain('minijinja/tests/fragment-inputs/refs/simple_layout.txt');
    expect(r.suite.files.lexer).toEqual({});
    expect(r.suite.unassigned).toEqual([
      'test_compiler__bool_ops',
      'test_compiler__const',
      'test_compiler__for_loop',
      'test_compiler__if_branches',
    ]);
    expect(r.suite.warnings).toEqual([
      '4 snapshot(s) match no phase and are not run; without input files (input is Rust code): test_compiler__bool_ops, test_compiler__const, test_compiler__for_loop, test_compiler__if_branches',
    ]);
  });
});
