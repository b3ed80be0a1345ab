import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitAll, dirtyPaths, ensureRepo, headRev, isAncestor, isDirty, isRepo, resetHard } from '../../harness/agent/git.js';

let root: string;

// Tests must not depend on the developer's git identity: use an empty global config.
const ENV_KEYS = ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'HOME'] as const;
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-git-'));
  for (const k of ENV_KEYS) saved[k] = process.env[k];
  process.env.GIT_CONFIG_GLOBAL = path.join(root, 'gitconfig');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  process.env.HOME = root;
});

afterEach(() => {
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  fs.rmSync(root, { recursive: true, force: true });
});

const sh = (cwd: string, cmd: string): string => execFileSync('bash', ['-c', cmd], { cwd, encoding: 'utf8' }).trim();

function workspace(name = 'ws'): string {
  const ws = path.join(root, name);
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, 'main.go'), 'package main\n');
  return ws;
}

describe('git for the ratchet', () => {
  it('creates a repository with an initial commit when the workspace has none', async () => {
    const ws = workspace();
    expect(await isRepo(ws)).toBe(false);
    const r = await ensureRepo(ws);
    expect(r.created).toBe(true);
    expect(await headRev(ws)).toBe(r.rev);
    expect(sh(ws, 'git log --format="%an <%ae>|%s"')).toBe('porter <porter@localhost>|porter: initial state');
    expect(sh(ws, 'git ls-files')).toBe('main.go');
    expect(sh(ws, 'cat .git/info/exclude')).toMatch(/^\.porter\/$/m);
    // Idempotent: a second call neither commits nor duplicates the exclude line.
    expect(await ensureRepo(ws)).toEqual({ created: false, rev: r.rev });
    expect(sh(ws, 'grep -c "^.porter/$" .git/info/exclude')).toBe('1');
  });

  it('commits all changes as a new commit, never amending, and ignores .porter/', async () => {
    const ws = workspace();
    const { rev: first } = await ensureRepo(ws);
    fs.mkdirSync(path.join(ws, '.porter', 'sessions'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.porter', 'sessions', 'r.jsonl'), '{}\n');
    expect(await isDirty(ws)).toBe(false);
    expect(await commitAll(ws, 'nothing')).toBeNull();

    fs.writeFileSync(path.join(ws, 'lexer.go'), 'package main // lexer\n');
    fs.rmSync(path.join(ws, 'main.go'));
    expect((await dirtyPaths(ws)).sort()).toEqual(['lexer.go', 'main.go']);
    const rev = await commitAll(ws, 'porter: lexer 3/4 (+3)');
    expect(rev).not.toBeNull();
    expect(rev).not.toBe(first);
    expect(await isAncestor(ws, first, rev!)).toBe(true);
    expect(sh(ws, 'git log --format=%s')).toBe('porter: lexer 3/4 (+3)\nporter: initial state');
    expect(sh(ws, 'git ls-files')).toBe('lexer.go');
    expect(await isDirty(ws)).toBe(false);
  });

  it('uses the configured identity when there is one', async () => {
    const ws = workspace();
    sh(ws, 'git init -q && git config user.name "Ada" && git config user.email ada@example.org');
    await ensureRepo(ws);
    expect(sh(ws, 'git log --format="%an <%ae>"')).toBe('Ada <ada@example.org>');
  });

  it('resets to a green revision, removing untracked files but keeping .porter/ and ignored files', async () => {
    const ws = workspace();
    fs.writeFileSync(path.join(ws, '.gitignore'), 'build/\n');
    const { rev } = await ensureRepo(ws);
    fs.writeFileSync(path.join(ws, 'main.go'), 'broken\n');
    fs.writeFileSync(path.join(ws, 'new.go'), 'x\n');
    fs.mkdirSync(path.join(ws, 'newdir'));
    fs.writeFileSync(path.join(ws, 'newdir', 'y.go'), 'y\n');
    fs.mkdirSync(path.join(ws, 'build'));
    fs.writeFileSync(path.join(ws, 'build', 'out'), 'cache\n');
    fs.mkdirSync(path.join(ws, '.porter'));
    fs.writeFileSync(path.join(ws, '.porter', 'lock'), '1\n');
    // The agent committed on its own in between; the reset drops that too.
    sh(ws, 'git add new.go && git -c user.name=a -c user.email=a@b commit -qm "agent commit"');
    await resetHard(ws, rev);
    expect(await headRev(ws)).toBe(rev);
    expect(fs.readFileSync(path.join(ws, 'main.go'), 'utf8')).toBe('package main\n');
    expect(fs.existsSync(path.join(ws, 'new.go'))).toBe(false);
    expect(fs.existsSync(path.join(ws, 'newdir'))).toBe(false);
    expect(fs.existsSync(path.join(ws, 'build', 'out'))).toBe(true);
    expect(fs.existsSync(path.join(ws, '.porter', 'lock'))).toBe(true);
  });

  it('in a folder of a larger repository, touches only that folder', async () => {
    const outer = path.join(root, 'outer');
    fs.mkdirSync(outer);
    sh(outer, 'git init -q && echo a > other.txt && git add . && git -c user.name=a -c user.email=a@b commit -qm base');
    const ws = workspace('outer/port');
    const { created, rev } = await ensureRepo(ws);
    expect(created).toBe(false);
    expect(rev).toBe(sh(outer, 'git rev-parse HEAD'));
    fs.writeFileSync(path.join(outer, 'other.txt'), 'user edit\n');
    expect(await dirtyPaths(ws)).toEqual(['main.go']);
    const green = await commitAll(ws, 'porter: port 1/1');
    expect(sh(outer, 'git show --name-only --format= HEAD')).toBe('port/main.go');
    fs.writeFileSync(path.join(ws, 'main.go'), 'broken\n');
    fs.writeFileSync(path.join(ws, 'junk.go'), 'junk\n');
    fs.writeFileSync(path.join(outer, 'untracked-outside.txt'), 'keep\n');
    await resetHard(ws, green!);
    expect(fs.readFileSync(path.join(ws, 'main.go'), 'utf8')).toBe('package main\n');
    expect(fs.existsSync(path.join(ws, 'junk.go'))).toBe(false);
    expect(fs.readFileSync(path.join(outer, 'other.txt'), 'utf8')).toBe('user edit\n');
    expect(fs.existsSync(path.join(outer, 'untracked-outside.txt'))).toBe(true);
  });
});
