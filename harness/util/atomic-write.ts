import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Every file Porter rewrites in place (reports, skip-lists, --json and --junit output) goes
 * through here, so an interrupted run never leaves half a file behind: a temporary file in
 * the same folder, flushed, then renamed over the target.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
