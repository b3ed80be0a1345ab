import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * Real git for tests, blind to the developer's own configuration (a signing key, hooks, an
 * identity or none), so what a test sees is what Porter's code did. Registers its own
 * hooks: call it at the top of a test file.
 */
export function isolateGitConfig(): void {
  const keys = ['GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM'] as const;
  const saved: Record<string, string | undefined> = {};
  let file = '';
  beforeEach(() => {
    for (const k of keys) saved[k] = process.env[k];
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'porter-gitconfig-')), 'gitconfig');
    fs.writeFileSync(file, '');
    process.env.GIT_CONFIG_GLOBAL = file;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
  });
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
}

/** git as a test's own hands (setting the scene, looking at the result), with a fixed identity. */
export function gitSync(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args], {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** Writes files (relative to `dir`, parents made) and commits everything; returns the commit. */
export function commitFiles(dir: string, files: Record<string, string | null>, message: string): string {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    if (text === null) fs.rmSync(file, { force: true });
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return gitSync(dir, 'rev-parse', 'HEAD');
}

/** A new repository in `dir` on branch `main`, with `.porter/` excluded as Porter's workspaces have it. */
export function initRepo(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  gitSync(dir, 'init', '-q', '-b', 'main');
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), '.porter/\n');
  return commitFiles(dir, files, 'initial');
}

/** An empty bare remote and a clone of `repo` standing for another machine, both under `parent`. */
export function remoteAndClone(parent: string, repo: string): { remote: string; elsewhere: string } {
  const remote = path.join(parent, 'remote.git');
  gitSync(parent, 'init', '-q', '--bare', remote);
  const elsewhere = path.join(parent, 'elsewhere');
  gitSync(parent, 'clone', '-q', repo, elsewhere);
  return { remote, elsewhere };
}
