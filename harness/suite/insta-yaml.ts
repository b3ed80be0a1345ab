/**
 * A fast reader for the plain subset of YAML that insta's emitter writes in snapshot headers:
 * block mappings and sequences indented by spaces, one-line plain or JSON-compatible
 * double-quoted scalars, `[]`, `{}` and `~`. It gives the same value as the `yaml` package with
 * the core schema, or `undefined` for anything outside the subset (comments, flow collections,
 * block scalars, anchors, tags, quoted keys, numbers other than small integers...), and the
 * caller then parses with `yaml`. It exists because `yaml` costs about 2 ms a header on a cold
 * start, which made loading MiniJinja's 230 snapshots take half a second.
 */

const BAIL = Symbol('bail');
type Bail = typeof BAIL;

interface Line {
  indent: number;
  text: string;
}

/** `text` is the header without its `---` lines; `undefined` means "not in the subset". */
export function parseInstaYaml(text: string): unknown {
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' && lines.length === 0) continue;
    let indent = 0;
    while (line.charCodeAt(indent) === 0x20) indent++;
    if (indent === line.length) {
      if (line === '') continue;
      return undefined;
    }
    lines.push({ indent, text: line.slice(indent) });
  }
  if (lines.length === 0) return null;
  if (lines[0]!.indent !== 0) return undefined;
  const state = { lines, i: 0 };
  const value = block(state, 0);
  return value === BAIL || state.i !== lines.length ? undefined : value;
}

interface State {
  lines: Line[];
  i: number;
}

function block(s: State, indent: number): unknown {
  const first = s.lines[s.i]!;
  return first.text === '-' || first.text.startsWith('- ') ? sequence(s, indent) : mapping(s, indent);
}

function mapping(s: State, indent: number): Record<string, unknown> | Bail {
  const out: Record<string, unknown> = {};
  while (s.i < s.lines.length) {
    const line = s.lines[s.i]!;
    if (line.indent < indent) break;
    if (line.indent > indent) return BAIL;
    const colon = line.text.indexOf(':');
    if (colon <= 0) return BAIL;
    const key = line.text.slice(0, colon);
    const rest = line.text.slice(colon + 1);
    if (!SAFE_KEY.test(key) || SPECIAL_PLAIN.test(key) || key === '__proto__') return BAIL;
    s.i++;
    let value: unknown;
    if (rest === '') {
      const next = s.lines[s.i];
      value = next && next.indent > indent ? block(s, next.indent) : null;
      // `key:` followed by `- item` at the same indent is a sequence value in YAML.
      if (next && next.indent === indent && (next.text === '-' || next.text.startsWith('- '))) return BAIL;
    } else if (rest.startsWith(' ')) {
      value = scalar(rest.slice(1));
      const next = s.lines[s.i];
      // A deeper line after an inline value would continue a multi-line plain scalar.
      if (next && next.indent > indent) return BAIL;
    } else {
      return BAIL;
    }
    if (value === BAIL) return BAIL;
    out[key] = value;
  }
  return out;
}

function sequence(s: State, indent: number): unknown[] | Bail {
  const out: unknown[] = [];
  while (s.i < s.lines.length) {
    const line = s.lines[s.i]!;
    if (line.indent < indent) break;
    if (line.indent > indent) return BAIL;
    if (line.text === '-' || !line.text.startsWith('- ')) return BAIL;
    const rest = line.text.slice(2);
    if (rest.startsWith(' ') || rest === '') return BAIL;
    let value: unknown;
    if (rest.startsWith('- ') || rest === '-' || /^[A-Za-z_$][^:]*:( |$)/.test(rest)) {
      // A nested sequence or a mapping inside the item: it starts two columns further in.
      s.lines[s.i] = { indent: indent + 2, text: rest };
      value = block(s, indent + 2);
    } else {
      value = scalar(rest);
      s.i++;
      const next = s.lines[s.i];
      if (next && next.indent > indent) return BAIL;
    }
    if (value === BAIL) return BAIL;
    out.push(value);
  }
  return out;
}

const SAFE_KEY = /^[A-Za-z_$][A-Za-z0-9_$.-]*$/;
/** Plain scalars the core schema does not read as strings. */
const SPECIAL_PLAIN = /^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$|^[-+]?(\.?[0-9]|\.(inf|Inf|INF|nan|NaN|NAN)$)/;
/** Characters that start something other than a plain scalar, or that YAML treats specially. */
const PLAIN_START = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const UNSAFE_CHAR = /[\x00-\x1f\x7f-\x9f\ufeff\u2028\u2029]/;
const DOUBLE_QUOTED = /^"(?:[^"\\]|\\.)*"$/;

function scalar(v: string): unknown {
  if (v === '') return BAIL;
  if (v === '[]') return [];
  if (v === '{}') return {};
  if (v === '~' || v === 'null') return null;
  if (v.startsWith('"')) {
    if (!DOUBLE_QUOTED.test(v)) return BAIL;
    try {
      return JSON.parse(v) as string;
    } catch {
      return BAIL;
    }
  }
  if (/^(0|[1-9][0-9]{0,14})$/.test(v)) return Number(v);
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (PLAIN_START.test(v) || SPECIAL_PLAIN.test(v) || UNSAFE_CHAR.test(v)) return BAIL;
  if (v.includes(': ') || v.includes(' #') || v.endsWith(':') || v.endsWith(' ')) return BAIL;
  return v;
}
