import { child, mapping, present, type Problems, show, string } from './fields.js';
import type { InputRule } from './types.js';

/**
 * The syntax of `input_rules` entries, shared by the config validator and the suite reader:
 * `match` a JavaScript regular expression with named groups, `path` a glob with `{group}`
 * placeholders. A brace that does not hold a plain name (`{a,b}`) stays glob syntax.
 */

const RULE_KEYS = ['match', 'path'];

/** `{name}` in a rule's path. */
export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The named groups of a compiled `match`, in the order they are written. */
export function groupNamesOf(match: RegExp): string[] {
  // An empty alternative makes the expression match "", and the match lists every named group.
  const groups = new RegExp(`(?:${match.source})|`, match.flags).exec('')?.groups;
  return groups ? Object.keys(groups) : [];
}

/** The group names a rule's path uses, each once, in order. */
export function placeholdersOf(path: string): string[] {
  return [...new Set([...path.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Compiles `match`, or says why it does not compile. */
export function compileMatch(match: string): { ok: true; regex: RegExp } | { ok: false; message: string } {
  try {
    return { ok: true, regex: new RegExp(match) };
  } catch (e) {
    const hint = /\(\?P</.test(match) ? '; write named groups as (?<name>...), not (?P<name>...)' : '';
    return { ok: false, message: `not a valid regular expression: ${(e as Error).message}${hint}` };
  }
}

/** Validates a phase's `input_rules` (at key path `at`); undefined when any entry is bad. */
export function readInputRules(v: unknown, at: string, p: Problems): InputRule[] | undefined {
  if (!Array.isArray(v)) {
    p.add(at, `expected a list of {match, path}, got ${show(v)}`);
    return undefined;
  }
  const before = p.lines.length;
  const rules: InputRule[] = [];
  v.forEach((item, i) => {
    const rule = readRule(item, child(at, i), p);
    if (rule) rules.push(rule);
  });
  return p.lines.length === before ? rules : undefined;
}

function readRule(item: unknown, at: string, p: Problems): InputRule | undefined {
  const m = mapping(item, at, p, RULE_KEYS);
  if (!m) return undefined;
  const matchAt = child(at, 'match');
  const pathAt = child(at, 'path');
  if (!present(m.match)) p.add(matchAt, 'missing; give a regular expression over the case id with named groups, e.g. "^cli__(?<cmd>[a-z-]+)_(?<file>.+)$"');
  if (!present(m.path)) p.add(pathAt, 'missing; give a glob relative to source that uses the groups, e.g. "tests/inputs/**/{file}"');
  const match = present(m.match) ? string(m.match, matchAt, p) : undefined;
  const path = present(m.path) ? string(m.path, pathAt, p) : undefined;
  if (match === undefined || path === undefined) return undefined;

  const compiled = compileMatch(match);
  if (!compiled.ok) {
    p.add(matchAt, compiled.message);
    return undefined;
  }
  if (path.startsWith('/')) {
    p.add(pathAt, `${show(path)} is absolute; give a glob relative to source`);
    return undefined;
  }
  const groups = groupNamesOf(compiled.regex);
  const used = placeholdersOf(path);
  const unknown = used.filter((g) => !groups.includes(g));
  if (unknown.length > 0) {
    const known = groups.length > 0 ? `its groups: ${groups.join(', ')}` : 'it has no named groups';
    p.add(pathAt, `${unknown.map((g) => `{${g}}`).join(', ')} names no group of match (${known})`);
    return undefined;
  }
  if (used.length === 0) {
    if (groups.length === 0) {
      p.add(matchAt, 'has no named group; name the part of the id that gives the input, e.g. (?<file>.+), and put {file} in path');
    } else {
      p.add(matchAt, `none of its named groups (${groups.join(', ')}) is used by path ${show(path)}; put the one that gives the input in path as {${groups[groups.length - 1]}}`);
    }
    return undefined;
  }
  return { match, path };
}
