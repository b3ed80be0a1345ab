import { execFileSync } from 'node:child_process';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ReadOutcome, SuiteFiles } from '../suite/suite-files.js';
import type { SourceRepo, TreeEntry } from './source-repo.js';

/**
 * The source project's files as they were at a revision, for the suite reader: paths from one
 * `git ls-tree`, contents from blobs read beforehand in one batch (see suite-at.ts). A file the
 * batch did not foresee (an `input_file` header pointing outside the phase's folders) is read
 * on its own, synchronously, as the reader expects.
 */
export function gitSuiteFiles(repo: SourceRepo, root: string, where: string, tree: ReadonlyMap<string, TreeEntry>, blobs: Map<string, string>): SuiteFiles {
  const content = (oid: string): string => {
    let text = blobs.get(oid);
    if (text === undefined) {
      text = execFileSync('git', ['cat-file', 'blob', oid], { cwd: repo.dir, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
      blobs.set(oid, text);
    }
    return text;
  };
  return {
    root,
    where,
    async find(patterns) {
      const isMatch = picomatch([...patterns], { dot: true });
      const found: string[] = [];
      for (const [p, entry] of tree) if (isMatch(p) && (!entry.link || linksToFile(tree, p, content))) found.push(p);
      return found;
    },
    read(_abs, rel): ReadOutcome {
      try {
        const entry = lookUp(tree, rel, content);
        return entry === null ? { kind: 'missing' } : { kind: 'text', text: content(entry.oid) };
      } catch (err) {
        return { kind: 'error', message: `cannot read ${rel} from ${where}: ${(err as Error).message.split('\n')[0]}` };
      }
    },
    // insta's pending files are never committed on purpose: no folder listing is needed.
    list: () => null,
  };
}

/** The file entry at `rel`, following symbolic links inside the tree; null when there is none. */
function lookUp(tree: ReadonlyMap<string, TreeEntry>, rel: string, content: (oid: string) => string): TreeEntry | null {
  const direct = tree.get(rel);
  if (direct && !direct.link) return direct;
  const normal = path.posix.normalize(rel);
  if (normal.startsWith('../') || normal === '..' || path.posix.isAbsolute(normal)) return null;
  return resolveLink(tree, normal, content);
}

/** As fast-glob counts a link to a file as a file, and a broken one as nothing. */
function linksToFile(tree: ReadonlyMap<string, TreeEntry>, rel: string, content: (oid: string) => string): boolean {
  try {
    return resolveLink(tree, rel, content) !== null;
  } catch {
    return false;
  }
}

function resolveLink(tree: ReadonlyMap<string, TreeEntry>, rel: string, content: (oid: string) => string): TreeEntry | null {
  let at = rel;
  // A few hops, as a file system allows; a loop or a link out of the tree is no file.
  for (let hop = 0; hop < 8; hop++) {
    const entry = tree.get(at);
    if (!entry) return null;
    if (!entry.link) return entry;
    const target = content(entry.oid);
    if (path.posix.isAbsolute(target)) return null;
    at = path.posix.normalize(path.posix.join(path.posix.dirname(at), target));
    if (at.startsWith('../')) return null;
  }
  return null;
}
