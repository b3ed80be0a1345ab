/**
 * One contract for the workspace's history, run against git (what Porter ships) and against
 * the in-memory history the loop's tests use instead, so those tests can trust it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gitWorkspaceOps, type WorkspaceOps } from '../../harness/agent/workspace-ops.js';
import { memoryWorkspace } from './memory-workspace.js';

interface Subject {
  ops: WorkspaceOps;
  /** Subjects from HEAD back to the first commit. */
  subjects(dir: string): string[];
}

const implementations: Array<[string, () => Subject]> = [
  ['git', () => ({ ops: gitWorkspaceOps, subjects: (dir) => execFileSync('git', ['log', '--format=%s'], { cwd: dir, encoding: 'utf8' }).trim().split('\n') })],
  ['in memory', () => {
    const ops = memoryWorkspace();
    return { ops, subjects: () => ops.subjects() };
  }],
];

let root: string;
let ws: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-ops-'));
  // Git must not depend on the developer's configuration: an empty global config.
  vi.stubEnv('GIT_CONFIG_GLOBAL', path.join(root, 'gitconfig'));
  vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
  ws = path.join(root, 'ws');
  write('main.go', 'package main\n');
  write('target/lexer.go', 'lexer v1\n');
});

afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(root, { recursive: true, force: true });
});

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), text);
}
const read = (rel: string) => fs.readFileSync(path.join(ws, rel), 'utf8');
const exists = (rel: string) => fs.existsSync(path.join(ws, rel));

describe.each(implementations)('the workspace history (%s)', (_name, make) => {
  it('starts with an initial commit, once, and commits changes as new commits; .porter/ is never part of it', async () => {
    const { ops, subjects } = make();
    expect(await ops.headRev(ws)).toBeNull();
    const first = await ops.ensureRepo(ws);
    expect(first.created).toBe(true);
    expect(await ops.ensureRepo(ws)).toEqual({ created: false, rev: first.rev });
    expect(await ops.headRev(ws)).toBe(first.rev);

    write('.porter/sessions/r.jsonl', '{}\n');
    expect(await ops.dirtyPaths(ws)).toEqual([]);
    expect(await ops.commitAll(ws, 'nothing')).toBeNull();

    write('target/lexer.go', 'lexer v2\n');
    fs.rmSync(path.join(ws, 'main.go'));
    write('target/parser.go', 'parser\n');
    // Changed and removed tracked files first, then new ones, as git status lists them.
    expect(await ops.dirtyPaths(ws)).toEqual(['main.go', 'target/lexer.go', 'target/parser.go']);
    const second = await ops.commitAll(ws, 'porter: lexer 3/4 (+3)\n\nNewly passing: a, b, c');
    expect(second).toMatch(/^[0-9a-f]{40}$/);
    expect(await ops.headRev(ws)).toBe(second);
    expect(await ops.dirtyPaths(ws)).toEqual([]);
    expect(subjects(ws)).toEqual(['porter: lexer 3/4 (+3)', 'porter: initial state']);
    expect(await ops.isAncestor(ws, first.rev, second!)).toBe(true);
    expect(await ops.isAncestor(ws, second!, second!)).toBe(true);
    expect(await ops.isAncestor(ws, second!, first.rev)).toBe(false);
  });

  it('resets to a revision: tracked files as they were, untracked files and emptied folders gone, .porter/ and excluded paths kept', async () => {
    const { ops, subjects } = make();
    const { rev } = await ops.ensureRepo(ws);
    await ops.excludePaths(ws, ['notes.md', 'reports/']);
    write('target/lexer.go', 'broken\n');
    write('target/scratch/try.go', 'junk\n');
    write('newdir/deep/y.go', 'y\n');
    write('.porter/lock', '1\n');
    write('notes.md', 'maintainer\n');
    write('reports/history.jsonl', '{}\n');
    // A file of that name elsewhere is not the excluded one.
    write('target/notes.md', 'agent\n');
    expect(await ops.dirtyPaths(ws)).toEqual(['target/lexer.go', 'newdir/deep/y.go', 'target/notes.md', 'target/scratch/try.go']);
    const green = await ops.commitAll(ws, 'green');
    expect(subjects(ws)).toEqual(['green', 'porter: initial state']);

    write('target/lexer.go', 'worse\n');
    write('extra.go', 'x\n');
    fs.rmSync(path.join(ws, 'target/notes.md'));
    await ops.resetHard(ws, rev);
    expect(await ops.headRev(ws)).toBe(rev);
    expect(read('target/lexer.go')).toBe('lexer v1\n');
    expect(read('main.go')).toBe('package main\n');
    for (const gone of ['extra.go', 'target/scratch', 'newdir', 'target/notes.md']) expect(exists(gone), gone).toBe(false);
    expect(read('.porter/lock')).toBe('1\n');
    expect(read('notes.md')).toBe('maintainer\n');
    expect(read('reports/history.jsonl')).toBe('{}\n');
    expect(await ops.dirtyPaths(ws)).toEqual([]);

    // Forward again: what the later commit held comes back.
    await ops.resetHard(ws, green!);
    expect(read('target/lexer.go')).toBe('broken\n');
    expect(read('target/notes.md')).toBe('agent\n');
    expect(subjects(ws)).toEqual(['green', 'porter: initial state']);
  });

  it('saves uncommitted work as a patch without touching it', async () => {
    const { ops } = make();
    await ops.ensureRepo(ws);
    write('target/lexer.go', 'lexer v2\n');
    write('target/scratch.go', '// try\n');
    const patch = path.join(ws, '.porter', 'wip', 'run-iteration-3.patch');
    await ops.saveWorkInProgress(ws, patch);
    const text = fs.readFileSync(patch, 'utf8');
    expect(text).toContain('-lexer v1');
    expect(text).toContain('+lexer v2');
    expect(text).toContain('+// try');
    expect(read('target/scratch.go')).toBe('// try\n');
    expect(await ops.dirtyPaths(ws)).toEqual(['target/lexer.go', 'target/scratch.go']);

    await ops.commitAll(ws, 'all');
    await ops.saveWorkInProgress(ws, patch);
    expect(fs.readFileSync(patch, 'utf8')).toBe('');
  });

  it('takes commits back into the working tree', async () => {
    const { ops, subjects } = make();
    const { rev } = await ops.ensureRepo(ws);
    write('target/lexer.go', 'lexer v2\n');
    await ops.commitAll(ws, 'agent: one');
    write('target/parser.go', 'parser\n');
    const last = await ops.commitAll(ws, 'agent: two');
    await ops.uncommitSince(ws, rev);
    expect(await ops.headRev(ws)).toBe(rev);
    expect(subjects(ws)).toEqual(['porter: initial state']);
    expect(read('target/parser.go')).toBe('parser\n');
    expect(await ops.dirtyPaths(ws)).toEqual(['target/lexer.go', 'target/parser.go']);
    // The commits taken back still exist, and no longer descend from HEAD's line.
    expect(await ops.isAncestor(ws, last!, rev)).toBe(false);
    expect(await ops.isAncestor(ws, rev, last!)).toBe(true);
  });
});
