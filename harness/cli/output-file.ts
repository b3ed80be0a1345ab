import fs from 'node:fs/promises';
import path from 'node:path';
import type { CliIO } from './io.js';

/**
 * Writes a machine-readable result: `-` means stdout, anything else a file written
 * atomically (temp + rename) so a reader never sees half a file.
 */
export async function writeOutput(io: CliIO, target: string, text: string): Promise<{ ok: true } | { ok: false; message: string }> {
  if (target === '-') {
    io.stdout(text);
    return { ok: true };
  }
  const file = path.resolve(io.cwd, target);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, file);
    return { ok: true };
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    return { ok: false, message: `cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}
