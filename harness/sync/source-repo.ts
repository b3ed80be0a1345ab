import fs from 'node:fs';
import { catFileBatch, gitComplaint, runGit } from './git.js';

/**
 * The source project's git history, read without touching its checkout: revisions, the tree of
 * files at a revision, file contents, and the commits between two revisions.
 */

export interface SourceRepo {
  /** The source folder (the config's `source`). */
  dir: string;
  /** `source` relative to the repository's top, `''` or ending in `/`. */
  prefix: string;
}

/** A resolved revision of the source project. */
export interface Revision {
  /** Full commit hash. */
  rev: string;
  short: string;
  /** Committer date, ISO 8601 in UTC. */
  date: string;
}

/** A file of the tree at a revision; `link` for a symbolic link (its content is the target). */
export interface TreeEntry {
  oid: string;
  link: boolean;
}

/** A commit between two revisions that touched some of the given paths. */
export interface SourceCommit {
  /** Short hash, as `git log` abbreviates it. */
  hash: string;
  subject: string;
  /** Paths it changed, relative to `source`. */
  files: string[];
}

export type Result<T> = ({ ok: true } & T) | { ok: false; message: string };

/** The source folder's repository and the requested revisions in it, asked of git at once. */
export async function openSourceAt(dir: string, requests: readonly RevisionRequest[]): Promise<Result<{ repo: SourceRepo; revisions: Revision[] }>> {
  if (!fs.existsSync(dir)) return { ok: false, message: `source directory ${dir} does not exist; set \`source\` in the config to the project root` };
  const [opened, resolved] = await Promise.all([openSourceRepo(dir), resolveRevisions(dir, requests)]);
  if (!opened.ok) return opened;
  if (!resolved.ok) return resolved;
  return { ok: true, repo: opened.repo, revisions: resolved.revisions };
}

/** `--to`, or the checkout's HEAD when it is not given. */
export function toRequest(to: string | undefined): RevisionRequest {
  return to !== undefined ? { name: to, from: '--to' } : { name: 'HEAD', from: 'the source checkout' };
}

export async function openSourceRepo(dir: string): Promise<Result<{ repo: SourceRepo }>> {
  const run = await runGit(dir, ['rev-parse', '--show-prefix']);
  if (run.code !== 0) {
    const complaint = gitComplaint(run);
    if (/not a git repository/i.test(complaint)) return { ok: false, message: `source ${dir} is not inside a git repository; porter sync compares revisions of the source project's git history` };
    return { ok: false, message: `cannot read the git repository of source ${dir}: ${complaint}` };
  }
  return { ok: true, repo: { dir, prefix: run.stdout.toString('utf8').trim() } };
}

/** Where a revision name came from, for the message when it does not exist. */
export interface RevisionRequest {
  name: string;
  /** e.g. `--from`, or `porter.upstream.json`. */
  from: string;
}

const SAFE_REV = /^[^\s\0-\x1f]+$/;

/** Resolves revision names to commits, all with one git process; a name that resolves to no commit is an error naming it. */
export async function resolveRevisions(dir: string, requests: readonly RevisionRequest[]): Promise<Result<{ revisions: Revision[] }>> {
  for (const r of requests) {
    if (!SAFE_REV.test(r.name)) return { ok: false, message: `${r.from}: ${JSON.stringify(r.name)} is not a revision name` };
  }
  const read = await catFileBatch(dir, requests.map((r) => `${r.name}^{commit}`));
  if (!read.ok) return { ok: false, message: `cannot read revisions in ${dir}: ${read.message}` };
  const revisions: Revision[] = [];
  for (const [i, object] of read.objects.entries()) {
    const r = requests[i]!;
    if (!object.found) {
      const why = object.why === 'ambiguous' ? 'is ambiguous (give more of the hash)' : 'does not exist';
      return { ok: false, message: `${r.from}: revision ${r.name} ${why} in the git repository of ${dir}` };
    }
    revisions.push({ rev: object.oid, short: object.oid.slice(0, 7), date: committerDate(object.content.toString('utf8')) });
  }
  return { ok: true, revisions };
}

