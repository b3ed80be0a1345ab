import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSnapFile, yamlHeaderBounds } from '../suite/snap-file.js';

/**
 * Overrides: `overrides/<case id>.snap` replaces the expected output of one case for an
 * intentional divergence from the source. The file is insta-like —
 *
 *     ---
 *     reason: Go's strconv prints floats differently
 *     ---
 *     <expected body>
 *
 * — and must carry a non-empty `reason`, so every divergence is explained where it lives.
 * It is read as a snapshot is: the body's CRLF → LF and its final newline dropped.
 */
export interface Override {
  reason: string;
  body: string;
  /** The override file. */
  path: string;
}

export type OverridesResult =
  | { ok: true; overrides: Map<string, Override>; warnings: string[] }
  | { ok: false; message: string };

export type OverrideParse = { ok: true; reason: string; body: string } | { ok: false; message: string };

const REASON_HINT = 'add a header line "reason: <why this case diverges from the source>"';

/** Loads every override in `dir`; a missing folder means none. All bad files are reported, one per line. */
export async function loadOverrides(dir: string): Promise<OverridesResult> {
  let entries: Array<{ name: string; isFile: () => boolean }>;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: true, overrides: new Map(), warnings: [] };
    return { ok: false, message: `${dir}: cannot read the overrides folder (${code})` };
  }
  const overrides = new Map<string, Override>();
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = path.join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (!entry.name.endsWith('.snap') || !entry.isFile()) {
      warnings.push(`${file}: not an override (overrides are files named <case id>.snap); ignored`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      errors.push(`${file}: cannot read the override (${(e as NodeJS.ErrnoException).code})`);
      continue;
    }
    const parsed = parseOverride(text, file);
    if (!parsed.ok) errors.push(parsed.message);
    else overrides.set(entry.name.slice(0, -'.snap'.length), { reason: parsed.reason, body: parsed.body, path: file });
  }
  if (errors.length > 0) return { ok: false, message: errors.join('\n') };
  return { ok: true, overrides, warnings };
}

/**
 * Parses one override file's text with the snapshot reader, so an override reads exactly as
 * a snapshot does (line ends, trimming, header YAML); `file` names it in messages.
 */
export function parseOverride(text: string, file: string): OverrideParse {
  const bounds = yamlHeaderBounds(text);
  if (!bounds) {
    const bom = text.startsWith('\uFEFF') ? ' (this file starts with a byte-order mark: save it without one)' : '';
    return { ok: false, message: `${file}: an override starts with a "---" line, then "reason: <why>", then "---" and the expected output${bom}` };
  }
  if (!bounds.closed) return { ok: false, message: `${file}: the header has no closing "---" line before the expected output` };
  const parsed = parseSnapFile(text, file);
  if (!parsed.ok) return parsed;
  const reason = parsed.snapshot.header.extra.reason;
  if (typeof reason !== 'string' || reason.trim() === '') {
    const what = reason === undefined || reason === null ? 'has no reason' : typeof reason === 'string' ? 'has an empty reason' : 'has a reason that is not text';
    return { ok: false, message: `${file}: override ${what}; ${REASON_HINT}` };
  }
  return { ok: true, reason: reason.trim(), body: parsed.snapshot.body };
}
