/**
 * Durations in the config: `10s`, `500ms`, `2m`, `1h`, `1.5s`, or a plain number of
 * milliseconds (YAML number or digits-only string). Returns milliseconds, rounded, or
 * null when the value is not a duration. Zero is a valid duration; callers that need a
 * positive one say so in their own message.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;

export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
  if (typeof v !== 'string') return null;
  const m = DURATION.exec(v.trim());
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

export const DURATION_HINT = 'e.g. 10s, 500ms, 2m, 1h, or milliseconds as a number';
