import type { InputRule } from '../config/types.js';
import { escapeGlob } from '../util/case-glob.js';

/**
 * `porter init` for suites whose snapshot names embed their input's file name with no
 * `input_file` header and no `@<input>` part — snapshots written by test-generator, rstest,
 * datatest or a loop over a folder, such as `snapshot__eval_stderr_div_zero.calc` for
 * `tests/inputs/errors/div_zero.calc`. Pure: given the ids and the files of the source tree, it
 * proposes phases with `input_rules`.
 *
 * An id maps to a file when the file's base name, with an extension (`add.calc`, not `ops`, which
 * a Rust-code snapshot's name may end in by chance), ends the id after a separator (`_`, `__`,
 * `-`, `@`); the longest such name wins. What comes before is split at `_` runs and `@` into parts:
 * ids with the same layout share a rule, parts that vary between them become named groups, and
 * the first varying part (a subcommand, say) splits the rule's cases into phases.
 */

/** A proposed phase whose inputs are found by a rule. */
export interface RulePhase {
  name: string;
  /** Case-id glob of the phase (the caller falls back to listing ids when it would overlap). */
  glob: string;
  /** Its cases: ids with a file, ambiguous ones, and stale ones that the rule matches but no file backs. */
  ids: string[];
  rule: InputRule;
}

const SEPARATOR = /[_\-@]/;
/** Where an id's prefix splits into parts; `-` stays inside a part (`dump-ast`). */
const PART_SEPARATOR = /(_+|@)/;
const STREAMS = new Set(['stdout', 'stderr', 'out', 'err']);
const HAS_EXTENSION = /^[^.].*\.[^.]+$/;

interface Hit {
  id: string;
  parts: string[];
  /** Separators between parts, then the one before the file name. */
  seps: string[];
  file: string;
  candidates: string[];
}

/**
 * Rules for `ids` (snapshots with no `input_file` and no `@<input>`), or none when files do not
 * map most of them uniquely: a few accidental matches must not turn Rust-code snapshots into rules.
 */
export function detectInputRules(ids: readonly string[], files: readonly string[]): RulePhase[] {
  const byName = new Map<string, string[]>();
  for (const f of files) {
    const name = f.slice(f.lastIndexOf('/') + 1);
    if (!HAS_EXTENSION.test(name)) continue;
    const list = byName.get(name);
    if (list) list.push(f);
    else byName.set(name, [f]);
  }
  const hits = ids.map((id) => hitOf(id, byName)).filter((h): h is Hit => h !== null);
  if (hits.filter((h) => h.candidates.length === 1).length * 2 <= ids.length) return [];

  const layouts = new Map<string, Hit[]>();
  for (const h of hits) {
    const key = h.seps.join('\0');
    const list = layouts.get(key);
    if (list) list.push(h);
    else layouts.set(key, [h]);
  }
  const phases = [...layouts.values()].flatMap((layout) => phasesOf(layout));

  // Stale snapshots: a rule matches the id, but its input is gone. They belong to that phase.
  const taken = new Set(phases.flatMap((p) => p.ids));
  const tests = phases.map((p) => new RegExp(p.rule.match));
  for (const id of ids) {
    if (taken.has(id)) continue;
    const i = tests.findIndex((re) => re.test(id));
    if (i !== -1) phases[i]!.ids.push(id);
  }
  for (const p of phases) p.ids.sort();
  return phases;
}

/** The longest file name that ends the id after a separator, with the parts before it. */
function hitOf(id: string, byName: Map<string, string[]>): Hit | null {
  for (let i = 1; i < id.length - 1; i++) {
    if (!SEPARATOR.test(id[i]!) || SEPARATOR.test(id[i + 1]!)) continue;
    const file = id.slice(i + 1);
    const candidates = byName.get(file);
    if (!candidates) continue;
    let start = i;
    while (start > 0 && SEPARATOR.test(id[start - 1]!)) start--;
    if (start === 0) return null;
    const split = id.slice(0, start).split(PART_SEPARATOR);
    const parts = split.filter((_, k) => k % 2 === 0);
    const seps = [...split.filter((_, k) => k % 2 === 1), id.slice(start, i + 1)];
    return { id, parts, seps, file, candidates };
  }
  return null;
}

/** One layout's phases: one per value of its first varying part, or one phase when none varies. */
function phasesOf(layout: Hit[]): RulePhase[] {
  const mapped = layout.filter((h) => h.candidates.length === 1).map((h) => h.candidates[0]!);
  if (mapped.length === 0) return [];
  const count = layout[0]!.parts.length;
  const values = Array.from({ length: count }, (_, k) => [...new Set(layout.map((h) => h.parts[k]!))].sort());
  const names = groupNames(values);
  const varying = [...names.keys()];
  const split = varying.find((k) => names.get(k) !== 'stream') ?? varying[0] ?? null;
  const path = rulePath(mapped);

  const byValue = new Map<string, Hit[]>();
  for (const h of layout) {
    const key = split === null ? '' : h.parts[split]!;
    const list = byValue.get(key);
    if (list) list.push(h);
    else byValue.set(key, [h]);
  }
  const seps = layout[0]!.seps;
  return [...byValue].map(([value, members]) => {
    const partsOf = (k: number) => (k === split ? [value] : values[k]!);
    let match = '^';
    let glob = '';
    const globEnd = split ?? count - 1;
    for (let k = 0; k < count; k++) {
      const name = names.get(k);
      match += name === undefined ? escapeRegex(values[k]![0]!) : `(?<${name}>${partsOf(k).map(escapeRegex).join('|')})`;
      match += escapeRegex(seps[k]!);
      if (k <= globEnd) glob += (name === undefined || k === split ? escapeGlob(partsOf(k)[0]!) : '*') + escapeGlob(seps[k]!);
    }
    return {
      name: split === null ? nameOf(values) : value,
      glob: `${glob}*`,
      ids: members.map((h) => h.id),
      rule: { match: `${match}(?<file>.+)$`, path },
    };
  });
}

/** Varying parts get names: `stream` for stdout/stderr, else `part1`, `part2`, … */
function groupNames(values: string[][]): Map<number, string> {
  const names = new Map<number, string>();
  let n = 0;
  for (const [k, vals] of values.entries()) {
    if (vals.length < 2) continue;
    const stream = vals.every((v) => STREAMS.has(v)) && ![...names.values()].includes('stream');
    names.set(k, stream ? 'stream' : `part${++n}`);
  }
  return names;
}

/** A single phase's name: its last part that is not the module or a stream. */
function nameOf(values: string[][]): string {
  const parts = values.map((v) => v[0]!);
  const named = parts.slice(parts.length > 1 ? 1 : 0).filter((p) => !STREAMS.has(p));
  return named[named.length - 1] ?? parts[0]!;
}

/** The folder the inputs share, then `{file}` — through `**` when they sit in its sub-folders. */
function rulePath(files: string[]): string {
  const dirs = files.map(folderOf);
  const dir = commonFolder(dirs);
  const deep = dirs.some((d) => d !== dir);
  return `${dir === '' ? '' : `${escapeGlob(dir)}/`}${deep ? '**/' : ''}{file}`;
}

function folderOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
}

/** The longest folder path (with `/`) that every one of `folders` is in or under; '' for none. */
export function commonFolder(folders: readonly string[]): string {
  if (folders.length === 0) return '';
  let common = folders[0]!.split('/');
  for (const d of folders.slice(1)) {
    const parts = d.split('/');
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  return common.join('/');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
