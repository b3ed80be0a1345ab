/**
 * Porter's version, read once from its own package.json: the one source of truth for
 * `--version`, help and anything that must tell two Porter builds apart. Found by walking
 * up from this module, which sits at a different depth in the sources and in dist/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function porterVersion(): string {
  if (cached !== undefined) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'porter' && typeof pkg.version === 'string') return (cached = pkg.version);
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("porter's package.json was not found above its modules");
    dir = up;
  }
}
