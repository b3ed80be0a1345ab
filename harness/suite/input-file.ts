import { findJsonError, lineColumn } from './json-error.js';
import type { InputFile } from './types.js';

/**
 * Splits an input file into its optional JSON header and its body, as MiniJinja's tests do with
 * `contents.splitn(2, "\n---\n")`. Some suites have no header at all (MiniJinja's parser inputs)
 * and their templates may contain `---` lines, so a header is only assumed when the part before
 * the first separator looks like JSON: a template such as `{{ x }}` or `{% if %}` never does.
 */

export type InputParseResult = { ok: true; input: InputFile } | { ok: false; message: string };

/** First separator: a line `---` (a CRLF file's `---\r` line counts too). */
const SEPARATOR = /\r?\n---\r?\n/;

export function parseInputFile(text: string, path: string): InputParseResult {
  const sep = SEPARATOR.exec(text);
  if (!sep || !looksLikeJsonHeader(text.slice(0, sep.index))) {
    return { ok: true, input: { path, header: null, headerRaw: null, body: text } };
  }
  const headerText = text.slice(0, sep.index);
  const body = text.slice(sep.index + sep[0].length);
  try {
    return { ok: true, input: { path, header: JSON.parse(headerText) as unknown, headerRaw: headerText, body } };
  } catch (e) {
    const spot = findJsonError(headerText);
    const { line, column } = lineColumn(text, spot?.offset ?? headerText.length);
    const reason = spot?.reason ?? (e as Error).message;
    return {
      ok: false,
      message: `${path}:${line}:${column}: malformed JSON header: ${reason}; fix the JSON before the \`---\` line`,
    };
  }
}

/**
 * `{` that does not open a Jinja-style tag (`{{`, `{%`, `{#`), or `[` followed by something that
 * can start a JSON value. Leading whitespace is allowed, as `JSON.parse` allows it. A header that
 * is merely malformed (`{a: 1}`) still looks like one, so its error is reported, not hidden.
 */
export function looksLikeJsonHeader(part: string): boolean {
  return /^\s*(\{(?![{%#])|\[\s*[-0-9"[{\]tfn])/.test(part);
}
