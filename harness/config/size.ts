/**
 * Byte sizes in the config: `1MiB`, `512KiB`, `2GiB`, SI `1MB`/`64KB`, `100B`, or a plain
 * number of bytes. Returns whole bytes, or null when the value is not a size.
 */
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?$/i;

export function parseSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = SIZE.exec(v.trim());
  if (!m) return null;
  const bytes = Math.floor(Number(m[1]) * UNIT_BYTES[(m[2] ?? 'b').toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

export const SIZE_HINT = 'e.g. 1MiB, 512KiB, or bytes as a number';
