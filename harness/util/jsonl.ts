import fs from 'node:fs';
import path from 'node:path';

/**
 * JSON Lines files that runs append to and may be killed while writing: the history in
 * reports/ and the agent's session logs. A line is only whole once its newline is on disk,
 * so the last line of a file may be torn. What to do with an unterminated last line that
 * still parses differs by file, hence `unterminated`:
 *   - 'keep-if-parses': the history keeps it (a record without its newline is complete);
 *   - 'drop': the session log drops it (resume cuts it off and rewrites that step).
 * The file is read in chunks, so a large file never becomes one string.
 */
export type UnterminatedLine = 'keep-if-parses' | 'drop';

export type JsonlItem =
  | { line: number; offset: number; text: string; value: unknown }
  | { line: number; offset: number; text: string; problem: 'not-json' | 'torn' };

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Every non-blank line of `file` with its 1-based line number and byte offset, parsed or
 * with the reason it is not. Blank lines are skipped (a blank unterminated tail too).
 * Throws when the file cannot be opened, as `fs.openSync` does.
 */
export function* readJsonl(file: string, unterminated: UnterminatedLine): Generator<JsonlItem> {
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer[] = [];
    let offset = 0; // of the line being assembled
    let consumed = 0; // bytes read so far
    let line = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, CHUNK, null);
      if (n === 0) break;
      const data = chunk.subarray(0, n);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        const text = pending.length === 0 ? data.toString('utf8', start, nl) : Buffer.concat([...pending, data.subarray(start, nl)]).toString('utf8');
        line++;
        if (text.trim() !== '') yield parsed(text, line, offset, true, unterminated);
        pending = [];
        offset = consumed + nl + 1;
        start = nl + 1;
      }
      // The chunk buffer is reused by the next read: keep a copy of the unfinished line.
      if (start < n) pending.push(Buffer.from(data.subarray(start)));
      consumed += n;
    }
    const tail = Buffer.concat(pending).toString('utf8');
    if (tail.trim() !== '') yield parsed(tail, line + 1, offset, false, unterminated);
  } finally {
    fs.closeSync(fd);
  }
}

function parsed(text: string, line: number, offset: number, terminated: boolean, unterminated: UnterminatedLine): JsonlItem {
  if (!terminated && unterminated === 'drop') return { line, offset, text, problem: 'torn' };
  try {
    return { line, offset, text, value: JSON.parse(text) };
  } catch {
    return { line, offset, text, problem: terminated ? 'not-json' : 'torn' };
  }
}

/**
 * Appends `value` as one line and flushes it to disk before returning. A file left with a
 * torn last line is mended first, so the new line is not glued to it.
 */
export function appendJsonl(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a+');
  try {
    let lead = '';
    const tail = unterminatedTail(fd, fs.fstatSync(fd).size);
    if (tail !== null) {
      // A line a killed writer left without its newline: one that parses is kept (it is whole
      // but for the newline); a fragment is cut off, so it does not warn on every later read.
      if (parses(tail.text)) lead = '\n';
      else fs.ftruncateSync(fd, tail.start);
    }
    // Opened for appending: the write goes to the end, wherever that now is.
    fs.writeSync(fd, `${lead}${JSON.stringify(value)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The text after the last newline, when the file does not end with one; null when it does (or is empty). */
function unterminatedTail(fd: number, size: number): { start: number; text: string } | null {
  if (size === 0) return null;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  if (last[0] === NEWLINE) return null;
  // Read back in chunks until the previous newline: a torn line is at most one record long.
  const chunks: Buffer[] = [];
  let pos = size;
  while (pos > 0) {
    const len = Math.min(64 * 1024, pos);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, pos - len);
    const nl = buf.lastIndexOf(NEWLINE);
    if (nl !== -1) {
      chunks.unshift(buf.subarray(nl + 1));
      return { start: pos - len + nl + 1, text: Buffer.concat(chunks).toString('utf8') };
    }
    chunks.unshift(buf);
    pos -= len;
  }
  return { start: 0, text: Buffer.concat(chunks).toString('utf8') };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
