/**
 * The workspace's history without git, for the loop's tests: each commit photographs the
 * workspace's files in memory and a reset writes them back, so a loop test spends its time
 * in the loop instead of in git processes. It keeps git's rules where the loop can see them:
 * `.porter/` and excluded paths are never committed, cleaned or reported dirty; a reset
 * removes untracked files and the folders left empty; an ancestor is found through parents.
 * workspace-ops.test.ts runs the same contract against this and against git.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { WorkspaceOps } from '../../harness/agent/workspace-ops.js';

export interface MemoryCommit {
  rev: string;
  parent: string | null;
  message: string;
  files: ReadonlyMap<string, Buffer>;
}

export interface MemoryWorkspace extends WorkspaceOps {
  /** The commit `back` steps behind HEAD along first parents (0: HEAD), as `HEAD~back`. */
  commit(back?: number): MemoryCommit;
  /** Subjects from HEAD back to the first commit, as `git log --format=%s`. */
  subjects(): string[];
  /** Whether HEAD's commit holds this workspace-relative path, as `git ls-files`. */
  tracked(relPath: string): boolean;
}

export function memoryWorkspace(): MemoryWorkspace {
  let root: string | null = null;
  let head: string | null = null;
  const commits = new Map<string, MemoryCommit>();
  const excluded: string[] = [];

  /** One workspace per instance: a second folder would be a test's mistake. */
  function at(dir: string): string {
    const real = fs.realpathSync(dir);
    root ??= real;
    if (real !== root) throw new Error(`memory workspace of ${root} used for ${dir}`);
    return real;
  }

  const ignored = (rel: string) =>
    rel.split('/').includes('.porter') || excluded.some((p) => (p.endsWith('/') ? rel.startsWith(p) : rel === p));

  const headFiles = (): ReadonlyMap<string, Buffer> => (head ? commits.get(head)!.files : new Map());

  /** Files git would see: tracked ones, and untracked ones that are not ignored. */
  function current(dir: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const tracked = headFiles();
    const walk = (abs: string, rel: string) => {
      for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (e.name !== '.porter') walk(path.join(abs, e.name), r);
        } else if (tracked.has(r) || !ignored(r)) {
          out.set(r, fs.readFileSync(path.join(abs, e.name)));
        }
      }
    };
    walk(dir, '');
    return out;
  }

  /** Changed tracked files first, then untracked ones, each sorted, as `git status --porcelain` lists them. */
  function changes(dir: string): string[] {
    const now = current(dir);
    const before = headFiles();
    const changed = [...before.keys()].filter((p) => !now.get(p)?.equals(before.get(p)!)).sort();
    const added = [...now.keys()].filter((p) => !before.has(p)).sort();
    return [...changed, ...added];
  }

  function record(dir: string, message: string): string {
    const rev = createHash('sha1').update(`${commits.size}\n${head}\n${message}`).digest('hex');
    commits.set(rev, { rev, parent: head, message, files: current(dir) });
    head = rev;
    return rev;
  }

  /** Removes folders left without files, as `git clean -d` does; ignored ones stay. */
  function pruneEmpty(abs: string, rel: string): boolean {
    let empty = true;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (!e.isDirectory() || e.name === '.porter' || ignored(`${r}/`) || !pruneEmpty(path.join(abs, e.name), r)) empty = false;
    }
    if (empty && rel !== '') fs.rmdirSync(abs);
    return empty;
  }

  const ws: MemoryWorkspace = {
    async ensureRepo(dir) {
      const d = at(dir);
      const created = commits.size === 0;
      const rev = head ?? record(d, 'porter: initial state');
      return { created, rev };
    },
    async excludePaths(dir, relPaths) {
      at(dir);
      for (const p of relPaths) if (!excluded.includes(p)) excluded.push(p);
    },
    async headRev(dir) {
      at(dir);
      return head;
    },
    async dirtyPaths(dir) {
      return changes(at(dir));
    },
    async commitAll(dir, message) {
      const d = at(dir);
      return changes(d).length === 0 ? null : record(d, message);
    },
    async resetHard(dir, rev) {
      const d = at(dir);
      const target = commits.get(rev);
      if (!target) throw new Error(`memory workspace: no commit ${rev}`);
      for (const p of current(d).keys()) if (!target.files.has(p)) fs.rmSync(path.join(d, p));
      for (const [p, content] of target.files) {
        fs.mkdirSync(path.dirname(path.join(d, p)), { recursive: true });
        fs.writeFileSync(path.join(d, p), content);
      }
      pruneEmpty(d, '');
      head = rev;
    },
    async saveWorkInProgress(dir, file) {
      const d = at(dir);
      const now = current(d);
      const before = headFiles();
      const text = (m: ReadonlyMap<string, Buffer>, p: string) => m.get(p)?.toString('utf8') ?? '';
      const patch = changes(d).map((p) => createTwoFilesPatch(`a/${p}`, `b/${p}`, text(before, p), text(now, p))).join('');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, patch);
    },
    async uncommitSince(dir, rev) {
      at(dir);
      if (!commits.has(rev)) throw new Error(`memory workspace: no commit ${rev}`);
      head = rev;
    },
    async isAncestor(dir, ancestor, rev) {
      at(dir);
      for (let r: string | null = rev; r !== null; r = commits.get(r)?.parent ?? null) if (r === ancestor) return true;
      return false;
    },
    commit(back = 0) {
      let rev = head;
      for (let i = 0; i < back && rev; i++) rev = commits.get(rev)!.parent;
      if (!rev) throw new Error(`memory workspace: no commit HEAD~${back}`);
      return commits.get(rev)!;
    },
    subjects() {
      const out: string[] = [];
      for (let r = head; r !== null; r = commits.get(r)!.parent) out.push(commits.get(r)!.message.split('\n')[0]!);
      return out;
    },
    tracked(relPath) {
      return headFiles().has(relPath);
    },
  };
  return ws;
}
