import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreChanges, snapshotProtectedFiles } from '../../harness/agent/tamper.js';

let ws: string;
const p = (...parts: string[]) => path.join(ws, ...parts);

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-tamper-'));
  fs.mkdirSync(p('tests', 'snapshots', 'sub'), { recursive: true });
  fs.mkdirSync(p('tests', 'inputs'), { recursive: true });
  fs.mkdirSync(p('skiplist'));
  fs.writeFileSync(p('tests', 'snapshots', 'a.snap'), 'A\n');
  fs.writeFileSync(p('tests', 'snapshots', 'sub', 'b.snap'), 'B\n');
  fs.writeFileSync(p('tests', 'inputs', 'a.txt'), 'in\n');
  fs.writeFileSync(p('tests', 'inputs', 'notes.md'), 'not protected\n');
  fs.writeFileSync(p('skiplist', 'lexer.txt'), 'x # reason\n');
  fs.chmodSync(p('skiplist', 'lexer.txt'), 0o644);
});

afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

describe('tamper check for command agents', () => {
  it('reports nothing when nothing changed', () => {
    const before = snapshotProtectedFiles([p('tests', 'snapshots'), p('skiplist')]);
    expect(before.files.size).toBe(3);
    expect(restoreChanges(before)).toEqual([]);
  });

  it('restores modified and deleted files and removes added ones, like a real agent run', () => {
    const before = snapshotProtectedFiles([p('tests', 'snapshots'), path.join(ws, 'tests/inputs/*.txt'), p('skiplist', 'lexer.txt')]);
    // A real process does the tampering, as a command agent would.
    execFileSync('bash', ['-c', [
      'echo hacked > tests/snapshots/a.snap',
      'rm tests/snapshots/sub/b.snap',
      'echo new > tests/snapshots/sub/c.snap',
      'echo new > tests/inputs/extra.txt',
      'echo fine > tests/inputs/other.md',
      'rm skiplist/lexer.txt',
      'echo ok > src.go',
    ].join(' && ')], { cwd: ws });
    const changes = restoreChanges(before);
    expect(changes.map((c) => [path.relative(ws, c.path), c.change, c.action])).toEqual([
      ['skiplist/lexer.txt', 'deleted', 'restored'],
      ['tests/inputs/extra.txt', 'added', 'removed'],
      ['tests/snapshots/a.snap', 'modified', 'restored'],
      ['tests/snapshots/sub/b.snap', 'deleted', 'restored'],
      ['tests/snapshots/sub/c.snap', 'added', 'removed'],
    ]);
    expect(fs.readFileSync(p('tests', 'snapshots', 'a.snap'), 'utf8')).toBe('A\n');
    expect(fs.readFileSync(p('tests', 'snapshots', 'sub', 'b.snap'), 'utf8')).toBe('B\n');
    expect(fs.existsSync(p('tests', 'snapshots', 'sub', 'c.snap'))).toBe(false);
    expect(fs.readFileSync(p('skiplist', 'lexer.txt'), 'utf8')).toBe('x # reason\n');
    // Unprotected files are the agent's.
    expect(fs.readFileSync(p('tests', 'inputs', 'other.md'), 'utf8')).toBe('fine\n');
    expect(fs.readFileSync(p('src.go'), 'utf8')).toBe('ok\n');
    expect(restoreChanges(before)).toEqual([]);
  });

  it('undoes a file replaced by a symlink, a deleted folder and a mode change', () => {
    const before = snapshotProtectedFiles([p('tests', 'snapshots'), p('skiplist')]);
    fs.rmSync(p('tests', 'snapshots', 'a.snap'));
    fs.symlinkSync('/etc/hostname', p('tests', 'snapshots', 'a.snap'));
    fs.rmSync(p('tests', 'snapshots', 'sub'), { recursive: true });
    fs.chmodSync(p('skiplist', 'lexer.txt'), 0o600);
    const changes = restoreChanges(before);
    expect(changes.map((c) => [path.relative(ws, c.path), c.change])).toEqual([
      ['skiplist/lexer.txt', 'modified'],
      ['tests/snapshots/a.snap', 'modified'],
      ['tests/snapshots/sub/b.snap', 'deleted'],
    ]);
    expect(fs.lstatSync(p('tests', 'snapshots', 'a.snap')).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(p('tests', 'snapshots', 'a.snap'), 'utf8')).toBe('A\n');
    expect(fs.statSync(p('skiplist', 'lexer.txt')).mode & 0o777).toBe(0o644);
  });

  it('removes a protected file the agent created where none existed (a missing skip-list)', () => {
    fs.rmSync(p('skiplist'), { recursive: true });
    const before = snapshotProtectedFiles([p('skiplist')]);
    fs.mkdirSync(p('skiplist'));
    fs.writeFileSync(p('skiplist', 'runtime.txt'), '* # everything\n');
    expect(restoreChanges(before).map((c) => c.change)).toEqual(['added']);
    expect(fs.existsSync(p('skiplist', 'runtime.txt'))).toBe(false);
  });
});
