import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import { afterAll, describe, expect, it } from 'vitest';
import { findFiles, listSimple } from '../../harness/util/find-files.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'porter-find-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// A folder with every kind of entry a glob walk has to decide about.
for (const rel of ['s/a.snap', 's/.hidden.snap', 's/b.txt', 's/.snap', 's/x.snap.new', 's/sub/c.snap', 's/.git/d.snap', 'e/.git', 'e/f.snap', 'top.snap', 'deep/er/g.snap']) {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), 'x');
}
fs.mkdirSync(path.join(root, 's', 'dir.snap'));
fs.symlinkSync('a.snap', path.join(root, 's', 'link.snap'));
fs.symlinkSync('nowhere', path.join(root, 's', 'broken.snap'));
fs.symlinkSync('sub', path.join(root, 's', 'dirlink.snap'));

const sorted = (xs: string[]) => [...xs].sort();
const viaFastGlob = (patterns: string[], ignore?: string[]) =>
  fg(patterns, { cwd: root, onlyFiles: true, dot: true, ...(ignore ? { ignore } : {}) }).then(sorted);

describe('findFiles', () => {
  const simple = [['s/*.snap'], ['s/*'], ['s/*.sn?p'], ['s/?.snap'], ['*.snap'], ['e/*'], ['deep/er/*.snap'], ['s/*.snap', 's/a*'], ['missing/*.snap'], ['s/.*']];
  it.each(simple)('lists %s without fast-glob, as fast-glob does', async (...patterns) => {
    for (const ignore of [undefined, ['**/.git/**']]) {
      const listed = listSimple(patterns, { cwd: root, ...(ignore ? { ignore } : {}) });
      expect(listed).not.toBeNull();
      expect(sorted(listed!)).toEqual(await viaFastGlob(patterns, ignore));
    }
  });

  const other = [['s/**/*.snap'], ['**/*.snap'], ['s/{a,b}.*'], ['s/[ab]*'], ['./s/*.snap'], ['s/../e/*'], ['!s/*.snap'], ['s/.git/*'], ['s/a.snap']];
  it.each(other)('hands %s to fast-glob', async (...patterns) => {
    expect(listSimple(patterns, { cwd: root })).toBeNull();
    expect(sorted(await findFiles(patterns, { cwd: root, ignore: ['**/.git/**'] }))).toEqual(await viaFastGlob(patterns, ['**/.git/**']));
  });

  it('hands other ignore lists to fast-glob', async () => {
    expect(listSimple(['s/*'], { cwd: root, ignore: ['**/b.txt'] })).toBeNull();
    expect(sorted(await findFiles(['s/*'], { cwd: root, ignore: ['**/b.txt'] }))).toEqual(await viaFastGlob(['s/*'], ['**/b.txt']));
  });

  it('throws as fast-glob does when a folder in the pattern is a file', async () => {
    expect(listSimple(['top.snap/*.snap'], { cwd: root })).toBeNull();
    await expect(findFiles(['top.snap/*.snap'], { cwd: root })).rejects.toThrow(/ENOTDIR/);
  });
});
