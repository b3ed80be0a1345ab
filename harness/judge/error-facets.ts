/**
 * Reading error facets (marker, kind, line, message) from an error snapshot body or a target's output.
 *
 * A Rust suite prints an error in one or both of two forms:
 * - Debug: `Error {\n    kind: SyntaxError,\n    detail: "unexpected end of input",\n    name: "x.txt",\n    line: 1,\n}`
 *   (or on one line; `detail` may be absent; `source: Error { … }` / `Some(…)` may nest);
 * - display: `syntax error: unexpected end of input (in x.txt:1)`; without a detail just the
 *   kind's label, `undefined value (in x.txt:1)`.
 * MiniJinja's bodies carry both, then a source excerpt and `caused by:` lines; a port often
 * prints only the display line. Debug is preferred for every facet it has; the display line
 * fills the rest and adds its kind label as an alias of the Debug kind.
 *
 * What counts as an error snapshot: its first non-blank line, trimmed, is one of the configured
 * markers. Only the first line, so that a template whose normal output happens to contain
 * `!!!ERROR!!!` further down is not mistaken for an error.
 */
import type { ErrorFacets, ReportedError } from './types.js';

/** The marker the text starts with (first non-blank line), or undefined. */
export function errorMarkerOf(text: string, markers: readonly string[]): string | undefined {
  const match = /^[^\S\n]*\S[^\n]*/m.exec(text);
  if (!match) return undefined;
  const first = match[0].trim();
  return markers.find((marker) => marker.trim() === first);
}

export function isErrorSnapshot(body: string, markers: readonly string[]): boolean {
  return errorMarkerOf(body, markers) !== undefined;
}

/**
 * Facets of an error snapshot, or `null` when the text does not start with a marker.
 * `source` says where kind/line/message came from; `marker-only` when neither form was found.
 */
export function parseErrorFacets(text: string, markers: readonly string[]): ErrorFacets | null {
  const marker = errorMarkerOf(text, markers);
  if (marker === undefined) return null;
  const afterMarker = text.indexOf(marker.trim()) + marker.trim().length;
  return { marker, ...readFacets(text, afterMarker) };
}

/** Facets of a structured error from the target's response. */
export function facetsFromResponse(error: ReportedError, marker?: string): ErrorFacets {
  const facets: ErrorFacets = { source: 'response' };
  if (marker !== undefined) facets.marker = marker;
  if (error.kind !== undefined && error.kind !== '') facets.kind = error.kind;
  if (typeof error.line === 'number' && Number.isFinite(error.line)) facets.line = error.line;
  if (error.message !== undefined && error.message !== '') facets.message = error.message;
  return facets;
}

