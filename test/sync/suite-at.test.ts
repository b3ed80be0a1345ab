import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.js';
import type { PorterConfig } from '../../harness/config/types.js';
import { loadSuite } from '../../harness/suite/load-suite.js';
import { computeDrift } from '../../harness/sync/drift.js';
import { openSourceAt, openSourceRepo } from '../../harness/sync/source-repo.js';
import { loadSuitesAt } from '../../harness/sync/suite-at.js';
import { commitAll, createSyncFixture, gitIn, snapFile, type SyncFixture } from './sync-fixture.js';

async function config(file: string): Promise<PorterConfig> {
  const loaded = await loadConfig(file);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

describe('the suite at a git revision', () => {
  let f: SyncFixture;
  beforeAll(() => {
    f = createSyncFixture();
  });
  afterAll(() => f.remove());

  it('is read exactly as porter test reads the same files from disk', async () => {
    const cfg = await config(path.join(f.dir, 'porter.config.yaml'));
    const disk = await loadSuite(cfg);
    if (!disk.ok) throw new Error(disk.message);
    const opened = await openSourceAt(f.source, [{ name: 'HEAD', from: 'test' }]);
    if (!opened.ok) throw new Error(opened.message);
    const fromGit = await loadSuitesAt(cfg, opened.repo, opened.revisions);
    if (!fromGit.ok) throw new Error(fromGit.message);
    const suite = fromGit.suites[0]!.suite;
    expect(suite.cases).toEqual(disk.suite.cases);
    expect(suite.files).toEqual(disk.suite.files);
    expect(suite.unassigned).toEqual(disk.suite.unassigned);
    expect(suite.cases.map((c) => c.id)).toContain('test_upper__upper@f.txt');
  });
});

describe('a source folder inside a larger repository', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-sync-nested-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('follows inputs by glob name, by header, through links, and phases the old revision did not have', async () => {
    gitIn(dir, ['init', '-q']);
    // Revision 1: only the lexer phase has a case; its input is found by insta's glob naming.
    write('crate/tests/snapshots/test_x__lexer@one.txt.snap', '---\nsource: tests/x.rs\nexpression: tokens\n---\nONE\n');
    write('crate/tests/lexer-inputs/one.txt', 'one');
    write('crate/tests/parser-inputs/.keep', '');
    write('docs/unrelated.md', 'x');
    const r1 = commitAll(dir, 'Lexer only', '2026-01-01T00:00:00Z');
    // Revision 2: a linked input, and a parser case whose input_file lies outside its phase's folder.
    fs.symlinkSync('one.txt', path.join(dir, 'crate/tests/lexer-inputs/two.txt'));
    write('crate/tests/snapshots/test_x__lexer@two.txt.snap', '---\nsource: tests/x.rs\nexpression: tokens\n---\nONE\n');
    write('crate/elsewhere/p.txt', '{"a": 1}\n---\nparse me');
    write('crate/tests/snapshots/test_x__parser@p.txt.snap', snapFile('p.txt', 'AST').replace('tests/inputs/p.txt', 'elsewhere/p.txt'));
    write('docs/unrelated.md', 'y');
    const r2 = commitAll(dir, 'Parser and a linked input', '2026-01-02T00:00:00Z');
    write(
      'porter.config.yaml',
      `source: crate
snapshots: tests/snapshots/*.snap
phases:
  - name: lexer
    cases: "test_x__lexer@*"
    inputs: tests/lexer-inputs
  - name: parser
    cases: "test_x__parser@*"
    inputs: tests/parser-inputs
target:
  command: node nothing.mjs
`,
    );
    const cfg = await config(path.join(dir, 'porter.config.yaml'));
    const found = await computeDrift(cfg, { from: r1 });
    if (!found.ok) throw new Error(found.message);
    const d = found.drift;
    expect(d.to.rev).toBe(r2);
    expect(d.added.map((c) => [c.id, c.phase])).toEqual([
      ['test_x__lexer@two.txt', 'lexer'],
      ['test_x__parser@p.txt', 'parser'],
    ]);
    expect(d.changed).toEqual([]);
    expect(d.commits.map((k) => k.subject)).toEqual(['Parser and a linked input']);

    const opened = await openSourceRepo(cfg.source);
    if (!opened.ok) throw new Error(opened.message);
    expect(opened.repo.prefix).toBe('crate/');
    const at = await loadSuitesAt(cfg, opened.repo, [d.to]);
    if (!at.ok) throw new Error(at.message);
    const byId = new Map(at.suites[0]!.suite.cases.map((c) => [c.id, c]));
    expect(byId.get('test_x__lexer@two.txt')!.input).toEqual({ path: 'tests/lexer-inputs/two.txt', header: null, headerRaw: null, body: 'one' });
    expect(byId.get('test_x__parser@p.txt')!.input).toMatchObject({ path: 'elsewhere/p.txt', header: { a: 1 }, body: 'parse me' });
    expect(byId.get('test_x__parser@p.txt')!.input!.headerRaw).toMatch(/^\{\s*"a":\s*1\s*\}$/);
    expect(byId.get('test_x__parser@p.txt')!.problem).toBeUndefined();

    // At revision 1 the parser phase had no case: not an error for a comparison, but it is for --accept.
    const strict = await loadSuitesAt(cfg, opened.repo, [d.from]);
    expect(strict.ok).toBe(false);
    if (!strict.ok) expect(strict.message).toContain(`at ${d.from.short}: phase parser`);
  });
});
