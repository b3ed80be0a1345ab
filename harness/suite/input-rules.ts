import picomatch from 'picomatch';
import { compileMatch, PLACEHOLDER } from '../config/input-rule.js';
import type { InputRule } from '../config/types.js';
import { escapeGlob } from '../util/case-glob.js';

/**
 * A phase's `input_rules` applied to a case id: pure functions over a list of files, so the
 * same resolution works on a checkout (load-suite lists the files) or on a tree read from git.
 *
 * The first rule whose `match` matches the id and whose `path` finds exactly one file gives the
 * input. A rule that finds several files ends the search with the candidates: a later rule does
 * not silently take over. A rule that finds none lets the next one try.
 */

/** Never input files: version control, JavaScript dependencies, and cargo's build folder. */
export const NOT_INPUTS = ['**/.git/**', '**/node_modules/**', 'target/**'];

export interface CompiledRule {
  /** 1 for the phase's first rule. */
  number: number;
  regex: RegExp;
  path: string;
}

export type RuleResolution =
  /** No rule's `match` matches the id. */
  | { kind: 'none' }
  | { kind: 'file'; rule: number; path: string; params: Record<string, string> }
  | { kind: 'ambiguous'; rule: number; glob: string; candidates: string[]; params: Record<string, string> }
  /** Some rule matched, but no rule's glob found a file: `tried` holds each rule and its glob. */
  | { kind: 'missing'; tried: Array<{ rule: number; glob: string }>; params: Record<string, string> };

/** Rules from a validated config; a `match` that does not compile here is a bug in validation. */
export function compileRules(rules: readonly InputRule[]): CompiledRule[] {
  return rules.map((r, i) => {
    const compiled = compileMatch(r.match);
    if (!compiled.ok) throw new Error(`input_rules[${i}].match passed validation but does not compile: ${compiled.message}`);
    return { number: i + 1, regex: compiled.regex, path: r.path };
  });
}

/** The glob that lists every file a rule could name: each `{group}` as `*`. */
export function listingGlob(path: string): string {
  return path.replace(PLACEHOLDER, '*');
}

export function resolveByRules(id: string, rules: readonly CompiledRule[], files: InputFileIndex): RuleResolution {
  const tried: Array<{ rule: number; glob: string }> = [];
  let firstParams: Record<string, string> | null = null;
  for (const rule of rules) {
    const m = rule.regex.exec(id);
    if (!m) continue;
    const params = paramsOf(m);
    firstParams ??= params;
    const glob = rule.path.replace(PLACEHOLDER, (_, g: string) => escapeGlob(params[g] ?? ''));
    const found = files.find(glob);
    if (found.length === 1) return { kind: 'file', rule: rule.number, path: found[0]!, params };
    if (found.length > 1) return { kind: 'ambiguous', rule: rule.number, glob, candidates: found, params };
    tried.push({ rule: rule.number, glob });
  }
  return firstParams === null ? { kind: 'none' } : { kind: 'missing', tried, params: firstParams };
}

/** The named groups that took part in the match (an optional group that did not is left out). */
function paramsOf(m: RegExpExecArray): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.groups ?? {})) if (value !== undefined) params[name] = value;
  return params;
}

/** Glob syntax left once `\x` escapes are taken out. */
const UNESCAPED_SYNTAX = /[*?[\]{}()!+|]/;

/**
 * Files (paths relative to the source root, with `/`) indexed by base name: a rule's glob
 * nearly always ends in a literal name (`tests/inputs/**\/{file}` with `file` filled in), and
 * then only the files of that name are tested against it, not every file of the tree.
 */
export class InputFileIndex {
  private readonly all: string[];
  private readonly byName = new Map<string, string[]>();

  constructor(files: Iterable<string>) {
    this.all = [...new Set(files)].sort();
    for (const f of this.all) {
      const name = f.slice(f.lastIndexOf('/') + 1);
      const list = this.byName.get(name);
      if (list) list.push(f);
      else this.byName.set(name, [f]);
    }
  }

  /** The files `glob` matches, sorted. */
  find(glob: string): string[] {
    const last = glob.slice(glob.lastIndexOf('/') + 1);
    const plain = last.replace(/\\./gs, '');
    const pool = UNESCAPED_SYNTAX.test(plain) ? this.all : (this.byName.get(last.replace(/\\(.)/gs, '$1')) ?? []);
    if (pool.length === 0) return [];
    const re = picomatch.makeRe(glob, { dot: true });
    return pool.filter((f) => re.test(f));
  }
}
