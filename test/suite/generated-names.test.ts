import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapFile } from '../../harness/suite/snap-file.js';

const repo = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(repo, 'fixtures/generated-names');

function tree(root: string): Record<string, string> {
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile());
  return Object.fromEntries(files.sort().map((f) => [f.split(path.sep).join('/'), fs.readFileSync(path.join(root, f), 'utf8')]));
}

describe('the generated-names fixture', () => {
  it('is exactly what its generator writes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-generated-'));
    try {
      const { generate } = (await import(path.join(fixture, 'generate.mjs'))) as { generate: (dir: string) => void };
      generate(out);
      expect(tree(out)).toEqual(tree(path.join(fixture, 'source')));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('has the shape the acceptance asks for: ~30 insta snapshots named <module>__<subcommand>_<stream>_<file>, no input_file', () => {
    const dir = path.join(fixture, 'source/tests/snapshot/snapshots');
    const names = fs.readdirSync(dir).filter((n) => n.endsWith('.snap'));
    expect(names).toHaveLength(31);
    const generated = names.filter((n) => /^snapshot__[a-z-]+_(stdout|stderr)_.+\.snap$/.test(n));
    expect(generated).toHaveLength(30);
    for (const n of names) {
      const r = parseSnapFile(fs.readFileSync(path.join(dir, n), 'utf8'), n);
      if (!r.ok) throw new Error(r.message);
      expect(r.snapshot.header).toMatchObject({ source: 'tests/snapshot/main.rs' });
      expect(r.snapshot.header.input_file).toBeUndefined();
      expect(r.warnings).toEqual([]);
    }
    const inputs = path.join(fixture, 'source/tests/snapshot/inputs');
    expect(fs.readdirSync(inputs).sort()).toEqual(['ast', 'errors', 'eval', 'format']);
  });
});
