import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGuard, realpathPrefix, type WorkspaceGuard } from '../../harness/agent/workspace-guard.js';

let root: string;
let ws: string;
let outside: string;
let guard: WorkspaceGuard;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-guard-'));
  ws = path.join(root, 'ws');
  outside = path.join(root, 'outside');
  fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
  fs.mkdirSync(path.join(ws, 'tests', 'snapshots'), { recursive: true });
  fs.mkdirSync(path.join(ws, 'skiplist'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(ws, 'tests', 'snapshots', 'a.snap'), 'x');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.mkdirSync(path.join(root, 'source', 'src'), { recursive: true });
  guard = createGuard({
    workspace: ws,
    readOnly: [
      { pattern: path.join(ws, 'tests', 'snapshots', '*.snap'), what: 'the snapshots' },
      { pattern: path.join(ws, 'skiplist'), what: 'the skip-list' },
    ],
    noRead: [path.join(root, 'source', 'src', '**')],
    readRoots: [path.join(root, 'source')],
  });
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function refused(r: ReturnType<WorkspaceGuard['forRead']>): string {
  expect(r.ok).toBe(false);
  return r.ok ? '' : r.message;
}

describe('workspace guard', () => {
  it('resolves relative paths against the workspace', () => {
    expect(guard.forWrite('src/main.go')).toEqual({ ok: true, path: path.join(ws, 'src', 'main.go') });
    expect(guard.forRead('./src/../src/x')).toEqual({ ok: true, path: path.join(ws, 'src', 'x') });
    expect(guard.forWrite(path.join(ws, 'new', 'deep', 'file'))).toMatchObject({ ok: true });
  });

  it('refuses absolute paths elsewhere and .. escapes', () => {
    expect(refused(guard.forWrite(path.join(outside, 'secret.txt')))).toMatch(/outside the workspace/);
    expect(refused(guard.forRead('../outside/secret.txt'))).toMatch(/outside the workspace/);
    expect(refused(guard.forWrite('src/../../outside/x'))).toMatch(/outside the workspace/);
    expect(refused(guard.forRead('/etc/passwd'))).toMatch(/outside the workspace/);
  });

  it('refuses symlinks that point out, even to files that do not exist yet', () => {
    fs.symlinkSync(outside, path.join(ws, 'link'));
    expect(refused(guard.forRead('link/secret.txt'))).toMatch(/outside the workspace/);
    expect(refused(guard.forWrite('link/new/file.txt'))).toMatch(/through a symlink/);
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'src', 'alias.txt'));
    expect(refused(guard.forWrite('src/alias.txt'))).toMatch(/outside the workspace/);
  });

  it('allows symlinks that stay inside', () => {
    fs.symlinkSync(path.join(ws, 'src'), path.join(ws, 'srclink'));
    expect(guard.forWrite('srclink/a.go')).toMatchObject({ ok: true });
  });

  it('refuses writes to tests with the reason and the way out', () => {
    const msg = refused(guard.forWrite('tests/snapshots/a.snap'));
    expect(msg).toMatch(/^tests are read-only to the agent: tests\/snapshots\/a\.snap belongs to the snapshots/);
    expect(msg).toMatch(/skip_case/);
    expect(refused(guard.forWrite('tests/snapshots/new.snap'))).toMatch(/read-only/);
    expect(refused(guard.forWrite('skiplist/lexer.txt'))).toMatch(/the skip-list/);
    expect(refused(guard.forWrite('skiplist'))).toMatch(/the skip-list/);
    // Reading the tests is fine: the agent needs them.
    expect(guard.forRead('tests/snapshots/a.snap')).toMatchObject({ ok: true });
    // Other files next to the snapshots are not covered by the glob.
    expect(guard.forWrite('tests/snapshots/notes.md')).toMatchObject({ ok: true });
  });

  it('refuses writes to protected files reached through a symlink inside the workspace', () => {
    fs.symlinkSync(path.join(ws, 'tests', 'snapshots'), path.join(ws, 'snaps'));
    expect(refused(guard.forWrite('snaps/a.snap'))).toMatch(/tests are read-only/);
    fs.symlinkSync(path.join(ws, 'skiplist'), path.join(ws, 'sk'));
    expect(refused(guard.forWrite('sk/lexer.txt'))).toMatch(/skip-list/);
  });

  it('keeps .porter and .git read-only with their own reason', () => {
    expect(refused(guard.forWrite('.porter/sessions/x.jsonl'))).toMatch(/harness state/);
    expect(refused(guard.forWrite('.git/config'))).toMatch(/git history/);
    expect(guard.forRead('.porter/outputs/x.txt')).toMatchObject({ ok: true });
  });

  it('reads read roots outside the workspace but never writes them, and honours no_read', () => {
    fs.writeFileSync(path.join(root, 'source', 'README'), 'r');
    expect(guard.forRead(path.join(root, 'source', 'README'))).toMatchObject({ ok: true });
    expect(refused(guard.forWrite(path.join(root, 'source', 'README')))).toMatch(/outside the workspace/);
    expect(refused(guard.forRead(path.join(root, 'source', 'src', 'lib.rs')))).toMatch(/clean-room/);
  });

  it('applies no_read through symlinks in the workspace', () => {
    fs.symlinkSync(path.join(root, 'source'), path.join(ws, 'orig'));
    fs.writeFileSync(path.join(root, 'source', 'src', 'lib.rs'), 'fn main() {}');
    // The link leads outside the workspace, into a read root, then into a no_read glob.
    expect(refused(guard.forRead('orig/src/lib.rs'))).toMatch(/outside the workspace|clean-room/);
  });

  it('rejects empty paths and NUL bytes', () => {
    expect(refused(guard.forRead(''))).toMatch(/empty/);
    expect(refused(guard.forWrite('a\0b'))).toMatch(/NUL/);
  });

  it('gives every refusal a code and the absolute path as values', () => {
    const code = (r: ReturnType<WorkspaceGuard['forRead']>) => (r.ok ? null : { code: r.code, path: r.path });
    expect(code(guard.forWrite('tests/snapshots/a.snap'))).toEqual({ code: 'protected-test', path: path.join(ws, 'tests', 'snapshots', 'a.snap') });
    expect(code(guard.forWrite('skiplist/my phase.txt'))).toEqual({ code: 'protected-test', path: path.join(ws, 'skiplist', 'my phase.txt') });
    expect(code(guard.forWrite('../outside/a b.txt'))).toEqual({ code: 'outside-workspace', path: path.join(outside, 'a b.txt') });
    expect(code(guard.forRead('/etc/passwd'))).toEqual({ code: 'outside-workspace', path: '/etc/passwd' });
    expect(code(guard.forRead(path.join(root, 'source', 'src', 'lib.rs')))).toEqual({ code: 'no-read', path: path.join(root, 'source', 'src', 'lib.rs') });
    expect(code(guard.forWrite('.porter/lock'))).toEqual({ code: 'harness-owned', path: path.join(ws, '.porter', 'lock') });
    expect(code(guard.forWrite(''))).toEqual({ code: 'bad-path', path: '' });
  });

  it('shows paths relative to the workspace', () => {
    expect(guard.display(path.join(ws, 'src', 'a.go'))).toBe('src/a.go');
    expect(guard.display(ws)).toBe('.');
  });

  it('realpathPrefix resolves the existing part of a path', () => {
    fs.symlinkSync(outside, path.join(ws, 'out'));
    expect(realpathPrefix(path.join(ws, 'out', 'a', 'b'))).toBe(path.join(fs.realpathSync(outside), 'a', 'b'));
  });
});
