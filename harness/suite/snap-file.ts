import { parseDocument } from 'yaml';
import { rustTrimEnd } from './insta-compare.js';
import { parseInstaYaml } from './insta-yaml.js';
import type { Snapshot, SnapshotHeader } from './types.js';

/**
 * Reads a `.snap` file the way insta's `Snapshot::from_file` does (insta/src/snapshot.rs):
 * line 1 `---` starts a YAML header that ends at the first later line that is `---` after
 * trimming; anything else is the legacy 0.x form. The body is read line by line like Rust's
 * `BufRead::lines`, so one `\r` before each `\n` goes away and the final newline is not part of it.
 */

export type SnapParseResult =
  | { ok: true; snapshot: Snapshot; warnings: string[] }
  | { ok: false; message: string };

export function parseSnapFile(text: string, path: string): SnapParseResult {
  const bounds = yamlHeaderBounds(text);
  return bounds ? parseYamlForm(text, path, bounds) : parseLegacyForm(text, path, lineEnd(text, 0));
}

/** Where the parts of a YAML-form file lie (offsets into the text). */
export interface YamlHeaderBounds {
  /** Just past the opening `---` line. */
  firstEnd: number;
  /** Start of the closing `---` line (the end of the text when there is none). */
  headerEnd: number;
  /** Just past the closing line: where the body starts. */
  bodyStart: number;
  /** False when no line closes the header: insta then reads the rest as header and the body as empty. */
  closed: boolean;
}

/** The YAML form's parts, or null when line 1 is not `---` (the legacy form). */
export function yamlHeaderBounds(text: string): YamlHeaderBounds | null {
  const firstEnd = lineEnd(text, 0);
  if (rustTrimEnd(text.slice(0, firstEnd)) !== '---') return null;
  for (let pos = firstEnd; pos < text.length; ) {
    const next = lineEnd(text, pos);
    if (rustTrimEnd(text.slice(pos, next)) === '---') return { firstEnd, headerEnd: pos, bodyStart: next, closed: true };
    pos = next;
  }
  return { firstEnd, headerEnd: text.length, bodyStart: text.length, closed: false };
}

/** Index just past the line starting at `from` (past its `\n`, or the end of the text). */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 ? text.length : nl + 1;
}

/** Rust `BufRead::lines` joined with `\n`. */
function readBody(rest: string): string {
  if (rest === '') return '';
  let body = rest.includes('\r\n') ? rest.replace(/\r\n/g, '\n') : rest;
  if (body.endsWith('\n')) body = body.slice(0, -1);
  return body;
}

function parseYamlForm(text: string, path: string, { firstEnd, headerEnd, bodyStart }: YamlHeaderBounds): SnapParseResult {
  let raw = parseInstaYaml(text.slice(firstEnd, headerEnd));
  const warnings: string[] = [];
  if (raw === undefined) {
    // Line 1 stays in the YAML text (a document marker) so YAML error lines are file lines.
    const doc = parseDocument(text.slice(0, headerEnd), { schema: 'core', uniqueKeys: false, prettyErrors: true });
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
      const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { ok: false, message: `${path}${at}: malformed YAML snapshot header: ${reason}` };
    }
    for (const w of doc.warnings) warnings.push(`${path}: YAML header: ${w.message.split('\n')[0]}`);
    raw = doc.toJS({ maxAliasCount: 100 });
  }
  if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { ok: false, message: `${path}:2: snapshot header is not a YAML mapping; insta writes \`key: value\` lines` };
  }
  const header = buildHeader((raw ?? {}) as Record<string, unknown>, path, warnings);
  const kind = header.snapshot_kind === 'binary' ? 'binary' : 'text';
  const body = kind === 'binary' ? '' : readBody(text.slice(bodyStart));
  return { ok: true, snapshot: { path, header, kind, body, legacy: false }, warnings };
}

const STRING_FIELDS = ['source', 'description', 'expression', 'input_file', 'snapshot_kind', 'extension', 'created', 'creator'] as const;

function buildHeader(raw: Record<string, unknown>, path: string, warnings: string[]): SnapshotHeader {
  const header: SnapshotHeader = { extra: {} };
  for (const [key, value] of Object.entries(raw)) {
    if ((STRING_FIELDS as readonly string[]).includes(key)) {
      if (typeof value === 'string') header[key as (typeof STRING_FIELDS)[number]] = value;
      else if (value !== null) {
        // insta reads a non-string here as absent; keep it visible rather than lose it.
        header.extra[key] = value;
        warnings.push(`${path}: header field \`${key}\` is not a string; insta ignores it`);
      }
    } else if (key === 'assertion_line') {
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) header.assertion_line = value;
      else if (value !== null) header.extra[key] = value;
    } else if (key === 'info') {
      // insta treats `info: ~` as no info.
      if (value !== null) header.info = value;
    } else {
      header.extra[key] = value;
    }
  }
  return header;
}

const LEGACY_KEYS: Record<string, 'source' | 'expression' | 'created' | 'creator'> = {
  source: 'source',
  expression: 'expression',
  created: 'created',
  creator: 'creator',
};

/**
 * insta 0.x: `Key: value` lines up to the first blank line, then the body. insta itself drops
 * the first line unread (it was `Created: ...`); keeping it costs nothing and loses nothing.
 */
function parseLegacyForm(text: string, path: string, firstEnd: number): SnapParseResult {
  const header: SnapshotHeader = { extra: {} };
  let pos = 0;
  let next = firstEnd;
  for (;;) {
    const line = text.slice(pos, next).replace(/^\uFEFF/, '');
    const colon = line.indexOf(':');
    if (colon !== -1) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const known = LEGACY_KEYS[key.toLowerCase()];
      if (known) header[known] = value;
      else header.extra[key] = value;
    }
    pos = next;
    if (pos >= text.length) break;
    next = lineEnd(text, pos);
    if (rustTrimEnd(text.slice(pos, next)) === '') {
      pos = next;
      break;
    }
  }
  // No warning here: `legacy: true` says it, and the suite loader lists legacy files in one line.
  const snapshot: Snapshot = { path, header, kind: 'text', body: readBody(text.slice(pos)), legacy: true };
  return { ok: true, snapshot, warnings: [] };
}
