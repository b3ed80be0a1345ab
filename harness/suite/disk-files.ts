import fs from 'node:fs';
import path from 'node:path';
import { findFiles } from '../util/find-files.js';
import type { ReadOutcome, SuiteFiles } from './suite-files.js';

/** The suite's files as they are on disk under `root`: what `porter test` reads. */
export function diskFiles(root: string): SuiteFiles {
  return {
    root,
    where: root,
    find: (patterns, options) => findFiles(patterns, { cwd: root, ...(options?.ignoreGit ? { ignore: ['**/.git/**'] } : {}) }),
    read: (abs) => readText(abs),
    list(dir) {
      try {
        return fs.readdirSync(path.join(root, dir));
      } catch {
        return null;
      }
    },
  };
}

export function readText(abs: string): ReadOutcome {
  try {
    return { kind: 'text', text: readFileText(abs) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return { kind: 'missing' };
    return { kind: 'error', message: `cannot read ${abs}: ${code ?? e}` };
  }
}

const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Synchronous on purpose: for hundreds of small files, measured on a 2-core machine, blocking
 * reads took 60-90 ms where concurrent callback reads took 125-230 ms and `fs/promises` 430-650 ms
 * (each async read is four thread-pool round trips).
 *
 * And by hand rather than `readFileSync`, into one reused buffer: open, one read, close — three
 * system calls where `readFileSync` makes four (it reads again to see the end). Reading 20,000
 * small files took 195 ms instead of 245 ms.
 */
let readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

function readFileText(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    let size = fs.readSync(fd, readBuffer, 0, readBuffer.length, null);
    // A full buffer may mean more to read: grow and go on until a read comes up short.
    while (size === readBuffer.length) {
      const bigger = Buffer.allocUnsafe(readBuffer.length * 2);
      readBuffer.copy(bigger, 0, 0, size);
      readBuffer = bigger;
      size += fs.readSync(fd, readBuffer, size, readBuffer.length - size, null);
    }
    const text = readBuffer.toString('utf8', 0, size);
    if (readBuffer.length > READ_BUFFER_BYTES * 16) readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    return text;
  } finally {
    fs.closeSync(fd);
  }
}
