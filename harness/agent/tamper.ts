import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';

/**
 * A command agent (pi, claude -p, codex) has its own tools, which the harness cannot
 * guard. So the protected files are photographed before each iteration and put back
 * after it: modified and deleted files are restored, files added inside protected
 * folders (or matching protected globs) are removed, and each change is reported.
 */

export interface FileState {
  hash: string;
  content: Buffer;
  mode: number;
}

export interface ProtectedSnapshot {
  /** What was protected: absolute files, folders or globs, as given. */
  entries: string[];
  files: Map<string, FileState>;
}

export interface TamperChange {
  path: string;
  change: 'modified' | 'deleted' | 'added';
  /** What the harness did about it. */
  action: 'restored' | 'removed' | 'failed';
  detail: string;
}

const GLOB_CHARS = /[*?[\]{}]/;

function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** Every file an entry covers right now. Symlinks count as files (their target is not followed). */
function expand(entry: string): string[] {
  if (GLOB_CHARS.test(entry)) return fg.sync(entry, { dot: true, onlyFiles: true, followSymbolicLinks: false, absolute: true });
  let st: fs.Stats;
  try {
    st = fs.lstatSync(entry);
  } catch {
    return [];
  }
  if (!st.isDirectory()) return [entry];
  const out: string[] = [];
  walk(entry, out);
  return out;
}

function readState(file: string): FileState | null {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) {
      // A symlink or special file where a test file should be: its "content" is what it points at.
      const marker = Buffer.from(st.isSymbolicLink() ? `symlink:${fs.readlinkSync(file)}` : `special:${st.mode}`);
      return { hash: `x${sha256(marker)}`, content: marker, mode: st.mode };
    }
    const content = fs.readFileSync(file);
    return { hash: sha256(content), content, mode: st.mode & 0o7777 };
  } catch {
    return null;
  }
}

export function snapshotProtectedFiles(entries: string[]): ProtectedSnapshot {
  const files = new Map<string, FileState>();
  for (const entry of entries) {
    for (const file of expand(path.resolve(entry))) {
      const state = readState(file);
      if (state) files.set(file, state);
    }
  }
  return { entries: entries.map((e) => path.resolve(e)), files };
}

/** Takes the harness's own writes (a skip-list entry) into the photograph, so they are not undone. */
export function acceptWrites(snapshot: ProtectedSnapshot, files: string[]): void {
  for (const f of files) {
    const file = path.resolve(f);
    const state = readState(file);
    if (state) snapshot.files.set(file, state);
    else snapshot.files.delete(file);
  }
}

function restore(file: string, state: FileState): void {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory()) fs.rmSync(file, { recursive: true, force: true });
  else if (st) fs.unlinkSync(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, state.content, { mode: state.mode });
  fs.chmodSync(file, state.mode);
}

/** Puts every protected file back as it was in `before`; returns what had changed. */
export function restoreChanges(before: ProtectedSnapshot): TamperChange[] {
  const changes: TamperChange[] = [];
  const attempt = (file: string, change: TamperChange['change'], fix: () => void, done: TamperChange['action'], detail: string) => {
    try {
      fix();
      changes.push({ path: file, change, action: done, detail });
    } catch (e) {
      changes.push({ path: file, change, action: 'failed', detail: `${detail}; could not undo: ${(e as Error).message}` });
    }
  };
  for (const [file, state] of before.files) {
    const now = readState(file);
    if (now === null) attempt(file, 'deleted', () => restore(file, state), 'restored', 'deleted by the agent; restored');
    else if (now.hash !== state.hash) attempt(file, 'modified', () => restore(file, state), 'restored', 'modified by the agent; restored');
    else if (now.mode !== state.mode) attempt(file, 'modified', () => fs.chmodSync(file, state.mode), 'restored', 'mode changed by the agent; restored');
  }
  const seen = new Set<string>();
  for (const entry of before.entries) {
    for (const file of expand(entry)) {
      if (before.files.has(file) || seen.has(file)) continue;
      seen.add(file);
      attempt(file, 'added', () => fs.rmSync(file, { force: true }), 'removed', 'added by the agent in a protected place; removed');
    }
  }
  return changes.sort((a, b) => a.path.localeCompare(b.path));
}
