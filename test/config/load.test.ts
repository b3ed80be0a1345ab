import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../harness/config/load.js';
import { useTempDir } from '../support/temp-dir.js';

const tmp = useTempDir('config');
const write = tmp.write;

const CONFIG = `
source: ../src
snapshots: tests/snapshots/*.snap
phases:
  - name: lexer
    cases: test_lexer__*
    inputs: tests/lexer-inputs
target:
  command: [python3, adapter.py]
`;

describe('loadConfig', () => {
  it('loads a config and resolves paths against its folder and the source root', async () => {
    fs.mkdirSync(path.join(tmp.dir, 'src/tests/lexer-inputs'), { recursive: true });
    const file = write('port/porter.config.yaml', CONFIG);
    const r = await loadConfig(file, { cpus: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.config.configPath).toBe(file);
    expect(r.config.configDir).toBe(path.join(tmp.dir, 'port'));
    expect(r.config.source).toBe(path.join(tmp.dir, 'src'));
    expect(r.config.phases[0]!.inputs).toEqual([path.join(tmp.dir, 'src/tests/lexer-inputs')]);
    expect(r.config.target.cwd).toBe(path.join(tmp.dir, 'port'));
    expect(r.config.target.workers).toBe(2);
    expect(r.config.skiplist).toBe(path.join(tmp.dir, 'port/skiplist'));
  });

  it('warns about a skip-list or overrides path that does not exist, and refuses a reports.dir that is a file', async () => {
    fs.mkdirSync(path.join(tmp.dir, 'src/tests/lexer-inputs'), { recursive: true });
    const file = write('port/porter.config.yaml', `${CONFIG}skiplist: skiplizt\noverrides: overides\n`);
    const r = await loadConfig(file, { cpus: 2 });
    if (!r.ok) throw new Error(r.message);
    expect(r.warnings).toEqual([
      `porter.config.yaml: skiplist: ${path.join(tmp.dir, 'port/skiplizt')} does not exist, so no case is skipped; fix the path if it is a typo (porter test --baseline creates it)`,
      `porter.config.yaml: overrides: ${path.join(tmp.dir, 'port/overides')} does not exist, so no case has an override; fix the path if it is a typo`,
    ]);
    // The defaults may be absent without a word: a new port has no skip-list yet.
    const quiet = await loadConfig(write('port/porter.config.yaml', CONFIG), { cpus: 2 });
    expect(quiet.ok && quiet.warnings).toEqual([]);
    write('port/notes.txt', 'a file\n');
    const reports = await loadConfig(write('port/porter.config.yaml', `${CONFIG}reports: { dir: notes.txt }\n`), { cpus: 2 });
    expect(reports).toEqual({ ok: false, message: `${file}: reports.dir: ${path.join(tmp.dir, 'port/notes.txt')} is a file; give a folder for the history and the reports` });
  });

  it('tells the user to run porter init or pass --config when the file is missing', async () => {
    const file = path.join(tmp.dir, 'porter.config.yaml');
    expect(await loadConfig(file)).toEqual({
      ok: false,
      message: `${file}: not found; run "porter init" to write a starting config, or pass --config FILE`,
    });
  });

  it('says so when --config names a folder', async () => {
    expect(await loadConfig(tmp.dir)).toEqual({ ok: false, message: `${tmp.dir} is a folder; pass --config with the config file itself` });
  });

  it('reports YAML syntax errors with file, line and column', async () => {
    const file = write('porter.config.yaml', 'source: .\nsnapshots: [a\nphases: []\n');
    const r = await loadConfig(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(new RegExp(`^${escapeRegExp(file)}:3:1: Flow sequence`));
  });

  it('reports validation errors before looking at folders', async () => {
    const file = write('porter.config.yaml', CONFIG.replace('command: [python3, adapter.py]', 'command: [python3, adapter.py]\n  protocol: grpc'));
    expect(await loadConfig(file)).toEqual({ ok: false, message: `${file}: target.protocol: "grpc" is not a protocol (stdio, exec)` });
  });

  it('reports every folder that does not exist, naming its key', async () => {
    const file = write('port/porter.config.yaml', CONFIG.replace('[python3, adapter.py]', '[python3, adapter.py]\n  cwd: adapter'));
    const r = await loadConfig(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.split('\n')).toEqual([
      `${file}: source: ${path.join(tmp.dir, 'src')} does not exist; set source to the source project's root, relative to this file`,
      `${file}: phases[0].inputs: ${path.join(tmp.dir, 'src/tests/lexer-inputs')} does not exist; input folders are relative to source`,
      `${file}: target.cwd: ${path.join(tmp.dir, 'port/adapter')} does not exist; target.cwd is relative to this file`,
    ]);
  });

  it('rejects a source that is a file', async () => {
    write('src', 'not a folder');
    const file = write('port/porter.config.yaml', CONFIG.replace('    inputs: tests/lexer-inputs\n', ''));
    expect(await loadConfig(file)).toEqual({
      ok: false,
      message: `${file}: source: ${path.join(tmp.dir, 'src')} is not a folder; set source to the source project's root, relative to this file`,
    });
  });

  it('names the config as given on the command line', async () => {
    write('porter.config.yaml', 'source: 5\n');
    const rel = path.relative(process.cwd(), path.join(tmp.dir, 'porter.config.yaml'));
    const r = await loadConfig(rel);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.split('\n')[0]).toBe(`${rel}: source: expected a string, got 5`);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const repoRoot = path.resolve(import.meta.dirname, '../..');
const minijinja = path.resolve(repoRoot, '../shared/suites/minijinja');

describe.skipIf(!fs.existsSync(minijinja))('the MiniJinja example config', () => {
  it('loads, with inputs resolved under the MiniJinja checkout', async () => {
    const r = await loadConfig(path.join(repoRoot, 'examples/minijinja/porter.config.yaml'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.source).toBe(minijinja);
    expect(r.config.phases.map((p) => p.name)).toEqual(['lexer', 'parser', 'runtime', 'fragments']);
    expect(r.config.phases[0]!.inputs).toEqual([path.join(minijinja, 'minijinja/tests/lexer-inputs')]);
  });
});
