import path from 'node:path';
import picomatch from 'picomatch';
import type { PorterConfig } from '../config/types.js';
import { loadSuiteFrom } from '../suite/load-suite.js';
import type { SuiteFiles } from '../suite/suite-files.js';
import type { Suite } from '../suite/types.js';
import { gitSuiteFiles } from './git-suite-files.js';
import { listTree, readBlobs, type Result, type Revision, type SourceRepo, type TreeEntry } from './source-repo.js';

/**
 * The suite as it was at some revisions of the source project, read through the same code as
 * `porter test` reads the checkout (snapshot parsing, phases, input resolution), from git objects:
 * one `git ls-tree` per revision and one `git cat-file --batch` for the files of all of them, so a
 * file unchanged between the revisions is read once.
 */

export interface SuiteAt {
  revision: Revision;
  suite: Suite;
  /** Every file under `source` at the revision, and a reader of them. */
  tree: ReadonlyMap<string, TreeEntry>;
  files: SuiteFiles;
}

export async function loadSuitesAt(
  config: PorterConfig,
  repo: SourceRepo,
  revisions: readonly Revision[],
  options: { allowEmptyPhases?: boolean } = {},
): Promise<Result<{ suites: SuiteAt[] }>> {
  const trees: Array<ReadonlyMap<string, TreeEntry>> = [];
  for (const listed of await Promise.all(revisions.map((r) => listTree(repo, r.rev)))) {
    if (!listed.ok) return listed;
    trees.push(listed.tree);
  }
  const wanted = suiteFileFilter(config);
  const oids = new Set<string>();
  for (const tree of trees) for (const [p, entry] of tree) if (entry.link || wanted(p)) oids.add(entry.oid);
  const read = await readBlobs(repo, oids);
  if (!read.ok) return read;

  const suites: SuiteAt[] = [];
  for (const [i, revision] of revisions.entries()) {
    const tree = trees[i]!;
    const files = gitSuiteFiles(repo, config.source, `${config.source} at ${revision.short}`, tree, read.blobs);
    const loaded = await loadSuiteFrom(config, files, options.allowEmptyPhases ? { allowEmptyPhases: true } : {});
    if (!loaded.ok) return { ok: false, message: `at ${revision.short}: ${loaded.message}` };
    suites.push({ revision, suite: loaded.suite, tree, files });
  }
  return { ok: true, suites };
}

/**
 * The files the suite reader will likely ask for: snapshots, everything in the phases' input
 * folders, and the phases' extra files. Anything else it asks for is read on its own.
 */
function suiteFileFilter(config: PorterConfig): (p: string) => boolean {
  const globs = picomatch([...config.snapshots, ...config.phases.flatMap((p) => p.files)], { dot: true });
  const folders: string[] = [];
  for (const phase of config.phases) {
    for (const dir of phase.inputs) {
      const rel = path.relative(config.source, dir).split(path.sep).join('/');
      if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) continue;
      folders.push(rel === '' ? '' : `${rel}/`);
    }
  }
  return (p) => globs(p) || folders.some((f) => p.startsWith(f));
}
