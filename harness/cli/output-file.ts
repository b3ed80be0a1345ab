import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { describeFsError } from '../util/fs-error.js';
import type { CliIO } from './io.js';

/** Writes a machine-readable result: `-` means stdout, anything else a file written atomically. */
export async function writeOutput(io: CliIO, target: string, text: string): Promise<{ ok: true } | { ok: false; message: string }> {
  if (target === '-') {
    io.stdout(text);
    return { ok: true };
  }
  try {
    writeFileAtomic(path.resolve(io.cwd, target), text);
    return { ok: true };
  } catch (err) {
    return { ok: false, message: `cannot write ${target}: ${describeFsError(err)}` };
  }
}
