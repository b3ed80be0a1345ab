import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import type { ListedCase } from '../../harness/cli/list-command.js';

const repo = path.resolve(import.meta.dirname, '../..');
const minijinja = path.resolve(repo, '../shared/suites/minijinja');
const hasMiniJinja = fs.existsSync(minijinja);

interface Listing {
  cases: ListedCase[];
  unassigned: string[];
}

describe.skipIf(!hasMiniJinja)('porter list on MiniJinja', () => {
  it('lists every phase with inputs; the 4 compiler snapshots stand apart', async () => {
    const r = await runCli(['list', '--config', 'examples/minijinja/porter.config.yaml', '--json'], repo);
    expect(r.code).toBe(0);
    const listing = JSON.parse(r.stdout) as Listing;
    const count = (phase: string) => listing.cases.filter((c) => c.phase === phase).length;
    expect([count('lexer'), count('parser'), count('runtime'), count('fragments')]).toEqual([22, 40, 158, 6]);
    expect(listing.cases.every((c) => c.input !== null && c.problem === null)).toBe(true);
    expect(listing.unassigned.sort()).toEqual([
      'test_compiler__bool_ops',
      'test_compiler__const',
      'test_compiler__for_loop',
      'test_compiler__if_branches',
    ]);
    expect(listing.cases.find((c) => c.id === 'test_templates__vm@concat.txt')?.input).toBe('minijinja/tests/inputs/concat.txt');
  });

  it('the text listing names the unassigned snapshots', async () => {
    const r = await runCli(['list', '--config', 'examples/minijinja/porter.config.yaml', '--phase', 'lexer'], repo);
    expect(r.stdout).toMatch(/^lexer \(22 cases\)$/m);
    expect(r.stdout).toContain('test_lexer__lexer@raw.txt  <- minijinja/tests/lexer-inputs/raw.txt');
    expect(r.stdout).toContain('not in any phase (4)');
  });
});

describe.skipIf(!hasMiniJinja)('porter init', () => {
  it('writes a config whose phases start with the lexer, that porter list accepts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-init-'));
    const r = await runCli(['init', '--source', minijinja], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote porter.config.yaml');
    const yaml = fs.readFileSync(path.join(dir, 'porter.config.yaml'), 'utf8');
    const names = [...yaml.matchAll(/^\s*- name: (\S+)/gm)].map((m) => m[1]);
    expect(names[0]).toBe('lexer');
    expect(names.indexOf('parser')).toBe(1);

    const list = await runCli(['list', '--json'], dir);
    expect(list.code).toBe(0);
    const listing = JSON.parse(list.stdout) as Listing;
    expect(listing.cases.length + listing.unassigned.length).toBe(230);
    expect(listing.cases.filter((c) => c.phase === 'lexer')).toHaveLength(22);
  });

  it('refuses to overwrite an existing config without --force', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-init-'));
    fs.writeFileSync(path.join(dir, 'porter.config.yaml'), 'mine\n');
    const r = await runCli(['init', '--source', minijinja], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--force');
    expect(fs.readFileSync(path.join(dir, 'porter.config.yaml'), 'utf8')).toBe('mine\n');
    expect((await runCli(['init', '--source', minijinja, '--force'], dir)).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'porter.config.yaml'), 'utf8')).toContain('phases:');
  });
});

describe('porter init without snapshots', () => {
  it('says no snapshots were found', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-init-'));
    const r = await runCli(['init'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no .*snap/i);
    expect(fs.existsSync(path.join(dir, 'porter.config.yaml'))).toBe(false);
  });
});
