/**
 * Unified diffs for failing cases, with invisible differences made visible.
 *
 * Design: context lines are printed as they are; every changed line (`-`/`+`) is rendered with
 * its invisible characters replaced by visible marks, so a difference that is only whitespace
 * still shows, while an ordinary diff stays readable (indentation by spaces is never marked):
 *   tab → `→`, carriage return → `␍`, spaces at the end of a line → `·`, no-break space → `⍽`,
 *   other control characters → their Unicode control picture (`␛` for ESC, `␀` for NUL),
 *   other unusual spaces and invisible format characters (U+2000–U+200F, U+FEFF, U+0085 …) → `⟨U+XXXX⟩`.
 * A missing final newline gets the standard `\ No newline at end of file` line.
 * A legend line at the end lists the marks used, only when there are any.
 */
import { createRequire } from 'node:module';

// `diff` is loaded on the first failing case, not at start-up: a green run never needs it, and
// importing it cost ~20 ms of CPU in every `porter test`. Its CommonJS build is the same code and
// can be loaded synchronously, as the judge is synchronous.
const require = createRequire(import.meta.url);
let diffLibrary: typeof import('diff') | undefined;
function diffLib(): typeof import('diff') {
  return (diffLibrary ??= require('diff') as typeof import('diff'));
}

export interface DiffOptions {
  expectedLabel?: string;
  actualLabel?: string;
  /** Unchanged lines shown around each change. */
  context?: number;
  /** Longest diff returned, in lines; the rest is cut with a note. */
  maxLines?: number;
  /** Give up on a full diff past this many edits (the Myers diff costs lines × edits). */
  maxEdits?: number;
  /** Give up on a full diff when the two texts have more lines than this together. */
  maxInputLines?: number;
}

const MARKS = {
  tab: ['→', 'tab'],
  cr: ['␍', 'carriage return'],
  trailing: ['·', 'trailing space'],
  nbsp: ['⍽', 'no-break space'],
  control: ['␀…␟', 'control character'],
  unicode: ['⟨U+XXXX⟩', 'invisible or unusual space'],
} as const;
type Mark = keyof typeof MARKS;

// Zero-width and format characters, plus spaces that look like a plain space but are not.
const ODD = /[\u0085\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/u;

function hex(code: number): string {
  return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** A line with invisible characters marked; `used` collects which marks appeared. */
export function makeVisible(line: string, used: Set<Mark> = new Set()): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ') end--;
  let out = '';
  for (const ch of line.slice(0, end)) {
    const code = ch.codePointAt(0)!;
    if (ch === '\t') {
      out += '→';
      used.add('tab');
    } else if (ch === '\r') {
      out += '␍';
      used.add('cr');
    } else if (code < 0x20) {
      out += String.fromCodePoint(0x2400 + code);
      used.add('control');
    } else if (code === 0x7f) {
      out += '␡';
      used.add('control');
    } else if (code === 0xa0) {
      out += '⍽';
      used.add('nbsp');
    } else if ((code >= 0x80 && code < 0xa0) || ODD.test(ch)) {
      out += hex(code);
      used.add('unicode');
    } else {
      out += ch;
    }
  }
  if (end < line.length) {
    out += '·'.repeat(line.length - end);
    used.add('trailing');
  }
  return out;
}

/**
 * A unified diff of expected → actual, or `''` when they are equal.
 * Labels default to `expected` / `actual`.
 */
export function visibleDiff(expected: string, actual: string, options: DiffOptions = {}): string {
  if (expected === actual) return '';
  const maxLines = options.maxLines ?? 200;
  // Bounded work per failing case, so a target that prints megabytes cannot stall a run.
  if (lineCount(expected) + lineCount(actual) > (options.maxInputLines ?? 20_000)) return tooLarge(expected, actual);
  const { FILE_HEADERS_ONLY, formatPatch, structuredPatch } = diffLib();
  const patch = structuredPatch(
    options.expectedLabel ?? 'expected',
    options.actualLabel ?? 'actual',
    expected,
    actual,
    undefined,
    undefined,
    { context: options.context ?? 3, maxEditLength: options.maxEdits ?? 1000 },
  );
  if (!patch) return tooLarge(expected, actual);
  const used = new Set<Mark>();
  for (const hunk of patch.hunks) {
    hunk.lines = hunk.lines.map((line) => {
      const sign = line[0];
      return sign === '-' || sign === '+' ? sign + makeVisible(line.slice(1), used) : line;
    });
  }
  let lines = formatPatch(patch, FILE_HEADERS_ONLY).replace(/\n$/, '').split('\n');
  if (lines.length > maxLines) {
    const cut = lines.length - maxLines;
    lines = [...lines.slice(0, maxLines), `… ${cut} more diff line${cut === 1 ? '' : 's'} not shown`];
  }
  if (used.size > 0) {
    const legend = [...used].map((mark) => `${MARKS[mark][0]} ${MARKS[mark][1]}`).join(', ');
    lines.push(`(shown: ${legend})`);
  }
  return lines.join('\n');
}

function tooLarge(expected: string, actual: string): string {
  const first = firstDifferingLine(expected, actual);
  const where = first ? `; first difference at line ${first.line}: expected ${quote(first.expected)}, got ${quote(first.actual)}` : '';
  return `(diff too large to show: ${lineCount(expected)} expected lines, ${lineCount(actual)} actual lines${where})`;
}

function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** A line for a one-line reason: JSON-quoted (so invisibles show as escapes), cut at `max` characters. */
export function quote(line: string | null, max = 80): string {
  if (line === null) return 'end of text';
  const cut = line.length > max ? `${line.slice(0, max)}…` : line;
  return JSON.stringify(cut);
}

export interface LineDifference {
  /** 1-based line number of the first line that differs. */
  line: number;
  /** That line in each text; `null` when the text has ended. */
  expected: string | null;
  actual: string | null;
}

/**
 * The first line where the texts differ, for one-line reasons and for clustering failures that
 * share a cause. `null` when the texts are equal.
 */
export function firstDifferingLine(expected: string, actual: string): LineDifference | null {
  if (expected === actual) return null;
  const a = expected.split('\n');
  const b = actual.split('\n');
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return { line: i + 1, expected: a[i] ?? null, actual: b[i] ?? null };
  }
  return null;
}