/** The committer line of a raw commit object: `committer Name <mail> 1700000000 +0100`. */
function committerDate(commit: string): string {
  const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(commit);
  return m ? new Date(Number(m[1]) * 1000).toISOString().replace('.000Z', 'Z') : '';
}

/** Every file under `source` at a commit, by path relative to `source`: one `git ls-tree -r`. */
export async function listTree(repo: SourceRepo, rev: string): Promise<Result<{ tree: Map<string, TreeEntry> }>> {
  // --full-tree: in a subfolder, ls-tree would otherwise also narrow the listing to that subfolder of the tree given.
  const run = await runGit(repo.dir, ['ls-tree', '-r', '-z', '--full-tree', `${rev}:${repo.prefix}`]);
  if (run.code !== 0) {
    // The source folder did not exist yet at that commit: an empty tree, so the suite is empty there.
    if (/not a tree object|not a valid object name/i.test(run.stderr)) return { ok: true, tree: new Map() };
    return { ok: false, message: `cannot list the files of ${repo.dir} at ${rev.slice(0, 7)}: ${gitComplaint(run)}` };
  }
  const tree = new Map<string, TreeEntry>();
  // `<mode> <type> <oid>\t<path>\0`; submodules (type commit) have no content to read.
  for (const line of run.stdout.toString('utf8').split('\0')) {
    const tab = line.indexOf('\t');
    if (tab === -1) continue;
    const [mode, type, oid] = line.slice(0, tab).split(' ');
    if (type !== 'blob' || oid === undefined) continue;
    tree.set(line.slice(tab + 1), { oid, link: mode === '120000' });
  }
  return { ok: true, tree };
}

/** Contents of blobs by object id, all with one `git cat-file --batch`. */
export async function readBlobs(repo: SourceRepo, oids: Iterable<string>): Promise<Result<{ blobs: Map<string, string> }>> {
  const wanted = [...new Set(oids)];
  const read = await catFileBatch(repo.dir, wanted);
  if (!read.ok) return { ok: false, message: `cannot read files from the git repository of ${repo.dir}: ${read.message}` };
  const blobs = new Map<string, string>();
  for (const object of read.objects) if (object.found) blobs.set(object.oid, object.content.toString('utf8'));
  return { ok: true, blobs };
}

/**
 * Commits in `from..to` (newest first) that changed any of `paths` (relative to `source`).
 * git is asked about their folders, a short list, and the answer is narrowed to the paths.
 */
export async function commitsTouching(repo: SourceRepo, from: string, to: string, paths: ReadonlySet<string>): Promise<Result<{ commits: SourceCommit[] }>> {
  if (from === to || paths.size === 0) return { ok: true, commits: [] };
  const dirs = new Set<string>();
  for (const p of paths) dirs.add(p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '.');
  const args = ['-c', 'core.quotePath=false', 'log', '--no-renames', '--name-only', '--format=%x1e%h%x1f%s', `${from}..${to}`, '--', ...[...dirs].map((d) => `:(literal)${d}`)];
  const run = await runGit(repo.dir, args);
  if (run.code !== 0) return { ok: false, message: `cannot list the commits ${from.slice(0, 7)}..${to.slice(0, 7)} in ${repo.dir}: ${gitComplaint(run)}` };
  const commits: SourceCommit[] = [];
  for (const chunk of run.stdout.toString('utf8').split('\x1e')) {
    const lines = chunk.split('\n');
    const head = lines[0]!;
    const sep = head.indexOf('\x1f');
    if (sep === -1) continue;
    // `--name-only` paths are relative to the repository's top.
    const files = lines
      .slice(1)
      .filter((l) => l !== '' && l.startsWith(repo.prefix))
      .map((l) => l.slice(repo.prefix.length))
      .filter((l) => paths.has(l));
    if (files.length > 0) commits.push({ hash: head.slice(0, sep), subject: head.slice(sep + 1), files });
  }
  return { ok: true, commits };
}
