import path from 'node:path';

/**
 * `p` relative to `root` when it is `root` itself ('') or lies inside it, else null. A name
 * that merely starts with two dots (`..cache/`) is inside; `..` and `../x` are not.
 */
export function relativeInside(root: string, p: string): string | null {
  const rel = path.relative(root, p);
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? null : rel;
}
