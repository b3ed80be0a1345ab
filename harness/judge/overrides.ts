import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

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
 * The body is read as insta reads a snapshot body: CRLF → LF and the final newline dropped.
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

/** Parses one override file's text; `file` names it in messages. */
export function parseOverride(text: string, file: string): OverrideParse {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines[0]?.trimEnd() !== '---') {
    return { ok: false, message: `${file}: an override starts with a "---" line, then "reason: <why>", then "---" and the expected output` };
  }
  const close = lines.findIndex((l, i) => i > 0 && l.trimEnd() === '---');
  if (close === -1) return { ok: false, message: `${file}: the header has no closing "---" line before the expected output` };

  const lineCounter = new LineCounter();
  const headerText = lines.slice(0, close).join('\n');
  const doc = parseDocument(headerText, { schema: 'core', prettyErrors: false, lineCounter });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { ok: false, message: `${file}:${line}:${col}: malformed YAML header: ${error.message}` };
  }
  const header: unknown = doc.toJS();
  const reason = typeof header === 'object' && header !== null && !Array.isArray(header) ? (header as Record<string, unknown>).reason : undefined;
  if (typeof reason !== 'string' || reason.trim() === '') {
    const what = reason === undefined || reason === null ? 'has no reason' : typeof reason === 'string' ? 'has an empty reason' : 'has a reason that is not text';
    return { ok: false, message: `${file}: override ${what}; ${REASON_HINT}` };
  }

  let body = lines.slice(close + 1).join('\n').replace(/\r\n/g, '\n');
  if (body.endsWith('\n')) body = body.slice(0, -1);
  return { ok: true, reason: reason.trim(), body };
}
