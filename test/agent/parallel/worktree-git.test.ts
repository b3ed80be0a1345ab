import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { worktreeDir } from '../../../harness/agent/porter-dir.js';
import { detach, fetchBranch, hasCommit, prepareWorktree, pushBranch, saveDiff, startBranch, workBranch } from '../../../harness/agent/parallel/worktree-git.js';
import { commitFiles, gitSync, initRepo, isolateGitConfig, remoteAndClone } from '../../support/git-sandbox.js';
import { useTempDir } from '../../support/temp-dir.js';

isolateGitConfig();
const tmp = useTempDir('worktree-git');

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const write = (dir: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

let ws: string;
let first: string;
let second: string;
beforeEach(() => {
  ws = path.join(tmp.dir, 'ws');
  first = initRepo(ws, { 'a.txt': 'one\n', 'src/b.txt': 'b\n' });
  second = commitFiles(ws, { 'a.txt': 'two\n', 'src/c.txt': 'c\n' }, 'second');
});

describe('prepareWorktree', () => {
  it('checks out a worker\'s worktree at a commit, detached, and returns its workspace', async () => {
    const dir = worktreeDir(ws, 'w1');
    expect(await prepareWorktree(ws, dir, first)).toBe(dir);
    expect(gitSync(dir, 'rev-parse', 'HEAD')).toBe(first);
    expect(() => gitSync(dir, 'symbolic-ref', '-q', 'HEAD')).toThrow();
    expect(read(dir, 'a.txt')).toBe('one\n');
    expect(fs.existsSync(path.join(dir, 'src/c.txt'))).toBe(false);
    // The coordinator's workspace is untouched, and does not see the worktree inside .porter/.
    expect(gitSync(ws, 'rev-parse', 'HEAD')).toBe(second);
    expect(gitSync(ws, 'status', '--porcelain')).toBe('');
  });

  it('reuses the worktree for the next item: moved to the new commit, leftovers cleaned, .porter/ kept', async () => {
    const dir = worktreeDir(ws, 'w1');
    await prepareWorktree(ws, dir, first);
    write(dir, 'a.txt', 'edited by the last item\n');
    write(dir, 'scratch/notes.txt', 'left behind\n');
    write(dir, '.porter/sessions/keep.jsonl', '{}\n');
    fs.rmSync(path.join(dir, 'src/b.txt'));

    expect(await prepareWorktree(ws, dir, second)).toBe(dir);
    expect(gitSync(dir, 'rev-parse', 'HEAD')).toBe(second);
    expect(read(dir, 'a.txt')).toBe('two\n');
    expect(read(dir, 'src/b.txt')).toBe('b\n');
    expect(fs.existsSync(path.join(dir, 'scratch'))).toBe(false);
    expect(read(dir, '.porter/sessions/keep.jsonl')).toBe('{}\n');
    expect(gitSync(dir, 'status', '--porcelain')).toBe('');
    expect(gitSync(ws, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(2);
  });

  it('makes the worktree again when its folder was removed by hand', async () => {
    const dir = worktreeDir(ws, 'w1');
    await prepareWorktree(ws, dir, first);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(await prepareWorktree(ws, dir, second)).toBe(dir);
    expect(read(dir, 'src/c.txt')).toBe('c\n');
  });

  it('returns the same folder inside the worktree when the workspace is a folder of a larger repository', async () => {
    const root = path.join(tmp.dir, 'mono');
    const rev = initRepo(root, { 'README.md': 'mono\n', 'ports/calc/a.txt': 'calc\n', 'other/x.txt': 'x\n' });
    const sub = path.join(root, 'ports', 'calc');
    const dir = worktreeDir(sub, 'w1');
    const wws = await prepareWorktree(sub, dir, rev);
    // Compared resolved: git's prefix, and so the path returned, may end in a slash.
    expect(path.resolve(wws)).toBe(path.join(dir, 'ports', 'calc'));
    expect(read(wws, 'a.txt')).toBe('calc\n');
    expect(read(dir, 'other/x.txt')).toBe('x\n');
  });
});

describe('work branches', () => {
  it('lets a second worktree take over an item\'s branch once the first detached from it', async () => {
    const one = worktreeDir(ws, 'w1');
    const two = worktreeDir(ws, 'w2');
    const branch = workBranch('w-0123456789ab');
    expect(branch).toBe('porter/work/w-0123456789ab');

    await prepareWorktree(ws, one, first);
    await startBranch(one, branch);
    const mine = commitFiles(one, { 'a.txt': 'worker one\n' }, 'w1 work');
    expect(gitSync(ws, 'rev-parse', branch)).toBe(mine);
    await detach(one);
    expect(gitSync(one, 'rev-parse', 'HEAD')).toBe(mine);

    await prepareWorktree(ws, two, second);
    await startBranch(two, branch);
    // The branch now starts again from the second worktree's commit.
    expect(gitSync(ws, 'rev-parse', branch)).toBe(second);
    expect(gitSync(two, 'symbolic-ref', 'HEAD')).toBe(`refs/heads/${branch}`);
    expect(() => gitSync(one, 'symbolic-ref', '-q', 'HEAD')).toThrow();
  });

  it('pushes a branch to a remote and fetches it back into a repository that lacked the commit', async () => {
    const { remote, elsewhere } = remoteAndClone(tmp.dir, ws);
    const rev = commitFiles(elsewhere, { 'd.txt': 'd\n' }, 'elsewhere');
    expect(await pushBranch(elsewhere, remote, rev, 'porter/work/w-1')).toBeNull();

    expect(await hasCommit(ws, rev)).toBe(false);
    expect(await fetchBranch(ws, remote, 'porter/work/w-1')).toBeNull();
    expect(await hasCommit(ws, rev)).toBe(true);
    expect(gitSync(ws, 'rev-parse', 'refs/porter/fetched/porter/work/w-1')).toBe(rev);
    expect(await fetchBranch(ws, remote, 'porter/work/none')).toMatch(/^git fetch .* failed in /);
    expect(await pushBranch(elsewhere, path.join(tmp.dir, 'no-such.git'), rev, 'x')).toMatch(/^git push .* failed in /);
    // A remote whose URL carries a token: git's message names the URL, Porter's never the token.
    const failed = await pushBranch(elsewhere, 'https://porter:tok3n-secret@127.0.0.1:9/x.git', rev, 'x');
    expect(failed).toContain('https://porter@127.0.0.1:9/x.git');
    expect(failed).not.toContain('tok3n-secret');
  });
});

describe('saveDiff', () => {
  it('writes every change since the base, committed or not, as a patch git apply replays', async () => {
    const dir = worktreeDir(ws, 'w1');
    await prepareWorktree(ws, dir, first);
    commitFiles(dir, { 'a.txt': 'committed by the worker\n' }, 'worker commit');
    write(dir, 'src/new.txt', 'untracked\n');
    write(dir, 'bin.dat', '\u0000\u0001\u0002binary');
    fs.rmSync(path.join(dir, 'src/b.txt'));
    write(dir, '.porter/sessions/x.jsonl', 'not work\n');

    const patch = path.join(tmp.dir, 'out', 'item.patch');
    expect(await saveDiff(dir, first, patch)).toBe(true);
    expect(read(tmp.dir, 'out/item.patch')).not.toContain('.porter');

    const replay = worktreeDir(ws, 'replay');
    await prepareWorktree(ws, replay, first);
    gitSync(replay, 'apply', patch);
    expect(read(replay, 'a.txt')).toBe('committed by the worker\n');
    expect(read(replay, 'src/new.txt')).toBe('untracked\n');
    expect(fs.readFileSync(path.join(replay, 'bin.dat'))).toEqual(fs.readFileSync(path.join(dir, 'bin.dat')));
    expect(fs.existsSync(path.join(replay, 'src/b.txt'))).toBe(false);
  });

  it('writes nothing and says so when nothing changed since the base', async () => {
    const dir = worktreeDir(ws, 'w1');
    await prepareWorktree(ws, dir, second);
    const patch = path.join(tmp.dir, 'out', 'none.patch');
    expect(await saveDiff(dir, second, patch)).toBe(false);
    expect(fs.existsSync(patch)).toBe(false);
    // A commit that was undone by hand leaves the tree as the base had it: still nothing.
    commitFiles(dir, { 'a.txt': 'changed\n' }, 'change');
    commitFiles(dir, { 'a.txt': 'two\n' }, 'undo');
    expect(await saveDiff(dir, second, patch)).toBe(false);
  });
});
