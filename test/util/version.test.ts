import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { porterVersion } from '../../harness/util/version.js';
import { ensureBuilt } from '../support/built-dist.js';

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

beforeAll(() => ensureBuilt(), 300_000);

describe('porter version', () => {
  it('is the version in package.json, from the sources and from the built CLI', () => {
    expect(porterVersion()).toBe(pkg.version);
    const out = execFileSync(process.execPath, [path.join(root, 'dist/harness/cli/bin.js'), '--version'], { encoding: 'utf8' });
    expect(out.trim()).toBe(pkg.version);
    for (const alias of ['-v', '-V', 'version']) {
      expect(execFileSync(process.execPath, [path.join(root, 'dist/harness/cli/bin.js'), alias], { encoding: 'utf8' }).trim()).toBe(pkg.version);
    }
  });
});
