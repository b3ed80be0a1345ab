import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The source folders form layers: a folder imports only folders below it, type-only
 * imports included, so each concern can be read and tested without the ones above it.
 */
const ORDER = ['cli', 'agent', 'sync', 'reports', 'run', 'skiplist', 'judge', 'target', 'suite', 'config', 'util'];
const ROOT = path.resolve(import.meta.dirname, '../../harness');
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(): string[] {
  return (fs.readdirSync(ROOT, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, f));
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

const folderOf = (file: string) => path.relative(ROOT, file).split(path.sep)[0]!;

describe('the import graph', () => {
  const files = sourceFiles();

  it('knows every source folder', () => {
    const folders = new Set(files.map(folderOf));
    expect([...folders].filter((f) => !ORDER.includes(f))).toEqual([]);
  });

  it('points one way: a folder imports only folders below it', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const to = folderOf(path.resolve(path.dirname(file), spec));
        if (to !== from && ORDER.indexOf(to) < ORDER.indexOf(from)) upward.push(`${path.relative(ROOT, file)} imports ${spec}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('names the Anthropic backend and its SDK only in its own folder and the backend registry', () => {
    const outside: string[] = [];
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      if (rel.startsWith(path.join('agent', 'anthropic') + path.sep) || rel === path.join('agent', 'backends.ts')) continue;
      for (const spec of importsOf(file)) {
        if (spec === '@anthropic-ai/sdk' || spec.startsWith('@anthropic-ai/sdk/') || /(^|\/)anthropic\//.test(spec)) outside.push(`${rel} imports ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('names the Postgres driver and job engine only in the Postgres work queue', () => {
    const queue = path.join('agent', 'parallel', 'queue');
    const outside: string[] = [];
    for (const file of files) {
      const rel = path.relative(ROOT, file);
      if (path.dirname(rel) === queue && path.basename(rel).startsWith('postgres-')) continue;
      for (const spec of importsOf(file)) {
        if (spec === 'pg' || spec === 'pg-boss' || /(^|\/)postgres-[\w-]+\.js$/.test(spec)) {
          // open-queue.ts picks an engine by its location; it may name the Postgres modules, never the driver.
          if (rel === path.join(queue, 'open-queue.ts') && spec.startsWith('./postgres-')) continue;
          outside.push(`${rel} imports ${spec}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });
});
