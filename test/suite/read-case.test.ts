import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locate } from '../../harness/suite/read-case.js';

// locate's shortcut must give exactly what path.resolve / path.join and path.relative give.
const sources = ['/tmp/proj', '/', '/tmp/proj/', '/a/./b', 'relative/src'];
const folders = (source: string) => [source, `${source}/tests/inputs`, '/elsewhere/inputs', `${source}/../x`, '/', `${source}/a/`];
const files = ['a.txt', 'sub/a.txt', '../a.txt', './a.txt', '/abs.txt', 'a//b', 'a/', 'x/../y', 'x/./y', '.hidden', '..a', 'a..', 'a/.b/c', 'back\\slash', 'proj/a.txt', 'tests/inputs/a.txt', '...'];

describe('locate', () => {
  it.each(sources)('agrees with path.resolve, path.join and path.relative under %s', (source) => {
    for (const folder of folders(source)) {
      for (const file of files) {
        for (const how of ['resolve', 'join'] as const) {
          const abs = how === 'resolve' ? path.resolve(folder, file) : path.join(folder, file);
          const expected = { abs, rel: path.relative(source, abs).split(path.sep).join('/') };
          expect([folder, file, how, locate(source, folder, file, how)]).toEqual([folder, file, how, expected]);
        }
      }
    }
  });
});