/** Kinds compare case-, space-, hyphen- and underscore-insensitively: `InvalidOperation` = `invalid operation`. */
export function normalizeKind(kind: string): string {
  return kind.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Every name a facet set gives its kind. */
export function kindNames(facets: ErrorFacets): string[] {
  return [facets.kind, ...(facets.kindAliases ?? [])].filter((k): k is string => k !== undefined);
}

export function kindsMatch(expected: ErrorFacets, actual: ErrorFacets): boolean {
  const wanted = new Set(kindNames(expected).map(normalizeKind));
  return kindNames(actual).some((kind) => wanted.has(normalizeKind(kind)));
}

/** Kind, line and message from whatever forms the text holds, searched from `from`. */
export function readFacets(text: string, from = 0): Omit<ErrorFacets, 'marker'> {
  const debug = findDebugError(text, from);
  const display = findDisplayLine(text, from, debug);
  if (!debug && !display) return { source: 'marker-only' };
  if (!debug) return { source: 'display', ...display! };
  const facets: Omit<ErrorFacets, 'marker'> = { source: 'debug', kind: debug.kind };
  const line = debug.line ?? display?.line;
  if (line !== undefined) facets.line = line;
  const message = debug.detail ?? display?.message;
  if (message !== undefined) facets.message = message;
  const label = display?.kind;
  if (label !== undefined && normalizeKind(label) !== normalizeKind(debug.kind)) facets.kindAliases = [label];
  return facets;
}

// ---------------------------------------------------------------------------------------------
// Display line

// `<kind>[: <detail>] (in <name>:<line>)` as MiniJinja prints it (always with the line when it
// prints a name), or `(line <n>)` / `(at line <n>)` as suites without file names do.
const LOCATED = /^[^\S\n]*(\S.*?)\s*\((?:in ([^()\n]*):(\d+)|(?:at )?line (\d+))\)[^\S\n]*$/;

function splitHead(head: string): { kind: string; message: string } {
  const colon = head.indexOf(': ');
  // Without a detail the display is only the kind's label, and that label is the message a user reads.
  return colon < 0 ? { kind: head, message: head } : { kind: head.slice(0, colon), message: head.slice(colon + 2) };
}

type DisplayFacets = Pick<ErrorFacets, 'kind' | 'line' | 'message'>;

/**
 * The first located display line after `from`, outside the Debug struct, that is not a
 * `caused by:` line. When there is no Debug struct either, the first non-blank line is read the
 * same way with no line number: a port may print `undefined value` with no location.
 */
function findDisplayLine(text: string, from: number, debug: { start: number; end: number } | undefined): DisplayFacets | undefined {
  let fallback: string | undefined;
  let offset = from;
  for (const line of text.slice(from).split('\n')) {
    const start = offset;
    offset += line.length + 1;
    if (debug && start < debug.end && offset > debug.start) continue;
    if (/^\s*caused by:/.test(line)) continue;
    const m = LOCATED.exec(line);
    if (m) {
      const { kind, message } = splitHead(m[1]!);
      const lineNo = Number(m[3] ?? m[4]);
      // MiniJinja prints line 0 when the location has a name but no line.
      return lineNo > 0 ? { kind, message, line: lineNo } : { kind, message };
    }
    if (fallback === undefined && line.trim() !== '') fallback = line.trim();
  }
  return fallback !== undefined && !debug ? splitHead(fallback) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Rust Debug struct

interface DebugError {
  kind: string;
  /** Offset of the struct's name. */
  start: number;
  detail?: string;
  line?: number;
  /** Offset just past the closing brace. */
  end: number;
}

const STRUCT_START = /([A-Za-z_]\w*(?:::[A-Za-z_]\w*)*)[^\S\n]*\{/g;
// Bounds the work on a huge actual output that is full of braces but holds no error struct.
const MAX_CANDIDATES = 50;

/** The first Debug struct after `from` with a top-level `kind` field (nested `source` errors are skipped over). */
function findDebugError(text: string, from: number): DebugError | undefined {
  STRUCT_START.lastIndex = from;
  for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
    const m = STRUCT_START.exec(text);
    if (!m) return undefined;
    const parsed = parseStructFields(text, m.index + m[0].length);
    const kind = parsed && identValue(parsed.fields.get('kind'));
    if (parsed && kind) {
      const error: DebugError = { kind, start: m.index, end: parsed.end };
      const detail = stringValue(parsed.fields.get('detail') ?? parsed.fields.get('message') ?? parsed.fields.get('msg'));
      if (detail !== undefined) error.detail = detail;
      const line = numberValue(parsed.fields.get('line') ?? parsed.fields.get('lineno'));
      if (line !== undefined) error.line = line;
      return error;
    }
    STRUCT_START.lastIndex = m.index + m[0].length;
  }
  return undefined;
}

/** Top-level `name: value` fields of a struct body starting at `pos` (just past `{`), values raw. */
function parseStructFields(text: string, pos: number): { fields: Map<string, string>; end: number } | null {
  const fields = new Map<string, string>();
  const FIELD = /\s*([A-Za-z_]\w*)\s*:\s*/y;
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (text[pos] === '}') return { fields, end: pos + 1 };
    // `..` closes a non-exhaustive Debug struct: `Error { kind: X, .. }`.
    if (text.startsWith('..', pos)) {
      pos += 2;
      continue;
    }
    FIELD.lastIndex = pos;
    const m = FIELD.exec(text);
    if (!m) return null;
    const valueStart = FIELD.lastIndex;
    const valueEnd = scanValue(text, valueStart);
    if (valueEnd < 0) return null;
    fields.set(m[1]!, text.slice(valueStart, valueEnd).trim());
    pos = valueEnd;
    if (text[pos] === ',') pos++;
  }
}

const CHAR_LITERAL = /'(?:\\(?:u\{[0-9a-fA-F]+\}|.)|[^'\\\n])'/y;

/** Offset of the `,` or closing bracket that ends a value at bracket depth 0, or -1 when unterminated. */
function scanValue(text: string, pos: number): number {
  let depth = 0;
  while (pos < text.length) {
    const ch = text[pos]!;
    if (ch === '"') {
      pos = skipString(text, pos);
      if (pos < 0) return -1;
      continue;
    }
    if (ch === "'") {
      CHAR_LITERAL.lastIndex = pos;
      if (CHAR_LITERAL.exec(text)) {
        pos = CHAR_LITERAL.lastIndex;
        continue;
      }
    } else if (ch === '{' || ch === '(' || ch === '[') {
      depth++;
    } else if (ch === '}' || ch === ')' || ch === ']') {
      if (depth === 0) return pos;
      depth--;
    } else if (ch === ',' && depth === 0) {
      return pos;
    }
    pos++;
  }
  return -1;
}

/** Offset just past the string literal that starts at `pos`, or -1. */
function skipString(text: string, pos: number): number {
  for (let i = pos + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** Strips one `Some(…)`; `None` becomes undefined. */
function unwrapOption(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === 'None') return undefined;
  const m = /^Some\(([\s\S]*)\)$/.exec(raw);
  return m ? m[1]!.trim() : raw;
}

/** `SyntaxError`, `ErrorKind::SyntaxError`, `Io(…)` → the variant name. */
function identValue(raw: string | undefined): string | undefined {
  const value = unwrapOption(raw);
  if (value === undefined) return undefined;
  const m = /^(?:[A-Za-z_]\w*::)*([A-Za-z_]\w*)/.exec(value);
  return m ? m[1] : undefined;
}

function numberValue(raw: string | undefined): number | undefined {
  const value = unwrapOption(raw);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function stringValue(raw: string | undefined): string | undefined {
  const value = unwrapOption(raw);
  if (value === undefined || !value.startsWith('"') || skipString(value, 0) !== value.length) return undefined;
  return unescapeRust(value.slice(1, -1));
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\', '"': '"', "'": "'" };

/** The body of a Rust Debug string literal, unescaped (`\n`, `\"`, `\u{1b}`, …). */
export function unescapeRust(body: string): string {
  return body.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|x([0-9a-fA-F]{2})|.)/g, (all, esc: string, uni?: string, byte?: string) => {
    if (uni !== undefined) {
      const code = parseInt(uni, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : all;
    }
    if (byte !== undefined) return String.fromCharCode(parseInt(byte, 16));
    return SIMPLE_ESCAPES[esc] ?? all;
  });
}
